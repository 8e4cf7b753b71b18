// wordlens/neighbors and wordlens/analogy over the serving model's embedding matrix.
import { displayToken, tokenOfDisplay } from '../../engine/text/tokenizer';
import type { EmbeddingIndex, Neighbor as EngineNeighbor } from '../../engine/embeddings/neighbors';
import {
  AnalogyRequest,
  NeighborsRequest,
  type AnalogyResult,
  type Metric,
  type Neighbor,
  type NeighborsResult,
} from '../../protocol';
import type { ServerContext } from '../context';
import { intParam, invalidParams, onCheckedRequest, requireModel } from '../requests';
import { embeddingsOf } from '../servingModel';

export function registerNeighbors(ctx: ServerContext): void {
  const { connection, host, log } = ctx;

  onCheckedRequest(connection, log, NeighborsRequest, {
    word: 'string',
    k: 'number?',
    metric: 'string?',
  }, (params): NeighborsResult => {
    const metric = checkMetric(params.metric);
    const model = requireModel(host.model);
    return neighborsOf(embeddingsOf(model), params.word, intParam(params.k, 10, 1, 200), metric);
  });

  onCheckedRequest(connection, log, AnalogyRequest, { a: 'string', b: 'string', c: 'string', k: 'number?' }, (params): AnalogyResult => {
    const model = requireModel(host.model);
    const index = embeddingsOf(model);
    const [a, b, c] = [params.a, params.b, params.c].map((w) => lookup(index, w));
    const unknown = [params.a, params.b, params.c].filter((_, i) => [a, b, c][i] === undefined);
    if (unknown.length > 0) return { unknown, results: [] };
    const k = intParam(params.k, 10, 1, 200);
    return { unknown: [], results: readable(index.analogy(b!, a!, c!, k + 3), 'cosine').slice(0, k) };
  });
}

/** The neighbours of a word as the user wrote it (the code tokenizer stores ` word` too). */
export function neighborsOf(index: EmbeddingIndex, word: string, k: number, metric: Metric): NeighborsResult {
  const token = lookup(index, word);
  if (token === undefined) return { word, known: false, neighbors: [] };
  // Ask for a few extra: ` foo` and `foo` collapse into one entry below.
  const found = index.nearest(token, k + 5, metric);
  const self = displayToken(token);
  return { word, known: true, neighbors: readable(found, metric).filter((n) => n.word !== self).slice(0, k) };
}

/**
 * The vocabulary entry for a word as the user writes it, or as the server shows it (a
 * displayToken label such as `⏎··`, so a listed neighbour can be asked about in turn): as
 * given, with the code tokenizer's leading space, lower-cased, or the token behind the label;
 * the most frequent of these (lowest id).
 */
export function lookup(index: EmbeddingIndex, word: string): string | undefined {
  let best: { token: string; id: number } | undefined;
  for (const token of new Set([word, ' ' + word, word.toLowerCase(), ' ' + word.toLowerCase(), tokenOfDisplay(word)])) {
    const id = index.idOf(token);
    if (id !== undefined && (!best || id < best.id)) best = { token, id };
  }
  return best?.token;
}

/** Display forms, duplicates (` foo` / `foo`) merged, scores so that higher is nearer. */
function readable(found: EngineNeighbor[], metric: Metric): Neighbor[] {
  const seen = new Set<string>();
  const out: Neighbor[] = [];
  for (const n of found) {
    const word = displayToken(n.word);
    if (seen.has(word)) continue;
    seen.add(word);
    out.push({ word, score: metric === 'euclidean' ? -n.score : n.score });
  }
  return out;
}

function checkMetric(metric: string | undefined): Metric {
  if (metric === undefined) return 'cosine';
  if (metric === 'cosine' || metric === 'euclidean') return metric;
  throw invalidParams(NeighborsRequest.method, `"metric" must be "cosine" or "euclidean" (got "${metric}")`);
}
