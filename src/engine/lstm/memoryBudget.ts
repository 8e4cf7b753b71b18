// Up-front check that training fits the backend's memory: wasm32 addresses at most 4 GiB,
// and running out mid-training shows up as "memory access out of bounds", far from its cause.
import type { LstmHyper } from '../types';

/** What the wasm backend can address; we keep a margin for TF.js's own allocations. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
export const WASM_USABLE_BYTES = 3.2 * 1024 ** 3;

export interface TrainingShape {
  batch: number;
  bptt: number;
  /** Sampled-softmax negatives (0 = full softmax in training). */
  samples: number;
  /** Rows scored at once when evaluating with the full softmax (eval batch × bptt). */
  evalRows?: number;
}

/** Parameters of an LSTM language model with these hyper-parameters. */
export function lstmParameters(h: LstmHyper): number {
  let p = h.vocabSize * h.embedDim + h.vocabSize; // embedding + output bias
  if (!h.tied) p += h.hiddenDim * h.vocabSize;
  for (let l = 0; l < h.layers; l++) {
    const input = l === 0 ? h.embedDim : h.hiddenDim;
    p += 4 * h.hiddenDim * (input + h.hiddenDim + 1);
  }
  return p;
}

/**
 * A conservative estimate of peak bytes while training: weights, gradients and two Adam
 * moments (4 copies), the largest logits block (training full softmax or evaluation) with its
 * softmax and gradient (3 copies), and the recurrent activations kept for backprop.
 */
export function estimateTrainingBytes(h: LstmHyper, s: TrainingShape): number {
  const params = lstmParameters(h);
  const rows = s.batch * s.bptt;
  const trainLogitCols = s.samples > 0 && s.samples < h.vocabSize ? s.samples + rows : h.vocabSize;
  const logits = Math.max(rows * trainLogitCols, (s.evalRows ?? 350) * h.vocabSize);
  const activations = rows * h.layers * 10 * h.hiddenDim;
  return 4 * (4 * params + 3 * logits + activations);
}

export function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${Math.round(n / 1024 ** 2)} MB`;
}
