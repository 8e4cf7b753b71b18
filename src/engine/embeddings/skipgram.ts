// Skip-gram with negative sampling (word2vec / gensim `sg=1`): maximises the seed's
// objective sum log p(c|w;E), approximated by log σ(u_w·e_c) + Σ_k log σ(-u_k·e_c).
// Word2vec-style SGD on Float32Arrays, inner products and updates in WebAssembly SIMD
// kernels (plain-JS fallback): each pair touches only 1 + negative rows, so this sparse
// update beats batched TF.js ops by far (measured in bench/skipgram.ts).
import type { NamedWeight } from '../types';
import type { Vocab } from '../text/vocab';
import { createSgnsKernels, createSharedSgnsModule } from '../kernels/sgnsKernels';
import { trainThreaded } from './skipgramThreads';
import { jsRowOps, sigmoidTables, simdRowOps, trainSentence, type SentenceTrainer } from './sgnsSentence';

export interface SkipgramOptions {
  /** Embedding size (default 100). */
  dim?: number;
  /** Maximum context distance; each centre word draws its window from 1..window (default 5). */
  window?: number;
  /** Negative samples per positive pair (default 5). */
  negative?: number;
  /** Frequent-word subsampling threshold, word2vec's `sample` (default 1e-3; 0 disables). */
  sample?: number;
  /** Exponent of the unigram distribution negatives are drawn from (default 0.75). */
  nsExponent?: number;
  /** Learning rate at the start and the end of the linear decay (defaults 0.025, 0.0001). */
  alpha?: number;
  minAlpha?: number;
  /** Passes over the corpus (default 5, or unlimited when only `minutes` is given). */
  epochs?: number;
  /** Wall-clock budget in minutes; training stops and the learning rate reaches minAlpha at it. */
  minutes?: number;
  /** Ids counted fewer times are left out of training (their rows stay zero). Default 1. */
  minCount?: number;
  /** Ids never trained: dropped from sentences before windowing (as gensim drops out-of-vocabulary words); rows stay zero. */
  exclude?: ArrayLike<number>;
  /** Seed for initialisation, windows, subsampling and negatives (default 1). */
  seed?: number;
  /** A sentence ends after each occurrence of this id (the id itself is trained as a word). */
  eosId?: number;
  /** Alternative to eosId: exclusive end offsets of the sentences in `ids`, ascending. */
  sentenceEnds?: Int32Array;
  /** Longer sentences are cut into pieces of this length, as gensim does (default 10000). */
  maxSentenceLength?: number;
  onProgress?: (p: SkipgramProgress) => void;
  /** Seconds between progress reports (default 1). */
  progressSeconds?: number;
  /** Aborting stops training at the next sentence; the embeddings so far are returned. */
  signal?: AbortSignal;
  /**
   * Worker threads updating shared vectors without locks (Hogwild, as word2vec/gensim
   * `workers`). Default 1, which is also the only deterministic setting for a seed.
   */
  threads?: number;
  /** Use the plain-JS inner loop even when WebAssembly SIMD is available (for comparison). */
  plainJs?: boolean;
}

export interface SkipgramProgress {
  /** 1-based epoch being trained. */
  epoch: number;
  /** 0..1 of the budget (epochs or minutes, whichever ends first). */
  fraction: number;
  /** Corpus words (before subsampling) processed per second so far. */
  wordsPerSecond: number;
  /** Mean negative-sampling loss per pair since the previous report. */
  loss?: number;
}

export interface SkipgramResult {
  /** Input embeddings, row-major [vocabSize × dim]. */
  embeddings: Float32Array;
  dim: number;
  vocabSize: number;
  /** Epochs completed, fractional when stopped mid-epoch. */
  epochs: number;
  /** Corpus words processed (all epochs, before subsampling). */
  words: number;
  /** (context, centre) pairs trained, each with `negative` sampled words. */
  pairs: number;
  seconds: number;
  /** Mean loss per pair over the last reporting interval. */
  loss: number;
  cancelled: boolean;
  /** Which inner loop ran: WebAssembly SIMD kernels or the plain-JS fallback. */
  implementation: 'wasm-simd' | 'js';
  /** Threads that trained (more than 1 only with the SIMD kernels). */
  threads: number;
}

/** Trains skip-gram embeddings on a corpus of token ids. `counts[id]` is each id's corpus count. */
export async function trainSkipgram(
  ids: Int32Array, vocabSize: number, counts: ArrayLike<number>, opts: SkipgramOptions = {},
): Promise<SkipgramResult> {
  const dim = positiveInt(opts.dim ?? 100, 'dim');
  const window = positiveInt(opts.window ?? 5, 'window');
  const negative = nonNegativeInt(opts.negative ?? 5, 'negative');
  const sample = opts.sample ?? 1e-3;
  const alpha0 = opts.alpha ?? 0.025;
  const minAlpha = opts.minAlpha ?? 0.0001;
  const minCount = opts.minCount ?? 1;
  const budgetSeconds = opts.minutes !== undefined ? opts.minutes * 60 : Infinity;
  const epochs = opts.epochs ?? (opts.minutes !== undefined ? Infinity : 5);
  const maxLen = positiveInt(opts.maxSentenceLength ?? 10000, 'maxSentenceLength');
  const progressMs = (opts.progressSeconds ?? 1) * 1000;
  if (!(epochs > 0)) throw new Error(`epochs must be positive, got ${opts.epochs}`);
  if (!(budgetSeconds > 0)) throw new Error(`minutes must be positive, got ${opts.minutes}`);
  if (counts.length < vocabSize) throw new Error(`counts has ${counts.length} entries for a vocabulary of ${vocabSize}`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= vocabSize) throw new Error(`token id ${ids[i]} at position ${i} is outside the vocabulary (size ${vocabSize})`);
  }

  let rng = (opts.seed ?? 1) >>> 0 || 0x9e3779b9;
  // Vectors live in the SIMD kernels' memory when dim allows f32x4 steps: [syn0 | syn1 | neu1e].
  const matrixBytes = vocabSize * dim * 4;
  // Several threads share one wasm memory [syn0 | syn1 | neu1e per thread] (Hogwild).
  const threads = positiveInt(opts.threads ?? 1, 'threads');
  const simd = dim % 4 === 0 && !opts.plainJs;
  const shared = simd && threads > 1 ? createSharedSgnsModule(2 * matrixBytes + threads * dim * 4) : undefined;
  const kernels = simd && !shared ? createSgnsKernels(2 * matrixBytes + dim * 4) : undefined;
  const memory = shared?.memory.buffer ?? kernels?.memory.buffer;
  const syn0 = memory ? new Float32Array(memory, 0, vocabSize * dim) : new Float32Array(vocabSize * dim);
  const syn1 = memory ? new Float32Array(memory, matrixBytes, vocabSize * dim) : new Float32Array(vocabSize * dim);
  const neu1e = memory ? new Float32Array(memory, 2 * matrixBytes, dim) : new Float32Array(dim);
  const trained = new Uint8Array(vocabSize);
  let retained = 0;
  for (let w = 0; w < vocabSize; w++) if (counts[w] >= minCount && counts[w] > 0) trained[w] = 1;
  for (const w of Array.from(opts.exclude ?? [])) if (w >= 0 && w < vocabSize) trained[w] = 0;
  for (let w = 0; w < vocabSize; w++) if (trained[w]) retained += counts[w];
  for (let w = 0; w < vocabSize; w++) {
    if (!trained[w]) continue;
    for (let d = 0; d < dim; d++) {
      rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
      syn0[w * dim + d] = ((rng >>> 0) / 2147483648 - 1) / dim; // uniform in [-1/dim, 1/dim), as gensim 4's prep_vectors
    }
  }
  // Keep probability ×2^32 per id (word2vec's formula with gensim's threshold = sample × total).
  const keep = new Float64Array(vocabSize);
  for (let w = 0; w < vocabSize; w++) {
    if (!trained[w]) continue;
    if (sample <= 0) { keep[w] = 4294967296; continue; }
    const t = sample * retained;
    keep[w] = Math.min(1, (Math.sqrt(counts[w] / t) + 1) * (t / counts[w])) * 4294967296;
  }
  const table = unigramTable(counts, trained, opts.nsExponent ?? 0.75);
  if (table.length === 0) throw new Error(`no word occurs at least minCount=${minCount} times`);
  const { sigmoid, logSigmoid } = sigmoidTables();
  const sentences = sentenceBounds(ids, opts, maxLen);

  if (shared) {
    const start = performance.now();
    let lastLoss = NaN;
    const run = await trainThreaded({
      threads, module: shared.module, memory: shared.memory, matrixBytes, vocabSize, dim, negative, window,
      ids, sentences, maxLen, trained, keep, table, sigmoid, logSigmoid, alpha0, minAlpha, epochs, budgetSeconds,
      seed: rng, progressMs, signal: opts.signal,
      onTick: (words, lossSum, lossPairs) => {
        if (lossPairs > 0) lastLoss = lossSum / lossPairs;
        const seconds = (performance.now() - start) / 1000;
        opts.onProgress?.({
          epoch: Math.min(Math.floor(words / ids.length) + 1, epochs),
          fraction: Math.min(1, Math.max(words / (epochs * ids.length), seconds / budgetSeconds)),
          wordsPerSecond: words / Math.max(1e-3, seconds),
          loss: Number.isNaN(lastLoss) ? undefined : lastLoss,
        });
      },
    });
    return {
      embeddings: syn0.slice(), dim, vocabSize, pairs: run.pairs, epochs: run.words / Math.max(1, ids.length), words: run.words,
      seconds: (performance.now() - start) / 1000, loss: lastLoss, cancelled: run.cancelled,
      implementation: 'wasm-simd', threads,
    };
  }

  const model: SentenceTrainer = {
    syn0, syn1, dim, negative, window, trained, keep, table, sigmoid, logSigmoid,
    sentence: new Int32Array(maxLen), neu1e, lossSum: 0, lossPairs: 0, length: 0,
  };
  const ops = kernels ? simdRowOps(kernels, model) : jsRowOps(model);
  const train = trainSentence.bind(undefined, ops);
  const start = performance.now();
  const plannedWords = epochs * ids.length;
  let words = 0, alpha = alpha0, fraction = 0;
  let lastLoss = NaN, totalPairs = 0;
  let lastReport = start, lastYield = start, cancelled = false, epoch = 0;
  let wordsAtAlpha = 0;

  const timeFraction = (now: number) => (now - start) / 1000 / budgetSeconds;
  const report = (now: number) => {
    totalPairs += model.lossPairs;
    if (model.lossPairs > 0) lastLoss = model.lossSum / model.lossPairs;
    model.lossSum = 0; model.lossPairs = 0;
    opts.onProgress?.({
      epoch: Math.min(epoch + 1, epochs), fraction: Math.min(1, fraction),
      wordsPerSecond: words / Math.max(1e-3, (now - start) / 1000),
      loss: Number.isNaN(lastLoss) ? undefined : lastLoss,
    });
  };

  outer:
  for (epoch = 0; epoch < epochs; epoch++) {
    for (let s = 0; s < sentences.length; s += 2) {
      const from = sentences[s], to = sentences[s + 1];
      // Learning rate decays with whichever budget is further spent (as word2vec every 10k words).
      if (words - wordsAtAlpha >= 10000 || s === 0) {
        wordsAtAlpha = words;
        const now = performance.now();
        fraction = Math.max(words / plannedWords, timeFraction(now));
        if (fraction >= 1) break outer;
        alpha = Math.max(minAlpha, alpha0 - (alpha0 - minAlpha) * fraction);
        if (now - lastReport >= progressMs) { report(now); lastReport = now; }
        if (now - lastYield >= 50) {
          await new Promise<void>((r) => setImmediate(r)); // lets an abort (or a worker message) arrive
          lastYield = performance.now();
          if (opts.signal?.aborted) { cancelled = true; break outer; }
        }
      }
      words += to - from;
      rng = train(model, ids, from, to, alpha, rng);
    }
  }
  const now = performance.now();
  fraction = Math.max(words / plannedWords, timeFraction(now));
  report(now);
  return {
    embeddings: kernels ? syn0.slice() : syn0, dim, vocabSize, pairs: totalPairs, implementation: kernels ? 'wasm-simd' : 'js', threads: 1,
    epochs: words / Math.max(1, ids.length), words,
    seconds: (now - start) / 1000, loss: lastLoss, cancelled,
  };
}

/**
 * Trains on ids encoded with `vocab`: counts come from the vocabulary, `<unk>` (the words
 * under its cut-off) is dropped rather than learnt as one frequent word, as gensim drops
 * words under min_count, and sentences end at `<eos>` when the vocabulary has it.
 */
export function trainSkipgramWithVocab(ids: Int32Array, vocab: Pick<Vocab, 'size' | 'count' | 'unkId' | 'eosId'>, opts: SkipgramOptions = {}): Promise<SkipgramResult> {
  const counts = Float64Array.from({ length: vocab.size }, (_, i) => vocab.count(i));
  return trainSkipgram(ids, vocab.size, counts, {
    ...opts,
    exclude: [vocab.unkId, ...Array.from(opts.exclude ?? [])],
    eosId: opts.eosId ?? (opts.sentenceEnds || vocab.eosId < 0 ? undefined : vocab.eosId),
  });
}

/** The embeddings as the store's single weight: a one-layer TF.js Embedding model. */
export function skipgramWeights(result: Pick<SkipgramResult, 'embeddings' | 'dim' | 'vocabSize'>): NamedWeight[] {
  return [{ name: 'embedding/embeddings', shape: [result.vocabSize, result.dim], values: result.embeddings }];
}

/** Sentence [start, end) pairs, flattened, from eosId or sentenceEnds, cut at maxLen. */
function sentenceBounds(ids: Int32Array, opts: SkipgramOptions, maxLen: number): Int32Array {
  const ends: number[] = [];
  if (opts.sentenceEnds) {
    let prev = 0;
    for (const e of opts.sentenceEnds) {
      if (e < prev || e > ids.length) throw new Error(`sentenceEnds must ascend within 0..${ids.length}; got ${e} after ${prev}`);
      ends.push(e); prev = e;
    }
    if (prev < ids.length) ends.push(ids.length);
  } else {
    if (opts.eosId !== undefined) for (let i = 0; i < ids.length; i++) if (ids[i] === opts.eosId) ends.push(i + 1);
    if (ends.length === 0 || ends[ends.length - 1] < ids.length) ends.push(ids.length);
  }
  const out: number[] = [];
  let from = 0;
  for (const end of ends) {
    for (let s = from; s < end; s += maxLen) out.push(s, Math.min(end, s + maxLen));
    from = end;
  }
  return Int32Array.from(out);
}

/** word2vec's table: id w fills a share of slots proportional to count^power. */
function unigramTable(counts: ArrayLike<number>, trained: Uint8Array, power: number): Int32Array {
  let total = 0, n = 0;
  for (let w = 0; w < trained.length; w++) if (trained[w]) { total += Math.pow(counts[w], power); n++; }
  if (n === 0) return new Int32Array(0);
  const size = Math.min(10_000_000, Math.max(100_000, n * 200));
  const table = new Int32Array(size);
  let w = 0, cum = 0, slot = 0;
  for (let t = 0; t < trained.length && slot < size; t++) {
    if (!trained[t]) continue;
    cum += Math.pow(counts[t], power) / total;
    const until = Math.min(size, Math.round(cum * size));
    for (; slot < until; slot++) table[slot] = t;
    w = t;
  }
  for (; slot < size; slot++) table[slot] = w;
  return table;
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}
function nonNegativeInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return v;
}
