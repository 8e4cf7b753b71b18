// wordlens/projection and wordlens/mapInfo: the embedding map's data. The projection runs in a
// worker thread (engine/projectionWorker.ts); frames stream as wordlens/projectionProgress
// notifications when the request carries a token; finished pictures are cached per model in
// the storage folder.
import * as path from 'node:path';
import type { BackendName } from '../../engine/kernels/backend';
import { ProjectionCache } from '../../engine/projection/projectionCache';
import { projectEmbeddings, type ProjectionFrame } from '../../engine/projection/projectionWorker';
import { displayToken, tokenKind } from '../../engine/text/tokenizer';
import type { EmbeddingIndex } from '../../engine/embeddings/neighbors';
import {
  MapInfoRequest,
  ProjectionProgressNotification,
  ProjectionRequest,
  type MapInfoResult,
  type ProjectionResult,
  type ProjectionStreamParams,
} from '../../protocol';
import type { ServerContext } from '../context';
import { guard, intParam, invalidParams, onCheckedRequest, requireModel, toSignal } from '../requests';
import { embeddingsOf } from '../servingModel';

/** Sub-folder of the storage folder holding cached projections. */
const PROJECTION_FOLDER = 'projections';

export function registerProject(ctx: ServerContext): void {
  const { connection, host, log } = ctx;

  const mapInfo = guard(MapInfoRequest.method, log, (): MapInfoResult => {
    const model = requireModel(host.model);
    const { meta, vocab } = model;
    const json = vocab.toJSON();
    const metric = (name: string) => (typeof meta.metrics?.[name] === 'number' ? (meta.metrics[name] as number) : null);
    const backend = meta.metrics?.backend;
    return {
      modelPath: model.info.modelPath,
      kind: model.info.kind,
      tokenizer: meta.tokenizer,
      words: json.words.map(displayToken),
      counts: json.counts.map((c) => (Number.isFinite(c) ? c : 0)),
      kinds: json.words.map((w) => tokenKind(w, meta.tokenizer)),
      facts: {
        vocab: vocab.size,
        dim: embeddingsOf(model).dim,
        tokens: metric('tokens') ?? (typeof meta.corpus?.tokens === 'number' ? meta.corpus.tokens : null),
        backend: typeof backend === 'string' ? backend : null,
        validPpl: model.info.validPpl,
        createdAt: meta.createdAt,
      },
      curve: (meta.curve ?? []).filter((p) => Number.isFinite(p.step) && Number.isFinite(p.loss)),
    };
  });
  connection.onRequest(MapInfoRequest, (token) => mapInfo(undefined, token));

  onCheckedRequest(connection, log, ProjectionRequest, {
    method: 'string',
    dims: 'number?',
    token: 'string?',
    epochs: 'number?',
    binary: 'boolean?',
  }, async (params: ProjectionStreamParams, token): Promise<ProjectionResult> => {
    if (params.method !== 'pca' && params.method !== 'umap') {
      throw invalidParams(ProjectionRequest.method, `"method" must be "pca" or "umap" (got "${params.method}")`);
    }
    const dims = params.dims ?? 2;
    if (dims !== 2 && dims !== 3) throw invalidParams(ProjectionRequest.method, `"dims" must be 2 or 3 (got ${dims})`);
    const model = requireModel(host.model);
    const index = embeddingsOf(model);
    const storage = ctx.init().storagePath;
    const started = Date.now();
    let frames = 0;
    const binary = params.binary === true || index.size >= BINARY_FROM;
    const wire = (frame: ProjectionFrame) => (binary ? wireFrameBinary(frame) : wireFrame(frame));
    // Intermediate UMAP frames of a large map are throttled: each is 8 bytes a point.
    const minGapMs = index.size >= BINARY_FROM ? 2000 : 0;
    let lastSent = 0;
    const final = await projectEmbeddings(
      {
        matrix: matrixOf(index),
        n: index.size,
        dim: index.dim,
        method: params.method,
        dims,
        epochs: params.epochs === undefined ? undefined : intParam(params.epochs, 200, 10, 2000),
        backend: (ctx.settings().backend || undefined) as BackendName | undefined,
      },
      {
        signal: toSignal(token),
        cache: storage
          ? { cache: new ProjectionCache(path.join(storage, PROJECTION_FOLDER)), modelPath: model.info.modelPath, createdAt: model.meta.createdAt }
          : undefined,
        onFrame: (frame) => {
          if (params.token === undefined) return;
          const intermediate = frame.stage === 'umap' && frame.epoch < frame.epochs;
          if (intermediate && Date.now() - lastSent < minGapMs) return;
          lastSent = Date.now();
          frames++;
          void connection
            .sendNotification(ProjectionProgressNotification, { token: params.token, ...wire(frame) })
            .catch(() => undefined);
        },
      },
    );
    log(
      `projection ${params.method} ${dims}-D of ${index.size} words: ${final.cached ? 'from cache' : `${frames} frames`} in ${Date.now() - started} ms`,
    );
    const json = model.vocab.toJSON();
    const { coords, coordsBase64 } = wire(final);
    return { words: json.words.map(displayToken), counts: json.counts, coords, ...(coordsBase64 === undefined ? {} : { coordsBase64 }), dims };
  });
}

/** The index's row-major matrix (EmbeddingIndex.vector returns views into it). */
function matrixOf(index: EmbeddingIndex): Float32Array {
  const first = index.vector(index.words[0]);
  return new Float32Array(first.buffer, first.byteOffset, index.size * index.dim);
}

/** From this many words on, coordinates travel as base64 float32 even if not asked for: the
 *  JSON numbers of 1M points are ~20 MB and slow to parse on both sides. */
export const BINARY_FROM = 250_000;

type WireFrame = Omit<ProjectionFrame, 'coords'> & { coords: number[]; coordsBase64?: string };

/**
 * A frame for the wire: centred and scaled into [-1, 1] (the map fits its view anyway) and
 * rounded to 1e-4, which is finer than a pixel at any useful zoom and a third of the JSON.
 */
export function wireFrame(frame: ProjectionFrame): WireFrame {
  const scaled = scaleToUnitBox(frame.coords, frame.dims);
  const out = new Array<number>(scaled.length);
  for (let i = 0; i < scaled.length; i++) out[i] = Math.round(scaled[i] * 1e4) / 1e4;
  return { stage: frame.stage, epoch: frame.epoch, epochs: frame.epochs, dims: frame.dims, cached: frame.cached, coords: out };
}

/** The same picture as little-endian float32 in base64 (`coordsBase64`), `coords` empty:
 *  8 bytes a 2-D point, a third of the JSON, and no number parsing. */
export function wireFrameBinary(frame: ProjectionFrame): WireFrame {
  const scaled = scaleToUnitBox(frame.coords, frame.dims);
  const coordsBase64 = Buffer.from(scaled.buffer, scaled.byteOffset, scaled.byteLength).toString('base64');
  return { stage: frame.stage, epoch: frame.epoch, epochs: frame.epochs, dims: frame.dims, cached: frame.cached, coords: [], coordsBase64 };
}

/** Centred and scaled so the widest axis spans [-1, 1]; a non-finite value becomes 0. */
function scaleToUnitBox(coords: Float32Array, dims: number): Float32Array {
  const n = coords.length / dims;
  const lo = new Array<number>(dims).fill(Infinity);
  const hi = new Array<number>(dims).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      const v = coords[i * dims + d];
      if (v < lo[d]) lo[d] = v;
      if (v > hi[d]) hi[d] = v;
    }
  }
  const half = Math.max(1e-12, ...hi.map((h, d) => (h - lo[d]) / 2));
  const out = new Float32Array(coords.length);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      const v = (coords[i * dims + d] - (lo[d] + hi[d]) / 2) / half;
      out[i * dims + d] = Number.isFinite(v) ? v : 0;
    }
  }
  return out;
}
