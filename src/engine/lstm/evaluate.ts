// Per-token scores for evaluation and for mixing models: the LSTM's log-probability of each
// token, computed in batched columns exactly as evaluatePerplexity does, and tagged with the
// token's position so an n-gram's score of the same token can be paired with it.
import * as tf from '@tensorflow/tfjs';
import { batchify } from './batches';
import type { LstmModel, TensorState } from './lstm';
import type { LanguageModel } from '../types';
import { tokenLogProbs } from '../decode/interpolate';
import { throwIfStopped } from '../stop';
import { fusedTokenScores } from './fusedScores';

export interface TokenScores {
  /** Natural-log probability of each scored token. */
  logProbs: Float64Array;
  /** Index in the evaluated ids of the token each score belongs to. */
  positions: Int32Array;
  /** Which implementation scored them (see LstmScoreOptions.kernels). */
  kernels: ScoreKernels;
}

/** 'fused': our WebAssembly kernels on 2 threads (fusedScores.ts); 'tfjs': TF.js ops on its backend. */
export type ScoreKernels = 'fused' | 'tfjs';

/**
 * Logits computed at once: at width 200 a slice is ~0.4 GFLOP, well under 250 ms on the wasm
 * backend. At V = 87k a 35-step slice of 10 streams would be 30M logits, seconds each.
 */
export const MAX_LOGITS_PER_SLICE = 1 << 20;

export interface LstmScoreOptions {
  /** Streams evaluated side by side (the anchor's eval batch: 10). */
  batch?: number;
  /** Rows (time steps × streams) whose softmax is computed in one block (default 1024). */
  blockRows?: number;
  /** Vocabulary columns per logits slice of a block, bounding memory to blockRows × this (default 4096). */
  vocabChunk?: number;
  signal?: AbortSignal;
  onProgress?: (tokensDone: number, tokens: number) => void;
  /** Default: TF.js on native TensorFlow (its own fast kernels), the fused kernels otherwise. */
  kernels?: ScoreKernels;
}

/**
 * The LSTM's log-probability of every token it predicts in `ids`: the ids are cut into
 * `batch` contiguous columns, the state carried down each column, the first token of a
 * column not predicted (as PyTorch's word_language_model evaluates). Full softmax, exact:
 * the recurrence runs as many steps as fill a block of `blockRows` rows, then the block's
 * normalisers come from large matMuls over slices of the vocabulary (log-sum-exp per slice,
 * combined), and each target's logit from its own output row. The scores do not depend on
 * the block or slice sizes, only on `batch` (which fixes the contexts). Without native
 * TensorFlow the fused kernels compute the same scores (fusedScores.ts; `kernels` chooses).
 */
export async function lstmTokenScores(model: LstmModel, ids: Int32Array, opts: LstmScoreOptions = {}): Promise<TokenScores> {
  if (ids.length < 2) throw new Error(`Evaluation needs at least 2 tokens, got ${ids.length}`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= model.vocabSize) throw new Error(`Token id ${ids[i]} at position ${i} is outside the vocabulary`);
  }
  if ((opts.kernels ?? (tf.getBackend() === 'tensorflow' ? 'tfjs' : 'fused')) === 'fused') {
    // null: the model's copy did not fit the kernels' memory; TF.js scores it instead.
    const fused = await fusedTokenScores(model, ids, opts);
    if (fused) return { ...fused, kernels: 'fused' };
  }
  const B = Math.max(1, Math.min(opts.batch ?? 10, Math.floor(ids.length / 2)));
  // Blocks of blockRows rows, fewer when the vocabulary is large so a stop is seen between
  // blocks within milliseconds (the state is carried across blocks: the scores do not change).
  const steps = Math.max(1, Math.min(Math.floor((opts.blockRows ?? 1024) / B), Math.floor(MAX_LOGITS_PER_SLICE / (B * model.vocabSize))));
  const { data, rows } = batchify(ids, B);
  const total = (rows - 1) * B;
  const logProbs = new Float64Array(total);
  const positions = new Int32Array(total);
  const slices = vocabSlices(model, opts.vocabChunk ?? 4096);
  let state: TensorState = model.zeroState(B);
  let done = 0;
  try {
    for (let i = 0; i < rows - 1; i += steps) {
      throwIfStopped(opts.signal);
      const n = Math.min(steps, rows - 1 - i);
      const x = data.subarray(i * B, (i + n) * B);
      const y = data.subarray((i + 1) * B, (i + 1 + n) * B);
      const { scores, next } = tf.tidy(() => {
        const out = model.forward(x, n, B, state);
        for (const t of [...out.state.h, ...out.state.c]) tf.keep(t);
        return { scores: blockLogProbs(model, out.hidden, y, slices), next: out.state };
      });
      for (const t of [...state.h, ...state.c]) t.dispose();
      state = next;
      const values = await scores.data();
      scores.dispose();
      for (let k = 0; k < y.length; k++) {
        const t = i + Math.floor(k / B); // time step of the input token
        const b = k % B;
        logProbs[done + k] = values[k];
        positions[done + k] = b * rows + t + 1;
      }
      done += y.length;
      opts.onProgress?.(done, total);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    for (const t of [...state.h, ...state.c]) t.dispose();
    for (const sl of slices) tf.dispose([sl.w, sl.b]);
  }
  return { logProbs, positions, kernels: 'tfjs' };
}

/** The output layer cut into column slices [H, ≤chunk] with their biases, made once per evaluation. */
function vocabSlices(model: LstmModel, chunk: number): { w: tf.Tensor2D; b: tf.Tensor1D }[] {
  const V = model.vocabSize;
  const out: { w: tf.Tensor2D; b: tf.Tensor1D }[] = [];
  for (let v0 = 0; v0 < V; v0 += chunk) {
    const v1 = Math.min(V, v0 + chunk);
    out.push(tf.tidy(() => model.outputColumns(tf.range(v0, v1, 1, 'int32') as tf.Tensor1D)));
  }
  return out;
}

/** log p(target) of each hidden row [N, H]: its target's logit less the log-sum-exp over every slice. */
function blockLogProbs(model: LstmModel, hidden: tf.Tensor2D, targets: Int32Array, slices: { w: tf.Tensor2D; b: tf.Tensor1D }[]): tf.Tensor1D {
  const perSlice = slices.map((sl) => tf.logSumExp(tf.add(tf.matMul(hidden, sl.w), sl.b), 1));
  const norm = perSlice.length === 1 ? perSlice[0] : tf.logSumExp(tf.stack(perSlice, 1), 1);
  const rows = model.outputRows(tf.tensor1d(targets, 'int32'));
  const target = tf.add(tf.sum(tf.mul(hidden, rows.w), 1), rows.b);
  return tf.sub(target, norm) as tf.Tensor1D;
}

/** Scores of a token-by-token model (e.g. the n-gram, read from the start) at the given positions. */
export function scoresAt(model: LanguageModel<unknown>, ids: Int32Array, positions: Int32Array, signal?: AbortSignal): Float64Array {
  const all = tokenLogProbs(model, ids, signal);
  return Float64Array.from(positions, (p) => all[p]);
}

/**
 * scoresAt for a model whose state is its last `context` tokens (an n-gram of order
 * context + 1): each run of consecutive positions is read from `context` tokens before it, not
 * from the text's start — the same scores, for a subsample's cost rather than the whole text's.
 */
export function scoresAtRuns(model: LanguageModel<unknown>, ids: Int32Array, positions: Int32Array, context: number, signal?: AbortSignal): Float64Array {
  const sorted = Int32Array.from(new Set(positions)).sort();
  const score = new Map<number, number>();
  for (let r = 0; r < sorted.length; ) {
    let end = r + 1;
    while (end < sorted.length && sorted[end] === sorted[end - 1] + 1) end++;
    const from = Math.max(0, sorted[r] - context);
    const run = tokenLogProbs(model, ids.subarray(from, sorted[end - 1] + 1), signal);
    for (let k = r; k < end; k++) score.set(sorted[k], run[sorted[k] - from]);
    r = end;
  }
  return Float64Array.from(positions, (p) => score.get(p)!);
}

/** Perplexity of the mixture λ·p_a + (1−λ)·p_b from per-token log-probabilities. */
export function mixturePerplexity(la: ArrayLike<number>, lb: ArrayLike<number>, lambda: number): number {
  if (la.length === 0 || la.length !== lb.length) throw new Error('mixturePerplexity needs the same non-zero number of scores');
  const x = Math.log(lambda);
  const y = Math.log1p(-lambda);
  let sum = 0;
  for (let i = 0; i < la.length; i++) {
    const a = la[i] + x;
    const b = lb[i] + y;
    const m = Math.max(a, b);
    sum += m === -Infinity ? -Infinity : m + Math.log1p(Math.exp(-Math.abs(a - b)));
  }
  return Math.exp(-sum / la.length);
}

/** Perplexity from log-probabilities. */
export function perplexityOf(logProbs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < logProbs.length; i++) sum += logProbs[i];
  return Math.exp(-sum / logProbs.length);
}
