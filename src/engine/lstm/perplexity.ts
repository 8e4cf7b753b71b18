// Exact full-softmax perplexity of an LSTM over a token sequence, the state carried down
// each of `batch` contiguous columns as the anchor's evaluate(); training validates with it.
import * as tf from '@tensorflow/tfjs';
import { batchify, checkIds, replaceState } from './batches';
import type { LstmModel, TensorState } from './lstm';
import { MAX_LOGITS_PER_SLICE } from './evaluate';
import { stopRequested } from '../stop';

/** Sum of target -log p over one chunk; disposes nothing it was given. */
function chunkLoss(model: LstmModel, x: Int32Array, y: Int32Array, steps: number, batch: number, state: TensorState) {
  return tf.tidy(() => {
    const out = model.forward(x, steps, batch, state);
    const logits = model.outputLogits(out.hidden);
    const v = logits.shape[1];
    const idx = new Int32Array(y.length);
    for (let i = 0; i < y.length; i++) idx[i] = i * v + y[i];
    const target = tf.gather(logits.reshape([-1]), tf.tensor1d(idx, 'int32'));
    const nll = tf.sum(tf.sub(tf.logSumExp(logits, 1), target));
    for (const t of [...out.state.h, ...out.state.c]) tf.keep(t);
    return { nll, state: out.state };
  });
}

/** Yields (to let messages and abort signals through) between chunks of work. */
export const yieldToEvents = () => new Promise<void>((r) => setImmediate(r));

/**
 * Exact perplexity (full softmax) of `ids`, the state carried through each of `batch`
 * contiguous columns as the anchor's evaluate() (batch 10). Returns null when aborted. A
 * large vocabulary gets fewer time steps per slice (MAX_LOGITS_PER_SLICE; the state is
 * carried, the result is the same), so a stop is seen within milliseconds at any V.
 */
export async function perplexityAsync(model: LstmModel, ids: Int32Array, batch = 10, bptt = 35, signal?: AbortSignal) {
  if (ids.length < 2) throw new Error(`Perplexity needs at least 2 tokens, got ${ids.length}`);
  checkIds(ids, model.vocabSize, 'Evaluation');
  const b = Math.max(1, Math.min(batch, Math.floor(ids.length / 2)));
  const { data, rows } = batchify(ids, b);
  const slice = Math.max(1, Math.min(bptt, Math.floor(MAX_LOGITS_PER_SLICE / (b * model.vocabSize))));
  let state = model.zeroState(b);
  let total = 0;
  let count = 0;
  try {
    for (let i = 0; i < rows - 1; i += slice) {
      if (stopRequested(signal)) return null;
      const n = Math.min(slice, rows - 1 - i);
      const x = data.subarray(i * b, (i + n) * b);
      const y = data.subarray((i + 1) * b, (i + 1 + n) * b);
      const r = chunkLoss(model, x, y, n, b, state);
      state = replaceState(state, r.state);
      total += (await r.nll.data())[0];
      r.nll.dispose();
      count += y.length;
      if (signal) await yieldToEvents();
    }
  } finally {
    replaceState(state, { h: [], c: [] });
  }
  return { ppl: Math.exp(total / count), tokens: count };
}

/** Exact full-softmax perplexity of `ids`, state carried through (as the anchor's evaluate()); AbortError when `signal` stops it. */
export async function evaluatePerplexity(model: LstmModel, ids: Int32Array, opts: { batch?: number; bptt?: number; signal?: AbortSignal } = {}) {
  const r = await perplexityAsync(model, ids, opts.batch, opts.bptt, opts.signal);
  if (!r) opts.signal!.throwIfAborted();
  return r!;
}
