// Main-thread side of training: runs train.ts in a worker_threads worker so this thread stays
// responsive, relays progress and checkpoints, and cancels cleanly.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { BackendName } from './backend';
import type { TrainCheckpoint, TrainData } from './train';
import type { FromWorker, ToWorker, TrainingOutput, WorkerTrainOptions } from './trainMessages';
import type { TrainProgress } from './types';

export type { TrainingOutput, WorkerTrainOptions } from './trainMessages';

export interface TrainingRequest {
  /**
   * The token ids. Their buffers are transferred to the worker, not copied: after the call
   * `train` and `valid` are detached (length 0) in the caller. Pass copies to keep them.
   */
  data: TrainData;
  options?: WorkerTrainOptions;
  backend?: BackendName;
  /** Worker script; default dist/worker.js beside the bundle, or trainWorker.ts when running from sources. */
  workerPath?: string;
}

export interface TrainingHandle {
  onProgress(cb: (p: TrainProgress) => void): void;
  onCheckpoint(cb: (c: TrainCheckpoint) => void): void;
  /** Stops training; `done` then resolves with the best weights so far and `result.cancelled`. */
  cancel(): void;
  /** The trained weights (transferred from the worker), the result and the curve. */
  done: Promise<TrainingOutput>;
}

/** Where the worker script is: the TypeScript source under tsx (tests), else the esbuild bundle. */
function defaultWorkerPath(): string {
  return __filename.endsWith('.ts') ? join(__dirname, 'trainWorker.ts') : join(__dirname, 'worker.js');
}

/** A .ts worker gets tsx's require hook first (`--import tsx` in execArgv does not reach a worker's entry on Node 20). */
function spawn(file: string): Worker {
  if (!file.endsWith('.ts')) return new Worker(file);
  // createRequire keeps esbuild from resolving tsx (a dev dependency) into the bundle.
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  const boot = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true });
}

export function startTrainingWorker(request: TrainingRequest): TrainingHandle {
  const worker = spawn(request.workerPath ?? defaultWorkerPath());
  const progressCbs: ((p: TrainProgress) => void)[] = [];
  const checkpointCbs: ((c: TrainCheckpoint) => void)[] = [];
  let finished = false;

  const done = new Promise<TrainingOutput>((resolve, reject) => {
    const fail = (message: string) => {
      if (finished) return;
      finished = true;
      void worker.terminate();
      reject(new Error(message));
    };
    worker.on('message', (msg: FromWorker) => {
      if (finished) return;
      if (msg.type === 'progress') progressCbs.forEach((cb) => cb(msg.progress));
      else if (msg.type === 'checkpoint') checkpointCbs.forEach((cb) => cb(msg.checkpoint));
      else if (msg.type === 'error') fail(`Training failed: ${msg.message}`);
      else if (msg.type === 'done') {
        finished = true;
        void worker.terminate();
        resolve({ weights: msg.weights, result: msg.result, curve: msg.curve });
      }
    });
    worker.on('error', (e) => fail(`Training worker crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`Training worker exited (code ${code}) before finishing`));
  });

  const { train, valid } = request.data;
  const start: ToWorker = { type: 'start', data: request.data, options: request.options ?? {}, backend: request.backend };
  const transfer = [train.buffer, valid.buffer].filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && all.indexOf(b) === i);
  worker.postMessage(start, transfer);

  return {
    onProgress: (cb) => void progressCbs.push(cb),
    onCheckpoint: (cb) => void checkpointCbs.push(cb),
    cancel: () => {
      if (!finished) worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    },
    done,
  };
}
