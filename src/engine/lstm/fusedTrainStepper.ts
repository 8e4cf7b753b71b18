// The training step on the fused WebAssembly path (fusedTrainer.ts) behind train.ts's
// TrainStepper contract: `trainLstm(data, { stepper: fusedTrainStepper({ bptt, threads }) })`.
// The weights live in the fused trainer's memory while training; syncModel() copies them
// into the LstmModel (the returned model); validation scores the trainer's own weights.
// Adam only: the anchor's plain SGD stays on the TF.js stepper.
import type { LstmModel } from './lstm';
import { FusedLstmTrainer, type RowUpdates } from './fusedTrainer';
import { createTfjsTrainStepper } from './tfjsTrainStepper';
import type { StepperSetup, TrainStepper, TrainStepperFactory } from './trainStepper';
import type { NamedWeight } from '../types';
import { perplexityOf } from './evaluate';
import { isStopError } from '../stop';

export interface FusedStepperOptions {
  /** The longest step the loop will ask for (train.ts's bptt). */
  bptt: number;
  /** Threads sharing each step (default 1). */
  threads?: number;
  /** Seeds the dropout masks (default 1). */
  seed?: number;
  rowUpdates?: RowUpdates;
}

export function fusedTrainStepper(opts: FusedStepperOptions): TrainStepperFactory {
  return (model, setup) => (setup.optimizer === 'adam' ? new FusedTrainStepper(model, setup, opts) : createTfjsTrainStepper(model, setup));
}

class FusedTrainStepper implements TrainStepper {
  private readonly trainer: FusedLstmTrainer;

  constructor(
    private readonly model: LstmModel,
    setup: StepperSetup,
    opts: FusedStepperOptions,
  ) {
    this.trainer = new FusedLstmTrainer({ ...model.hyper, dropout: setup.dropout }, model.weights(), {
      batch: setup.batch,
      bptt: opts.bptt,
      sampler: setup.sampled?.sampler ?? null,
      samples: setup.sampled?.samples,
      clip: setup.clip,
      seed: opts.seed,
      threads: opts.threads,
      rowUpdates: opts.rowUpdates,
      evalBatch: 10, // validation's streams (train.ts): the same scored tokens as on TF.js
    });
  }

  async step(x: Int32Array, y: Int32Array, steps: number, lr: number): Promise<number> {
    if (x.length !== steps * this.trainer.batch) throw new Error(`step: ${x.length} ids for ${steps} steps x ${this.trainer.batch} streams`);
    return this.trainer.step(x, y, lr);
  }

  resetState(): void {
    this.trainer.resetState();
  }

  weights(): NamedWeight[] {
    return this.trainer.weights();
  }

  syncModel(): void {
    this.model.assignWeights(this.trainer.weights());
  }

  async evaluate(ids: Int32Array, signal?: AbortSignal): Promise<{ ppl: number; tokens: number } | null> {
    try {
      const { logProbs } = await this.trainer.tokenScores(ids, { signal });
      return { ppl: perplexityOf(logProbs), tokens: logProbs.length };
    } catch (error) {
      if (isStopError(error)) return null;
      throw error;
    }
  }

  dispose(): void {
    this.trainer.dispose();
  }
}
