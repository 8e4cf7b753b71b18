// lstmTokenScores on the fused WebAssembly kernels (fusedTrainer.ts's evaluation, 2 threads):
// the same streams, contexts and scored tokens as the TF.js path in evaluate.ts, at the fused
// GEMM's speed. The weights are copied once into the kernels' memory per call.
import * as os from 'node:os';
import { FusedLstmTrainer } from './fusedTrainer';
import type { LstmModel } from './lstm';
import type { LstmScoreOptions, TokenScores } from './evaluate';

/**
 * Scores as lstmTokenScores; null when the model's copy does not fit the kernels' memory
 * (the caller then scores on TF.js).
 */
export async function fusedTokenScores(model: LstmModel, ids: Int32Array, opts: LstmScoreOptions & { threads?: number } = {}): Promise<Omit<TokenScores, 'kernels'> | null> {
  const B = Math.max(1, Math.min(opts.batch ?? 10, Math.floor(ids.length / 2)));
  const threads = Math.max(1, Math.min(opts.threads ?? Math.min(2, os.availableParallelism()), B));
  let trainer: FusedLstmTrainer;
  try {
    // Training buffers at their smallest (one step of one stream per thread, full softmax).
    trainer = new FusedLstmTrainer({ ...model.hyper, dropout: 0 }, model.weights(), {
      batch: threads, bptt: 1, sampler: null, threads, evalBatch: B, evalSteps: 64, // fewer at a large V (the trainer bounds a block's work)
    });
  } catch (error) {
    if (error instanceof RangeError) return null; // WebAssembly.Memory could not grow
    throw error;
  }
  try {
    return await trainer.tokenScores(ids, { signal: opts.signal, onProgress: opts.onProgress });
  } finally {
    trainer.dispose();
  }
}
