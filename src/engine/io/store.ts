// A model folder: model.json (TF.js layers format) + weight shard(s) + vocab.json +
// meta.json (+ ngram.bin). Saved atomically as a whole folder; loaded with validation so a
// damaged or foreign folder fails with one clear line instead of a crash later.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { EOS, type ModelMeta, type NamedWeight, type VocabJSON } from '../types';
import { recoverFolder, writeFolderAtomic } from './atomic';
import { throwIfStopped } from '../stop';
import { expectedWeights, layersTopology, type ModelKind, type TopologyShape } from './layersTopology';
import { readTopology, type ReadTopology } from './topologyReader';

const MODEL_FORMAT = 'wordlens-model';
/** Bump when the folder layout changes incompatibly; older Wordlens then refuses the model. */
export const MODEL_FORMAT_VERSION = 1;
/** Shards stay below this size (TF.js splits weights across shards the same way). */
const DEFAULT_SHARD_BYTES = 16 * 1024 * 1024;

export const FILES = { model: 'model.json', vocab: 'vocab.json', meta: 'meta.json', ngram: 'ngram.bin', ngramFiles: 'ngram-files.bin' } as const;

export interface SavedModel {
  meta: ModelMeta;
  vocab: VocabJSON;
  weights: NamedWeight[];
  /** A serialized n-gram model; opaque here. */
  ngram?: Uint8Array;
  /** The files that n-gram counted (io/ngramFiles.ts); opaque here. */
  ngramFiles?: Uint8Array;
}

/** Every problem found while loading a model folder; `message` is one line for users. */
export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

export interface SaveOptions {
  shardBytes?: number;
  /**
   * A stop before the new folder is complete rolls the save back (the old model stays, the
   * promise rejects with an AbortError); once complete, the save finishes (two renames).
   */
  signal?: AbortSignal;
}

/** Write the model folder `dir` atomically: a crash leaves the old model or the new one. */
export async function saveModel(dir: string, model: SavedModel, options: SaveOptions = {}): Promise<void> {
  const shape = checkMeta(model.meta, '(model being saved)', Error);
  const given = new Map(model.weights.map((w) => [w.name, w]));
  const derived: string[] = [];
  // A tied output layer has no kernel of its own; the layers model still needs one.
  if (shape.kind === 'lstm' && model.meta.hyper.tied === true && !given.has('dense/kernel')) {
    const emb = given.get('embedding/embeddings');
    if (emb) given.set('dense/kernel', transpose(emb, 'dense/kernel'));
    derived.push('dense/kernel');
  }
  const expected = expectedWeights(shape);
  const problem = checkWeightShapes(expected, given, model.vocab.words.length);
  if (problem) throw new Error(`cannot save model: ${problem}`);
  const vocabProblem = checkVocab(model.vocab, shape.vocabSize);
  if (vocabProblem) throw new Error(`cannot save model: vocab ${vocabProblem}`);

  await checkSaveTarget(dir);
  const ordered = expected.map((e) => given.get(e.name)!);
  const shards = packShards(ordered, options.shardBytes ?? DEFAULT_SHARD_BYTES);
  const modelJson = layersModelJson(shape, shards.map((s) => ({ name: s.name, bytes: s.bytes.byteLength })), ordered, derived);
  const signal = options.signal;
  await writeFolderAtomic(
    dir,
    async (tmp) => {
      const write = (name: string, data: Uint8Array) => {
        throwIfStopped(signal);
        return fsp.writeFile(path.join(tmp, name), data, { signal });
      };
      for (const s of shards) await write(s.name, s.bytes);
      await writeModelFiles(tmp, modelJson, model.vocab, model.meta, signal);
      if (model.ngram) await write(FILES.ngram, model.ngram);
      if (model.ngramFiles) await write(FILES.ngramFiles, model.ngramFiles);
    },
    signal,
  );
}

/** model.json's content: the TF.js layers topology and a manifest of the weights in `shards`. */
export function layersModelJson(
  shape: TopologyShape, shards: { name: string; bytes: number }[], weights: { name: string; shape: number[] }[], derived: string[] = [],
): object {
  return {
    format: 'layers-model',
    generatedBy: 'Wordlens',
    convertedBy: null,
    modelTopology: layersTopology(shape),
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
    userDefinedMetadata: { wordlens: { shardBytes: shards.map((s) => s.bytes), derived } },
  };
}

/** Writes model.json, vocab.json and meta.json into a folder being filled (saveModel, importVectors). */
export async function writeModelFiles(folder: string, modelJson: object, vocab: VocabJSON, meta: ModelMeta, signal?: AbortSignal): Promise<void> {
  const files: [string, string][] = [[FILES.model, JSON.stringify(modelJson)], [FILES.vocab, JSON.stringify(vocab)], [FILES.meta, JSON.stringify(meta, null, 2) + '\n']];
  for (const [name, text] of files) {
    throwIfStopped(signal);
    await fsp.writeFile(path.join(folder, name), text, { signal });
  }
}

/**
 * Saving swaps the whole folder, so it must never be pointed at a file or someone's other
 * folder: `dir` must be missing, empty, or a model folder. Callers check before long work.
 */
export async function checkSaveTarget(dir: string): Promise<void> {
  const stat = await fsp.stat(dir).catch(() => undefined);
  if (!stat) return;
  if (!stat.isDirectory()) throw new Error(`cannot save a model to ${dir}: it is a file, not a folder`);
  const names = await fsp.readdir(dir);
  if (names.length === 0) return;
  const meta = await fsp.readFile(path.join(dir, FILES.meta), 'utf8').then(
    (text) => JSON.parse(text) as { format?: unknown },
    () => undefined,
  );
  if (meta?.format !== MODEL_FORMAT) {
    throw new Error(`cannot save a model to ${dir}: the folder is not empty and is not a Wordlens model folder, so it will not be replaced`);
  }
}

/**
 * Load and validate a model folder. Throws `ModelLoadError` with a one-line message. The
 * network is read from model.json's topology (topologyReader.ts), so folders written by TF.js,
 * Keras's converter or trainers/torch/ load too; meta.json is optional for them (see metaFor).
 */
export async function loadModel(dir: string): Promise<SavedModel> {
  dir = path.resolve(dir);
  await recoverFolder(dir).catch((err) => {
    throw new ModelLoadError(`cannot recover the model folder ${dir} after an interrupted save: ${oneLine(err)}`);
  });
  const hasMeta = await exists(path.join(dir, FILES.meta));
  const modelFile = path.join(dir, FILES.model);
  if (!hasMeta && !(await exists(modelFile))) await readModelMeta(dir); // says what is wrong with dir
  const modelJson = (await readJson(modelFile)) as LayersModelJson;
  const groups = modelJson?.weightsManifest;
  if (!modelJson || typeof modelJson !== 'object' || !modelJson.modelTopology || !Array.isArray(groups)) {
    throw new ModelLoadError(`${modelFile} is not a TF.js layers model (modelTopology or weightsManifest missing)`);
  }
  const vocabFile = path.join(dir, FILES.vocab);
  if (!(await exists(vocabFile))) {
    throw new ModelLoadError(`${vocabFile} is missing: a model needs its vocabulary ({"words": [...], "counts": [...]}, id = index)`);
  }
  const vocab = (await readJson(vocabFile)) as VocabJSON;
  const vocabProblem = checkVocab(vocab, undefined);
  if (vocabProblem) throw new ModelLoadError(`${vocabFile}: ${vocabProblem}`);

  const fileWeights = await readWeights(dir, modelJson);
  let network: ReadTopology;
  try {
    network = readTopology(modelJson.modelTopology, fileWeights.map((w) => w.name));
  } catch (err) {
    throw new ModelLoadError(`${modelFile}: ${oneLine(err)}`);
  }
  const derived = modelJson.userDefinedMetadata?.wordlens?.derived ?? [];
  const weights = fileWeights.map((w) => ({ ...w, name: network.names.get(w.name) ?? w.name }));
  const given = new Map(weights.map((w) => [w.name, w]));
  const emb = given.get('embedding/embeddings');
  if (emb && emb.shape.length === 2 && emb.shape[0] !== vocab.words.length) {
    throw new ModelLoadError(
      `${vocabFile} has ${vocab.words.length} words but the embedding has ${emb.shape[0]} rows; the vocabulary does not belong to these weights`,
    );
  }
  const meta = hasMeta ? await readModelMeta(dir) : inferredMeta(network, vocab, modelJson);
  const shape = checkMeta(meta, path.join(dir, FILES.meta), ModelLoadError);
  if (vocab.words.length !== shape.vocabSize) {
    throw new ModelLoadError(`${vocabFile} has ${vocab.words.length} words but meta.json says vocabSize ${shape.vocabSize}`);
  }
  const mismatch = (['embedDim', 'hiddenDim', 'layers'] as const).find((k) => shape[k] !== undefined && network.shape[k] !== undefined && shape[k] !== network.shape[k]);
  if (mismatch) {
    throw new ModelLoadError(`meta.json says ${mismatch} ${shape[mismatch]} but ${modelFile}'s network has ${network.shape[mismatch]}`);
  }
  if ((shape.kind === 'lstm') !== (network.shape.kind === 'lstm')) {
    throw new ModelLoadError(`meta.json says ${shape.kind} but ${modelFile}'s network is ${network.shape.kind === 'lstm' ? 'an LSTM language model' : 'an embedding only'}`);
  }
  const problem = checkWeightShapes(expectedWeights(shape), given, vocab.words.length, network.shape.tied);
  if (problem) throw new ModelLoadError(`${modelFile}: ${problem}`);

  // A tied model's output kernel is the embedding's transpose: saved for TF.js, not kept.
  const tied = network.shape.tied || derived.includes('dense/kernel');
  if (shape.kind === 'lstm') meta.hyper = { ...meta.hyper, tied };
  const result: SavedModel = { meta, vocab, weights: weights.filter((w) => !(tied && w.name === 'dense/kernel')) };
  const ngram = await readOptional(dir, FILES.ngram);
  if (ngram) result.ngram = ngram;
  const ngramFiles = ngram && (await readOptional(dir, FILES.ngramFiles));
  if (ngramFiles) result.ngramFiles = ngramFiles;
  return result;
}

/**
 * meta.json for a folder made elsewhere that has none: the shapes from its network, the
 * tokenizer from its vocabulary (`<eos>` is the whitespace tokenizer's line end; the code
 * tokenizer never makes it), no metrics. `wordlens add-ngram` writes a real one.
 */
function inferredMeta(network: ReadTopology, vocab: VocabJSON, modelJson: LayersModelJson): ModelMeta {
  const s = network.shape;
  const hyper: ModelMeta['hyper'] = { vocabSize: s.vocabSize, embedDim: s.embedDim };
  if (s.kind === 'lstm') Object.assign(hyper, { hiddenDim: s.hiddenDim!, layers: s.layers!, tied: s.tied, dropout: 0 });
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    kind: s.kind,
    tokenizer: vocab.words.includes(EOS) ? 'whitespace' : 'code',
    hyper,
    metrics: { inferred: 'no meta.json: shapes read from model.json, tokenizer guessed from vocab.json' },
    corpus: { generatedBy: String((modelJson as { generatedBy?: unknown }).generatedBy ?? 'unknown') },
    createdAt: new Date(0).toISOString(),
  };
}

/** A file of the folder that may be absent (older folders, or none written). */
async function readOptional(dir: string, name: string): Promise<Uint8Array | undefined> {
  const bytes = await fsp.readFile(path.join(dir, name)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ModelLoadError(`cannot read ${path.join(dir, name)}: ${oneLine(err)}`);
  });
  return bytes && new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(() => true, () => false);
}

/** meta.json alone (cheap: for listings and for checking a folder is a model). */
export async function readModelMeta(dir: string): Promise<ModelMeta> {
  dir = path.resolve(dir);
  const stat = await fsp.stat(dir).catch(() => undefined);
  if (!stat) throw new ModelLoadError(`no model folder at ${dir}`);
  if (!stat.isDirectory()) throw new ModelLoadError(`${dir} is a file, not a model folder`);
  const file = path.join(dir, FILES.meta);
  if (!(await fsp.stat(file).catch(() => undefined))) {
    throw new ModelLoadError(`${dir} is not a Wordlens model folder (${FILES.meta} is missing)`);
  }
  return (await readJson(file)) as ModelMeta;
}

interface LayersModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: unknown; weights: unknown }[];
  userDefinedMetadata?: { wordlens?: { shardBytes?: number[]; derived?: string[] } };
}

type ErrorClass = new (message: string) => Error;

function checkMeta(meta: ModelMeta, where: string, E: ErrorClass): TopologyShape {
  if (!meta || typeof meta !== 'object' || meta.format !== MODEL_FORMAT) {
    throw new E(`${where} is not Wordlens model metadata (format is not "${MODEL_FORMAT}")`);
  }
  if (!Number.isInteger(meta.version) || meta.version < 1) throw new E(`${where} has an invalid format version`);
  if (meta.version > MODEL_FORMAT_VERSION) {
    throw new E(
      `model format version ${meta.version} is newer than this Wordlens supports (${MODEL_FORMAT_VERSION}); update Wordlens`,
    );
  }
  const kinds: ModelKind[] = ['lstm', 'skipgram', 'vectors'];
  if (!kinds.includes(meta.kind)) throw new E(`${where} has an unknown model kind ${JSON.stringify(meta.kind)}`);
  if (meta.tokenizer !== 'whitespace' && meta.tokenizer !== 'code') {
    throw new E(`${where} has an unknown tokenizer ${JSON.stringify(meta.tokenizer)}`);
  }
  const hyper = meta.hyper ?? {};
  const int = (key: string): number => {
    const v = hyper[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new E(`${where}: hyper.${key} must be a positive integer`);
    return v;
  };
  const shape: TopologyShape = { kind: meta.kind, vocabSize: int('vocabSize'), embedDim: int('embedDim') };
  if (meta.kind === 'lstm') {
    shape.hiddenDim = int('hiddenDim');
    shape.layers = int('layers');
  }
  return shape;
}

function checkWeightShapes(
  expected: { name: string; shape: number[] }[],
  given: Map<string, NamedWeight>,
  vocabWords: number,
  tiedOutput = false,
): string | undefined {
  for (const e of expected) {
    if (tiedOutput && e.name === 'dense/kernel') continue;
    const w = given.get(e.name);
    if (!w) return `weight ${e.name} is missing`;
    if (!sameShape(w.shape, e.shape)) {
      return `weight ${e.name} has shape [${w.shape}] but the hyper-parameters (vocabulary ${vocabWords}) imply [${e.shape}]`;
    }
    if (w.values.length !== product(e.shape)) return `weight ${e.name} has ${w.values.length} values for shape [${e.shape}]`;
  }
  const known = new Set(expected.map((e) => e.name));
  const extra = [...given.keys()].find((name) => !known.has(name));
  return extra ? `unexpected weight ${extra} for this model kind` : undefined;
}

function checkVocab(vocab: VocabJSON, size: number | undefined): string | undefined {
  if (!vocab || !Array.isArray(vocab.words) || !Array.isArray(vocab.counts)) return 'must have "words" and "counts" arrays';
  if (vocab.words.length !== vocab.counts.length) {
    return `has ${vocab.words.length} words but ${vocab.counts.length} counts`;
  }
  const seen = new Set<string>();
  for (let i = 0; i < vocab.words.length; i++) {
    const word = vocab.words[i];
    if (typeof word !== 'string') return `word ${i} is not a string`;
    if (seen.has(word)) return `word ${JSON.stringify(word)} appears twice`;
    seen.add(word);
    const count = vocab.counts[i];
    if (typeof count !== 'number' || !(count >= 0)) return `count ${i} is not a non-negative number`;
  }
  if (size !== undefined && vocab.words.length !== size) return `has ${vocab.words.length} words but hyper.vocabSize is ${size}`;
  return undefined;
}

async function readWeights(dir: string, modelJson: LayersModelJson): Promise<NamedWeight[]> {
  const modelFile = path.join(dir, FILES.model);
  const out: NamedWeight[] = [];
  for (const group of modelJson.weightsManifest ?? []) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelLoadError(`${modelFile}: a weightsManifest entry lacks "paths" or "weights"`);
    }
    const specs = group.weights as { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: unknown }[];
    let needed = 0;
    for (const s of specs) {
      if (typeof s.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new ModelLoadError(`${modelFile}: a weight entry has no valid name or shape`);
      }
      if ((s.dtype ?? 'float32') !== 'float32' || s.quantization) {
        throw new ModelLoadError(`${modelFile}: weight ${s.name} is ${String(s.dtype)}${s.quantization ? ' (quantized)' : ''}; only float32 is supported`);
      }
      needed += product(s.shape as number[]) * 4;
    }
    const files: string[] = [];
    const sizes: number[] = [];
    for (const p of group.paths as unknown[]) {
      // Shard paths are plain names inside the folder: never follow a path out of it.
      if (typeof p !== 'string' || p !== path.basename(p) || p === '..' || p === '.') {
        throw new ModelLoadError(`${modelFile}: weight shard path ${JSON.stringify(p)} is not a file name in the model folder`);
      }
      const file = path.join(dir, p);
      const stat = await fsp.stat(file).catch((err: NodeJS.ErrnoException) => {
        throw new ModelLoadError(
          err.code === 'ENOENT' ? `weight shard ${file} is missing` : `cannot read weight shard ${file}: ${oneLine(err)}`,
        );
      });
      files.push(file);
      sizes.push(stat.size);
    }
    const have = sizes.reduce((sum, s) => sum + s, 0);
    if (have !== needed) {
      const culprit = shardAtFault(group.paths as string[], sizes, modelJson.userDefinedMetadata?.wordlens?.shardBytes);
      const what = have < needed ? 'truncated' : 'longer than expected';
      throw new ModelLoadError(
        `weight shard ${path.join(dir, culprit)} is ${what}: the shards hold ${have} bytes, the weights need ${needed}`,
      );
    }
    // Each weight is read straight from the shards into its own array (positional reads in
    // chunks), so a 1.2 GB matrix never exists twice in memory.
    let offset = 0;
    for (const s of specs) {
      const shape = s.shape as number[];
      const n = product(shape);
      // A large matrix lives in shared memory so the projection worker gets it without a copy.
      const values = new Float32Array(n * 4 >= SHARED_FROM_BYTES ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
      await readRange(files, sizes, offset, new Uint8Array(values.buffer));
      offset += n * 4;
      out.push({ name: s.name as string, shape: [...shape], values });
    }
  }
  return out;
}

/** Which shard has the wrong length: by the sizes recorded at save time, else the last one. */
function shardAtFault(paths: string[], sizes: number[], recorded: number[] | undefined): string {
  if (recorded && recorded.length === sizes.length) {
    const i = sizes.findIndex((s, k) => s !== recorded[k]);
    if (i >= 0) return paths[i];
  }
  return paths[paths.length - 1] ?? '(none)';
}

const READ_CHUNK = 64 * 1024 * 1024;
/** Weights from this size on are read into a SharedArrayBuffer (workerData shares, not copies, it). */
export const SHARED_FROM_BYTES = 64 * 1024 * 1024;

/** Reads `target.length` bytes starting at `offset` of the shard files' concatenation. */
async function readRange(files: string[], sizes: number[], offset: number, target: Uint8Array): Promise<void> {
  let written = 0;
  let start = 0;
  for (let f = 0; f < files.length && written < target.length; f++) {
    const end = start + sizes[f];
    if (end > offset + written) {
      const from = offset + written - start;
      const take = Math.min(sizes[f] - from, target.length - written);
      const fh = await fsp.open(files[f], 'r').catch((err: NodeJS.ErrnoException) => {
        throw new ModelLoadError(`cannot read weight shard ${files[f]}: ${oneLine(err)}`);
      });
      try {
        for (let done = 0; done < take; ) {
          const { bytesRead } = await fh.read(target, written + done, Math.min(READ_CHUNK, take - done), from + done);
          if (bytesRead === 0) throw new ModelLoadError(`weight shard ${files[f]} shrank while it was read`);
          done += bytesRead;
        }
      } finally {
        await fh.close();
      }
      written += take;
    }
    start = end;
  }
}

/** Weights concatenated in order and cut into shards named the TF.js way. */
function packShards(weights: NamedWeight[], shardBytes: number): { name: string; bytes: Uint8Array }[] {
  const total = weights.reduce((sum, w) => sum + w.values.byteLength, 0);
  const count = Math.max(1, Math.ceil(total / shardBytes));
  const buffers = Array.from({ length: count }, (_, i) => new Uint8Array(Math.min(shardBytes, total - i * shardBytes)));
  let offset = 0;
  for (const w of weights) {
    let bytes = new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength);
    while (bytes.byteLength > 0) {
      const shard = Math.floor(offset / shardBytes);
      const at = offset - shard * shardBytes;
      const take = Math.min(bytes.byteLength, shardBytes - at);
      buffers[shard].set(bytes.subarray(0, take), at);
      bytes = bytes.subarray(take);
      offset += take;
    }
  }
  return buffers.map((bytes, i) => ({ name: `group1-shard${i + 1}of${count}.bin`, bytes }));
}

function transpose(w: NamedWeight, name: string): NamedWeight {
  const [rows, cols] = w.shape;
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[c * rows + r] = w.values[r * cols + c];
  return { name, shape: [cols, rows], values };
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelLoadError(code === 'ENOENT' ? `${file} is missing` : `cannot read ${file}: ${oneLine(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError(`${file} is not valid JSON (${oneLine(err)})`);
  }
}

function sameShape(a: number[], b: number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((d, i) => d === b[i]);
}

function product(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function oneLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
