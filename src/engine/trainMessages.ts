// Messages between trainClient.ts (main thread) and trainWorker.ts (worker thread).
import type { BackendName } from './backend';
import type { CurvePoint, TrainCheckpoint, TrainData, TrainOptions } from './train';
import type { NamedWeight, TrainProgress, TrainResult } from './types';

/** TrainOptions that can cross a thread boundary (no callbacks, no signal). */
export type WorkerTrainOptions = Omit<TrainOptions, 'signal' | 'onProgress' | 'onCheckpoint'>;

export interface WorkerStart {
  type: 'start';
  data: TrainData;
  options: WorkerTrainOptions;
  backend?: BackendName;
}

export type ToWorker = WorkerStart | { type: 'cancel' };

export interface TrainingOutput {
  weights: NamedWeight[];
  result: TrainResult;
  curve: CurvePoint[];
}

export type FromWorker =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'checkpoint'; checkpoint: TrainCheckpoint }
  | ({ type: 'done' } & TrainingOutput)
  | { type: 'error'; message: string };

/** The buffers of weights, for a zero-copy postMessage. */
export function weightBuffers(weights: NamedWeight[]): ArrayBuffer[] {
  return weights.map((w) => w.values.buffer as ArrayBuffer);
}
