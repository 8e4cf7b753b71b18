// Per-token scores for evaluation and for mixing models: the LSTM's log-probability of each
// token, computed in batched columns exactly as evaluatePerplexity does, and tagged with the
// token's position so an n-gram's score of the same token can be paired with it.
import * as tf from '@tensorflow/tfjs';
import { batchify } from './batches';
import type { LstmModel, TensorState } from './lstm';
import type { LanguageModel } from '../types';
import { tokenLogProbs } from '../decode/interpolate';
import { throwIfStopped } from '../stop';

export interface TokenScores {
  /** Natural-log probability of each scored token. */
  logProbs: Float64Array;
  /** Index in the evaluated ids of the token each score belongs to. */
  positions: Int32Array;
}

/**
 * Logits computed at once: at width 200 a slice is ~0.4 GFLOP, well under 250 ms on the wasm
 * backend. At V = 87k a 35-step slice of 10 streams would be 30M logits, seconds each.
 */
export const MAX_LOGITS_PER_SLICE = 1 << 20;

export interface LstmScoreOptions {
  /** Streams evaluated side by side (the anchor's eval batch: 10). */
  batch?: number;
  bptt?: number;
  signal?: AbortSignal;
  onProgress?: (tokensDone: number, tokens: number) => void;
}

/**
 * The LSTM's log-probability of every token it predicts in `ids`: the ids are cut into
 * `batch` contiguous columns, the state carried down each column, the first token of a
 * column not predicted (as PyTorch's word_language_model evaluates). Full softmax.
 */
export async function lstmTokenScores(model: LstmModel, ids: Int32Array, opts: LstmScoreOptions = {}): Promise<TokenScores> {
  if (ids.length < 2) throw new Error(`Evaluation needs at least 2 tokens, got ${ids.length}`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= model.vocabSize) throw new Error(`Token id ${ids[i]} at position ${i} is outside the vocabulary`);
  }
  const B = Math.max(1, Math.min(opts.batch ?? 10, Math.floor(ids.length / 2)));
  // Fewer time steps per slice when the vocabulary is large, so a stop is seen between slices
  // within milliseconds (the state is carried across slices: the scores do not change).
  const bptt = Math.max(1, Math.min(opts.bptt ?? 35, Math.floor(MAX_LOGITS_PER_SLICE / (B * model.vocabSize))));
  const { data, rows } = batchify(ids, B);
  const total = (rows - 1) * B;
  const logProbs = new Float64Array(total);
  const positions = new Int32Array(total);
  let state: TensorState = model.zeroState(B);
  let done = 0;
  try {
    for (let i = 0; i < rows - 1; i += bptt) {
      throwIfStopped(opts.signal);
      const n = Math.min(bptt, rows - 1 - i);
      const x = data.subarray(i * B, (i + n) * B);
      const y = data.subarray((i + 1) * B, (i + 1 + n) * B);
      const { scores, next } = tf.tidy(() => {
        const out = model.forward(x, n, B, state);
        const logits = model.outputLogits(out.hidden);
        const V = logits.shape[1];
        const flat = new Int32Array(y.length);
        for (let k = 0; k < y.length; k++) flat[k] = k * V + y[k];
        const target = tf.gather(logits.reshape([-1]), tf.tensor1d(flat, 'int32'));
        const s = tf.sub(target, tf.logSumExp(logits, 1));
        for (const t of [...out.state.h, ...out.state.c]) tf.keep(t);
        return { scores: s, next: out.state };
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
  }
  return { logProbs, positions };
}

/** Scores of a token-by-token model (e.g. the n-gram, read from the start) at the given positions. */
export function scoresAt(model: LanguageModel<unknown>, ids: Int32Array, positions: Int32Array, signal?: AbortSignal): Float64Array {
  const all = tokenLogProbs(model, ids, signal);
  return Float64Array.from(positions, (p) => all[p]);
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
