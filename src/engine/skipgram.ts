// Skip-gram with negative sampling (word2vec / gensim `sg=1`): maximises the seed's
// objective sum log p(c|w;E), approximated by log σ(u_w·e_c) + Σ_k log σ(-u_k·e_c).
// Word2vec-style SGD on Float32Arrays, inner products and updates in WebAssembly SIMD
// kernels (plain-JS fallback): each pair touches only 1 + negative rows, so this sparse
// update beats batched TF.js ops by far (measured in bench/skipgram.ts).
import type { NamedWeight } from './types';
import type { Vocab } from './vocab';
import { createSgnsKernels, type SgnsKernels } from './sgnsKernels';

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
  seconds: number;
  /** Mean loss per pair over the last reporting interval. */
  loss: number;
  cancelled: boolean;
  /** Which inner loop ran: WebAssembly SIMD kernels or the plain-JS fallback. */
  implementation: 'wasm-simd' | 'js';
}

const EXP_TABLE_SIZE = 1000;
const MAX_EXP = 6;

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
  const kernels = dim % 4 === 0 && !opts.plainJs ? createSgnsKernels(2 * matrixBytes + dim * 4) : undefined;
  const syn0 = kernels ? new Float32Array(kernels.memory.buffer, 0, vocabSize * dim) : new Float32Array(vocabSize * dim);
  const syn1 = kernels ? new Float32Array(kernels.memory.buffer, matrixBytes, vocabSize * dim) : new Float32Array(vocabSize * dim);
  const neu1e = kernels ? new Float32Array(kernels.memory.buffer, 2 * matrixBytes, dim) : new Float32Array(dim);
  const trained = new Uint8Array(vocabSize);
  let retained = 0;
  for (let w = 0; w < vocabSize; w++) if (counts[w] >= minCount && counts[w] > 0) trained[w] = 1;
  for (const w of Array.from(opts.exclude ?? [])) if (w >= 0 && w < vocabSize) trained[w] = 0;
  for (let w = 0; w < vocabSize; w++) if (trained[w]) retained += counts[w];
  for (let w = 0; w < vocabSize; w++) {
    if (!trained[w]) continue;
    for (let d = 0; d < dim; d++) {
      rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
      syn0[w * dim + d] = ((rng >>> 0) / 4294967296 - 0.5) / dim;
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

  const model: SentenceTrainer = {
    syn0, syn1, dim, negative, window, trained, keep, table, sigmoid, logSigmoid,
    sentence: new Int32Array(maxLen), neu1e, lossSum: 0, lossPairs: 0,
  };
  const train = kernels ? trainSentenceSimd.bind(undefined, kernels) : trainSentence;
  const start = performance.now();
  const plannedWords = epochs * ids.length;
  let words = 0, alpha = alpha0, fraction = 0;
  let lastLoss = NaN;
  let lastReport = start, lastYield = start, cancelled = false, epoch = 0;
  let wordsAtAlpha = 0;

  const timeFraction = (now: number) => (now - start) / 1000 / budgetSeconds;
  const report = (now: number) => {
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
    embeddings: kernels ? syn0.slice() : syn0, dim, vocabSize, implementation: kernels ? 'wasm-simd' : 'js',
    epochs: words / Math.max(1, ids.length), words,
    seconds: (now - start) / 1000, loss: lastLoss, cancelled,
  };
}

interface SentenceTrainer {
  syn0: Float32Array; syn1: Float32Array; dim: number; negative: number; window: number;
  trained: Uint8Array; keep: Float64Array; table: Int32Array;
  sigmoid: Float64Array; logSigmoid: Float64Array;
  sentence: Int32Array; neu1e: Float32Array; lossSum: number; lossPairs: number;
}

const SCALE = EXP_TABLE_SIZE / MAX_EXP / 2;

/**
 * One sentence of SGD: subsample, then for each centre word and each context word in its
 * random window, update the context's input vector and the output vectors of the centre
 * word and `negative` sampled words. Synchronous with everything in locals: the hot loop.
 * Returns the advanced xorshift32 state.
 */
function trainSentence(m: SentenceTrainer, ids: Int32Array, from: number, to: number, alpha: number, rng: number): number {
  const { syn0, syn1, dim, negative, window, trained, keep, table, sigmoid, logSigmoid, sentence, neu1e } = m;
  const tableSize = table.length;
  const dim4 = dim - (dim % 4);
  let lossSum = 0, lossPairs = 0;
  let len = 0;
  for (let i = from; i < to; i++) {
    const w = ids[i];
    if (!trained[w]) continue;
    rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
    if (keep[w] < (rng >>> 0)) continue;
    sentence[len++] = w;
  }
  for (let pos = 0; pos < len; pos++) {
    const word = sentence[pos];
    rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
    const reduced = (rng >>> 0) % window;
    const lo = Math.max(0, pos - window + reduced), hi = Math.min(len, pos + window + 1 - reduced);
    for (let c = lo; c < hi; c++) {
      if (c === pos) continue;
      const l1 = sentence[c] * dim;
      neu1e.fill(0);
      for (let d = 0; d <= negative; d++) {
        let target: number, label: number;
        if (d === 0) { target = word; label = 1; } else {
          rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
          target = table[(rng >>> 0) % tableSize];
          if (target === word) continue;
          label = 0;
        }
        const l2 = target * dim;
        // Four accumulators: V8 does not vectorise, and this halves the dependency chain.
        let f0 = 0, f1 = 0, f2 = 0, f3 = 0, k = 0;
        for (; k < dim4; k += 4) {
          f0 += syn0[l1 + k] * syn1[l2 + k]; f1 += syn0[l1 + k + 1] * syn1[l2 + k + 1];
          f2 += syn0[l1 + k + 2] * syn1[l2 + k + 2]; f3 += syn0[l1 + k + 3] * syn1[l2 + k + 3];
        }
        for (; k < dim; k++) f0 += syn0[l1 + k] * syn1[l2 + k];
        const f = f0 + f1 + f2 + f3;
        // Loss is -log σ(f) for the positive, -log σ(-f) for a negative.
        const z = label ? f : -f;
        if (z <= -MAX_EXP) lossSum -= z; else if (z < MAX_EXP) lossSum -= logSigmoid[((z + MAX_EXP) * SCALE) | 0];
        let g: number;
        if (f >= MAX_EXP) g = (label - 1) * alpha;
        else if (f <= -MAX_EXP) g = label * alpha;
        else g = (label - sigmoid[((f + MAX_EXP) * SCALE) | 0]) * alpha;
        for (k = 0; k < dim4; k += 4) {
          const u0 = syn1[l2 + k], u1 = syn1[l2 + k + 1], u2 = syn1[l2 + k + 2], u3 = syn1[l2 + k + 3];
          neu1e[k] += g * u0; neu1e[k + 1] += g * u1; neu1e[k + 2] += g * u2; neu1e[k + 3] += g * u3;
          syn1[l2 + k] = u0 + g * syn0[l1 + k]; syn1[l2 + k + 1] = u1 + g * syn0[l1 + k + 1];
          syn1[l2 + k + 2] = u2 + g * syn0[l1 + k + 2]; syn1[l2 + k + 3] = u3 + g * syn0[l1 + k + 3];
        }
        for (; k < dim; k++) {
          const u = syn1[l2 + k];
          neu1e[k] += g * u;
          syn1[l2 + k] = u + g * syn0[l1 + k];
        }
      }
      lossPairs++;
      for (let k = 0; k < dim; k++) syn0[l1 + k] += neu1e[k];
    }
  }
  m.lossSum += lossSum; m.lossPairs += lossPairs;
  return rng;
}

/** trainSentence with the dot products and updates in the SIMD kernels (same maths, same rng). */
function trainSentenceSimd(kern: SgnsKernels, m: SentenceTrainer, ids: Int32Array, from: number, to: number, alpha: number, rng: number): number {
  const { dim, negative, window, trained, keep, table, sigmoid, logSigmoid, sentence, neu1e } = m;
  const { dot, update, add } = kern;
  const tableSize = table.length;
  const rowBytes = dim * 4, syn1Base = m.syn1.byteOffset, neuBase = neu1e.byteOffset;
  let lossSum = 0, lossPairs = 0;
  let len = 0;
  for (let i = from; i < to; i++) {
    const w = ids[i];
    if (!trained[w]) continue;
    rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
    if (keep[w] < (rng >>> 0)) continue;
    sentence[len++] = w;
  }
  for (let pos = 0; pos < len; pos++) {
    const word = sentence[pos];
    rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
    const reduced = (rng >>> 0) % window;
    const lo = Math.max(0, pos - window + reduced), hi = Math.min(len, pos + window + 1 - reduced);
    for (let c = lo; c < hi; c++) {
      if (c === pos) continue;
      const l1 = sentence[c] * rowBytes;
      neu1e.fill(0);
      for (let d = 0; d <= negative; d++) {
        let target: number, label: number;
        if (d === 0) { target = word; label = 1; } else {
          rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
          target = table[(rng >>> 0) % tableSize];
          if (target === word) continue;
          label = 0;
        }
        const l2 = syn1Base + target * rowBytes;
        const f = dot(l1, l2, dim);
        const z = label ? f : -f;
        if (z <= -MAX_EXP) lossSum -= z; else if (z < MAX_EXP) lossSum -= logSigmoid[((z + MAX_EXP) * SCALE) | 0];
        let g: number;
        if (f >= MAX_EXP) g = (label - 1) * alpha;
        else if (f <= -MAX_EXP) g = label * alpha;
        else g = (label - sigmoid[((f + MAX_EXP) * SCALE) | 0]) * alpha;
        update(l1, l2, neuBase, g, dim);
      }
      lossPairs++;
      add(l1, neuBase, dim);
    }
  }
  m.lossSum += lossSum; m.lossPairs += lossPairs;
  return rng;
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

function sigmoidTables(): { sigmoid: Float64Array; logSigmoid: Float64Array } {
  const sigmoid = new Float64Array(EXP_TABLE_SIZE + 1);
  const logSigmoid = new Float64Array(EXP_TABLE_SIZE + 1);
  for (let i = 0; i <= EXP_TABLE_SIZE; i++) {
    const x = ((i + 0.5) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP;
    sigmoid[i] = 1 / (1 + Math.exp(-x));
    logSigmoid[i] = -Math.log1p(Math.exp(-x));
  }
  return { sigmoid, logSigmoid };
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}
function nonNegativeInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return v;
}
