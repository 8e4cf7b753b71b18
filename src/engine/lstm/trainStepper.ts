// The contract between the training loop (train.ts) and one training step, so the loop can
// run another implementation of the step (the TF.js one is tfjsTrainStepper.ts).
import type { LstmModel } from './lstm';
import type { OptimizerKind } from './optimizer';
import type { UnigramSampler } from './sampledSoftmax';
import type { NamedWeight } from '../types';

export interface StepperSetup {
  /** Columns trained side by side. */
  batch: number;
  dropout: number;
  /** Global gradient-norm clip. */
  clip: number;
  optimizer: OptimizerKind;
  /** Sampled softmax: `samples` negatives per step drawn from `sampler`; null trains with the full softmax. */
  sampled: { sampler: UnigramSampler; samples: number } | null;
}

/** Trains one model's weights, one truncated-BPTT step at a time; owns its state and optimizer. */
export interface TrainStepper {
  /**
   * One step: forward over `steps` time-major rows of inputs `x` (targets `y`, each
   * steps × batch ids) from the state the previous step ended in, loss, backward, clip,
   * update with learning rate `lr`. Resolves to the step's mean loss.
   */
  step(x: Int32Array, y: Int32Array, steps: number, lr: number): Promise<number>;
  /** The next step starts from a zero state (a new pass over the columns). */
  resetState(): void;
  /** A copy of the weights as trained so far. */
  weights(): NamedWeight[];
  /** Makes the model given to the factory hold the trained weights (before it is validated or returned). */
  syncModel(): void;
  /**
   * Optional: exact full-softmax perplexity of `ids` in 10 streams (perplexity.ts's layout and
   * scored tokens) on the weights as trained so far, without syncModel(); null when `signal`
   * stops it. Without it the loop syncs the model and validates on TF.js.
   */
  evaluate?(ids: Int32Array, signal?: AbortSignal): Promise<{ ppl: number; tokens: number } | null>;
  /** Frees the state and the optimizer; the model stays. */
  dispose(): void;
}

export type TrainStepperFactory = (model: LstmModel, setup: StepperSetup) => TrainStepper;
