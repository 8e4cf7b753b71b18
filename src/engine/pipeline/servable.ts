// What a training run hands over before its LSTM is ready: the cache mixture's weights,
// fitted on the held-out part of each file read as a user meets it (document cache = the
// file so far, recent cache = the files before), and the n-gram snapshot the server serves
// while the LSTM trains.
import { collectCacheSamples, fitCacheWeights } from '../decode/cacheFit';
import { CacheMixture } from '../decode/cacheMixture';
import type { NgramModel } from '../ngram/ngram';
import { spreadPick, type Dataset } from '../text/dataset';
import type { CacheSettings, TokenizerKind } from '../types';
import type { NgramSnapshot } from './contract';

/** Order of the document and recent-files caches. */
export const CACHE_ORDER = 4;

/**
 * The open decoder's confidence stop: chosen by grid on held-out files typed from the top in
 * bench/typing-simulation.ts (0.5 → 40.7%, 0.7 → 42.6%, 0.8 → 41.0% of keystrokes saved).
 */
export const CACHE_MIN_TOKEN_PROB = 0.7;

/**
 * The cache weights fitted by EM on the held-out tokens of each file, with the n-gram as the
 * model; on files spread evenly over the stream, ~`maxTokens` held-out tokens in all, when
 * there are more (a time budget: scoring 678k tokens took ~13 s).
 */
export function fitCacheSettings(ngram: NgramModel, dataset: Dataset, maxTokens = Infinity): CacheSettings {
  const all = dataset.files.map((f) => f.valid).filter((t) => t.length > 0);
  const heldOut = spreadPick(all.map((t) => t.length), maxTokens).map((i) => all[i]);
  const samples = collectCacheSamples(ngram, dataset.vocab, heldOut, { order: CACHE_ORDER });
  const weights = fitCacheWeights(samples, CacheMixture.buckets(CACHE_ORDER)).map((w) => [w[0], w[1], w[2]] as [number, number, number]);
  return { order: CACHE_ORDER, weights, minTokenProb: CACHE_MIN_TOKEN_PROB };
}

/** Each file's own training ids (slices of the stream): what the n-gram counted of it. */
export function trainFiles(dataset: Dataset): { path: string; ids: Int32Array }[] {
  const files: { path: string; ids: Int32Array }[] = [];
  let at = 0;
  for (const f of dataset.files) {
    files.push({ path: f.path, ids: dataset.train.subarray(at, at + f.trainTokens) });
    at += f.trainTokens;
  }
  return files;
}

/** The n-gram half of the run, with each file's own training ids (copies: they cross threads). */
export function ngramSnapshot(tokenizer: TokenizerKind, dataset: Dataset, ngram: NgramModel, validPpl: number | null, cache: CacheSettings): NgramSnapshot {
  const files = trainFiles(dataset).map((f) => ({ path: f.path, ids: f.ids.slice() }));
  return { tokenizer, vocab: dataset.vocab.toJSON(), ngram: ngram.serialize(), validPpl, files, cache };
}
