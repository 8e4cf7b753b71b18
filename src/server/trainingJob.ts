// Runs the training pipeline in a worker thread, so the server's thread keeps answering
// completions from the current model while it trains. The worker is this same bundle
// (dist/server.js, or src/server/main.ts from source) started with `workerData`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PipelineEvent, PipelineRequest, PipelineResult } from '../engine/pipeline';

export interface TrainingJob {
  /** Resolves with the result (also when cancelled); rejects with the pipeline's error. */
  done: Promise<PipelineResult>;
  /** Asks the run to stop; it saves the best model so far (if any) and resolves `done`. */
  cancel(): void;
  /** Ends the worker at once (server shutdown). */
  terminate(): void;
}

/** Marker in workerData that makes main.ts run the worker instead of a server. */
export const WORKER_MARKER = 'wordlensTraining';

export type ToWorker = { type: 'cancel' };
export type FromWorker =
  | { type: 'event'; event: PipelineEvent }
  | { type: 'done'; result: PipelineResult }
  | { type: 'error'; name: string; message: string; stack?: string };

function workerEntry(): string {
  const bundled = path.join(__dirname, 'server.js'); // dist/server.js beside dist/cli.js too
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'main.ts');
}

export function startTrainingJob(request: PipelineRequest, onEvent: (e: PipelineEvent) => void): TrainingJob {
  const entry = workerEntry();
  const options = { workerData: { [WORKER_MARKER]: request }, stdout: false, stderr: false };
  // From source (tests, `tsx`), the worker loads the TypeScript through tsx's require hook.
  const worker = entry.endsWith('.ts')
    ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { ...options, eval: true })
    : new Worker(entry, options);
  let settled = false;
  const done = new Promise<PipelineResult>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'event') onEvent(m.event);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result);
      } else {
        settled = true;
        const error = new Error(m.message);
        error.name = m.name;
        error.stack = m.stack;
        reject(error);
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the training worker stopped unexpectedly (exit code ${code})`));
    });
  });
  done.finally(() => void worker.terminate()).catch(() => undefined);
  return {
    done,
    cancel: () => worker.postMessage({ type: 'cancel' } satisfies ToWorker),
    terminate: () => void worker.terminate(),
  };
}
