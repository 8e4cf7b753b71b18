// The skip-gram inner loop over one sentence, in plain JS and with the SIMD kernels (worker
// threads run the SIMD one: skipgramWorker.ts). The two share the subsampling and the
// loss/gradient of a pair; the dot products and updates are what differs.
import type { SgnsKernels } from '../kernels/sgnsKernels';

const EXP_TABLE_SIZE = 1000;
const MAX_EXP = 6;

/** σ(x) and log σ(x) at EXP_TABLE_SIZE points over [-MAX_EXP, MAX_EXP], as word2vec. */
export function sigmoidTables(): { sigmoid: Float64Array; logSigmoid: Float64Array } {
  const sigmoid = new Float64Array(EXP_TABLE_SIZE + 1);
  const logSigmoid = new Float64Array(EXP_TABLE_SIZE + 1);
  for (let i = 0; i <= EXP_TABLE_SIZE; i++) {
    const x = ((i + 0.5) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP;
    sigmoid[i] = 1 / (1 + Math.exp(-x));
    logSigmoid[i] = -Math.log1p(Math.exp(-x));
  }
  return { sigmoid, logSigmoid };
}

export interface SentenceTrainer {
  syn0: Float32Array; syn1: Float32Array; dim: number; negative: number; window: number;
  trained: Uint8Array; keep: Float64Array; table: Int32Array;
  sigmoid: Float64Array; logSigmoid: Float64Array;
  sentence: Int32Array; neu1e: Float32Array; lossSum: number; lossPairs: number;
  /** Words of the current sentence kept by subsample(), in `sentence`. */
  length: number;
}

const SCALE = EXP_TABLE_SIZE / (2 * MAX_EXP);

/** The trained words of ids[from, to) that survive frequent-word subsampling, into m.sentence (m.length of them); returns the advanced xorshift32 state. */
function subsample(m: SentenceTrainer, ids: Int32Array, from: number, to: number, rng: number): number {
  const { trained, keep, sentence } = m;
  let len = 0;
  for (let i = from; i < to; i++) {
    const w = ids[i];
    if (!trained[w]) continue;
    rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
    if (keep[w] < (rng >>> 0)) continue;
    sentence[len++] = w;
  }
  m.length = len;
  return rng;
}

/** The pair's loss: -log σ(z), z = f for the positive and -f for a negative (tabled, as word2vec). */
function pairLoss(z: number, logSigmoid: Float64Array): number {
  if (z <= -MAX_EXP) return -z;
  return z < MAX_EXP ? -logSigmoid[((z + MAX_EXP) * SCALE) | 0] : 0;
}

/** The SGD coefficient of a pair: (label - σ(f)) · alpha, with word2vec's clamped table. */
function pairGradient(f: number, label: number, alpha: number, sigmoid: Float64Array): number {
  if (f >= MAX_EXP) return (label - 1) * alpha;
  if (f <= -MAX_EXP) return label * alpha;
  return (label - sigmoid[((f + MAX_EXP) * SCALE) | 0]) * alpha;
}

/**
 * One sentence of SGD: subsample, then for each centre word and each context word in its
 * random window, update the context's input vector and the output vectors of the centre
 * word and `negative` sampled words. Synchronous with everything in locals: the hot loop.
 * Returns the advanced xorshift32 state.
 */
export function trainSentence(m: SentenceTrainer, ids: Int32Array, from: number, to: number, alpha: number, rng: number): number {
  const { syn0, syn1, dim, negative, window, table, sigmoid, logSigmoid, sentence, neu1e } = m;
  const tableSize = table.length;
  const dim4 = dim - (dim % 4);
  let lossSum = 0, lossPairs = 0;
  rng = subsample(m, ids, from, to, rng);
  const len = m.length;
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
        lossSum += pairLoss(label ? f : -f, logSigmoid);
        const g = pairGradient(f, label, alpha, sigmoid);
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
export function trainSentenceSimd(kern: SgnsKernels, m: SentenceTrainer, ids: Int32Array, from: number, to: number, alpha: number, rng: number): number {
  const { dim, negative, window, table, sigmoid, logSigmoid, sentence, neu1e } = m;
  const { dot, update, add } = kern;
  const tableSize = table.length;
  const rowBytes = dim * 4, syn1Base = m.syn1.byteOffset, neuBase = neu1e.byteOffset;
  let lossSum = 0, lossPairs = 0;
  rng = subsample(m, ids, from, to, rng);
  const len = m.length;
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
        lossSum += pairLoss(label ? f : -f, logSigmoid);
        const g = pairGradient(f, label, alpha, sigmoid);
        update(l1, l2, neuBase, g, dim);
      }
      lossPairs++;
      add(l1, neuBase, dim);
    }
  }
  m.lossSum += lossSum; m.lossPairs += lossPairs;
  return rng;
}
