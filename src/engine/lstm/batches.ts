// Token ids laid out for batched truncated backprop-through-time (side-by-side columns, as
// PyTorch's word_language_model), their vocabulary check, and the recurrent state carried
// from one chunk of a column to the next. Shared by training and perplexity.
import type { TensorState } from './lstm';

/** Lays ids out as `batch` contiguous columns, time-major: out[t * batch + b] = ids[b * rows + t]. */
export function batchify(ids: Int32Array, batch: number): { data: Int32Array; rows: number } {
  const rows = Math.floor(ids.length / batch);
  const data = new Int32Array(rows * batch);
  for (let b = 0; b < batch; b++) for (let t = 0; t < rows; t++) data[t * batch + b] = ids[b * rows + t];
  return { data, rows };
}

export function checkIds(ids: Int32Array, vocabSize: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= vocabSize) throw new Error(`${what} id ${ids[i]} at position ${i} is outside the vocabulary (0..${vocabSize - 1})`);
  }
}

/** Disposes `old`'s tensors and returns `next`: the state a chunk ended in starts the next one. */
export function replaceState(old: TensorState, next: TensorState): TensorState {
  for (const t of [...old.h, ...old.c]) t.dispose();
  return next;
}
