// Fitting the cache mixture's weights on held-out text, by EM per bucket. The held-out files
// are read as a user meets them: each from its first token, its document cache holding its
// own preceding tokens and the recent cache the files read before it. Each token gives the
// three components' probabilities and its bucket; EM maximises the mixture's likelihood.
import { CacheNgram } from '../ngram/cacheNgram';
import { CacheMixture, type CacheWeights } from './cacheMixture';
import { tokenLogProbs } from './interpolate';
import type { LanguageModel } from '../types';

/** Per held-out token: its bucket and the probability each component gave it ([model, document, recent]). */
export interface CacheSamples {
  bucket: Int32Array;
  p: readonly [Float64Array, Float64Array, Float64Array];
}

export interface CacheStreamOptions {
  /** Order of the caches (default 4). */
  order?: number;
  /** Tokens of recently seen files the recent cache keeps (default 50,000). */
  recentTokens?: number;
}

/** Reads the held-out files (token strings) in order and records every token's component probabilities. */
export function collectCacheSamples<S>(
  model: LanguageModel<S>,
  vocab: { id(word: string): number; readonly unkId: number },
  files: readonly (readonly string[])[],
  opts: CacheStreamOptions = {},
): CacheSamples {
  const order = opts.order ?? 4;
  const n = files.reduce((s, f) => s + f.length, 0);
  const bucket = new Int32Array(n);
  const p = [new Float64Array(n), new Float64Array(n), new Float64Array(n)] as const;
  const mix = CacheMixture.create(new Array(CacheMixture.buckets(order)).fill([1, 0, 0]), order);
  let t = 0;
  for (const tokens of files) {
    const ids = tokens.map((s) => {
      const id = vocab.id(s);
      return id >= 0 ? id : vocab.unkId;
    });
    const lp = tokenLogProbs(model, ids);
    mix.document.clear();
    for (let i = 0; i < tokens.length; i++, t++) {
      const history = tokens.slice(Math.max(0, i - order + 1), i);
      bucket[t] = mix.bucket(history);
      p[0][t] = Math.exp(lp[i]);
      p[1][t] = mix.document.prob(history, tokens[i]);
      p[2][t] = mix.recent.prob(history, tokens[i]);
      mix.document.push(tokens[i]);
    }
    mix.recent.addSegment(tokens, opts.recentTokens ?? 50_000);
  }
  return { bucket, p };
}

/** EM over the tokens `which` selects, from equal weights, until the weights move less than 1e-6. */
function emWeights(samples: CacheSamples, which: (t: number) => boolean, start: readonly number[]): [number, number, number] {
  let w = [...start];
  for (let iter = 0; iter < 500; iter++) {
    const acc = [0, 0, 0];
    let n = 0;
    for (let t = 0; t < samples.bucket.length; t++) {
      if (!which(t)) continue;
      const parts = [w[0] * samples.p[0][t], w[1] * samples.p[1][t], w[2] * samples.p[2][t]];
      const z = parts[0] + parts[1] + parts[2];
      if (!(z > 0)) continue;
      for (let k = 0; k < 3; k++) acc[k] += parts[k] / z;
      n++;
    }
    if (n === 0) break;
    const next = acc.map((a) => a / n);
    const moved = Math.max(...next.map((x, k) => Math.abs(x - w[k])));
    w = next;
    if (moved < 1e-6) break;
  }
  return [w[0], w[1], w[2]];
}

/**
 * Weights per bucket maximising the held-out likelihood. A bucket with fewer than
 * `minSamples` tokens takes the weights fitted over all tokens.
 */
export function fitCacheWeights(samples: CacheSamples, buckets: number, minSamples = 50): CacheWeights {
  const global = emWeights(samples, () => true, [1 / 3, 1 / 3, 1 / 3]);
  const out: [number, number, number][] = [];
  for (let b = 0; b < buckets; b++) {
    let n = 0;
    for (let t = 0; t < samples.bucket.length; t++) if (samples.bucket[t] === b) n++;
    out.push(n < minSamples ? global : emWeights(samples, (t) => samples.bucket[t] === b, [1 / 3, 1 / 3, 1 / 3]));
  }
  return out;
}

/** Perplexity of the mixture with these weights over the samples. */
export function mixturePerplexity(samples: CacheSamples, weights: CacheWeights): number {
  let ll = 0;
  for (let t = 0; t < samples.bucket.length; t++) {
    const w = weights[samples.bucket[t]];
    ll += Math.log(w[0] * samples.p[0][t] + w[1] * samples.p[1][t] + w[2] * samples.p[2][t]);
  }
  return Math.exp(-ll / samples.bucket.length);
}

/** Perplexity of one component alone (Infinity when it gives some token no probability, as a cache does). */
export function componentPerplexity(samples: CacheSamples, k: 0 | 1 | 2): number {
  let ll = 0;
  for (let t = 0; t < samples.bucket.length; t++) ll += Math.log(samples.p[k][t]);
  return Math.exp(-ll / samples.bucket.length);
}
