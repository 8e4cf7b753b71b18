// The skip-gram inner loop over one sentence, its row arithmetic in plain JS or in the SIMD
// kernels (worker threads run the SIMD one: skipgramThreads.ts). One loop: the subsampling,
// window, negatives and the loss/gradient of a pair are shared; only RowOps differ.
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
 * The row arithmetic of a pair, addressed by row offsets in the implementation's own units
 * (elements of syn0/syn1 for plain JS, bytes of wasm memory for the SIMD kernels).
 */
export interface RowOps {
  /** Offset of the first row of syn0 and syn1, of neu1e, and the stride of one row. */
  syn0Base: number; syn1Base: number; neuBase: number; rowStride: number;
  dot(x: number, y: number, n: number): number;
  /** e += g·u; u += g·x. */
  update(x: number, u: number, e: number, g: number, n: number): void;
  /** dst += src. */
  add(dst: number, src: number, n: number): void;
}

/** RowOps in plain loops over m's arrays (any dim; four accumulators, as V8 does not vectorise). */
export function jsRowOps(m: SentenceTrainer): RowOps {
  const { syn0, syn1, neu1e } = m;
  return {
    syn0Base: 0, syn1Base: 0, neuBase: 0, rowStride: m.dim,
    dot(x, y, n) {
      const n4 = n - (n % 4);
      let f0 = 0, f1 = 0, f2 = 0, f3 = 0, k = 0;
      for (; k < n4; k += 4) {
        f0 += syn0[x + k] * syn1[y + k]; f1 += syn0[x + k + 1] * syn1[y + k + 1];
        f2 += syn0[x + k + 2] * syn1[y + k + 2]; f3 += syn0[x + k + 3] * syn1[y + k + 3];
      }
      for (; k < n; k++) f0 += syn0[x + k] * syn1[y + k];
      return f0 + f1 + f2 + f3;
    },
    update(x, u, _e, g, n) {
      for (let k = 0; k < n; k++) {
        const v = syn1[u + k];
        neu1e[k] += g * v;
        syn1[u + k] = v + g * syn0[x + k];
      }
    },
    add(dst, _src, n) {
      for (let k = 0; k < n; k++) syn0[dst + k] += neu1e[k];
    },
  };
}

/** RowOps on the SIMD kernels, whose memory holds m's syn0, syn1 and neu1e (dim a multiple of 4). */
export function simdRowOps(kern: SgnsKernels, m: SentenceTrainer): RowOps {
  return {
    syn0Base: m.syn0.byteOffset, syn1Base: m.syn1.byteOffset, neuBase: m.neu1e.byteOffset, rowStride: m.dim * 4,
    dot: kern.dot, update: kern.update, add: kern.add,
  };
}

/**
 * One sentence of SGD: subsample, then for each centre word and each context word in its
 * random window, update the context's input vector and the output vectors of the centre
 * word and `negative` sampled words. Returns the advanced xorshift32 state.
 */
export function trainSentence(ops: RowOps, m: SentenceTrainer, ids: Int32Array, from: number, to: number, alpha: number, rng: number): number {
  const { dim, negative, window, table, sigmoid, logSigmoid, sentence, neu1e } = m;
  const { dot, update, add, rowStride, syn0Base, syn1Base, neuBase } = ops;
  const tableSize = table.length;
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
      const l1 = syn0Base + sentence[c] * rowStride;
      neu1e.fill(0);
      for (let d = 0; d <= negative; d++) {
        let target: number, label: number;
        if (d === 0) { target = word; label = 1; } else {
          rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5;
          target = table[(rng >>> 0) % tableSize];
          if (target === word) continue;
          label = 0;
        }
        const l2 = syn1Base + target * rowStride;
        const f = dot(l1, l2, dim);
        lossSum += pairLoss(label ? f : -f, logSigmoid);
        update(l1, l2, neuBase, pairGradient(f, label, alpha, sigmoid), dim);
      }
      lossPairs++;
      add(l1, neuBase, dim);
    }
  }
  m.lossSum += lossSum; m.lossPairs += lossPairs;
  return rng;
}
