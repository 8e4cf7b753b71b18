// Runs the training pipeline in a worker thread, so the calling thread (the language server
// answering completions, the CLI catching Ctrl-C) stays free; the worker runs pipelineWorker.ts.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers';
import type { NgramSnapshot, PipelineEvent, PipelineRequest, PipelineResult } from './pipeline';
import { createStopFlag, raiseStopFlag, type StopFlag } from '../stop';

export interface PipelineJob {
  /** Resolves with the result (also when cancelled); rejects with the pipeline's error (its name kept). */
  done: Promise<PipelineResult>;
  /** Asks the run to stop within moments, whatever it is doing; `done` resolves with `cancelled: true` and the model left. */
  cancel(): void;
  /** Ends the worker at once (server shutdown). */
  terminate(): void;
}

/** Marker in workerData that makes pipelineWorker.ts run. */
export const PIPELINE_WORKER_MARKER = 'wordlensPipeline';

export interface PipelineJobOptions {
  /**
   * Run the worker thread at a low OS priority (nice 10). The server asks for it so that on a
   * busy machine the editor and the completions (both at normal priority) come first; with
   * idle cores training runs as fast.
   */
  lowPriority?: boolean;
  /** Post the n-gram half as soon as it is built (onNgram of startPipelineJob). */
  ngramSnapshot?: boolean;
}
/** workerData key of the job's PipelineJobOptions. */
export const PIPELINE_JOB_OPTIONS = 'wordlensPipelineOptions';
/** workerData key of the job's StopFlag (shared memory: seen inside synchronous loops). */
export const PIPELINE_STOP_FLAG = 'wordlensPipelineStop';

export type ToPipelineWorker = { type: 'cancel' };
export type FromPipelineWorker =
  | { type: 'event'; event: PipelineEvent }
  | { type: 'ngram'; snapshot: NgramSnapshot }
  | { type: 'done'; result: PipelineResult }
  | { type: 'error'; name: string; message: string; stack?: string };

function spawn(request: PipelineRequest, jobOptions: PipelineJobOptions, stop: StopFlag): Worker {
  const workerData = { [PIPELINE_WORKER_MARKER]: request, [PIPELINE_JOB_OPTIONS]: jobOptions, [PIPELINE_STOP_FLAG]: stop };
  return startWorker('pipeline/pipelineWorker', { workerData, stdout: false, stderr: false });
}

export function startPipelineJob(
  request: PipelineRequest,
  onEvent: (e: PipelineEvent) => void,
  jobOptions: PipelineJobOptions = {},
  onNgram?: (snapshot: NgramSnapshot) => void,
): PipelineJob {
  const stop = createStopFlag();
  const worker = spawn(request, { ...jobOptions, ngramSnapshot: onNgram !== undefined }, stop);
  let settled = false;
  const done = new Promise<PipelineResult>((resolve, reject) => {
    worker.on('message', (m: FromPipelineWorker) => {
      if (settled) return;
      if (m.type === 'event') onEvent(m.event);
      else if (m.type === 'ngram') onNgram?.(m.snapshot);
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
    cancel: () => {
      if (settled) return;
      // The flag reaches a synchronous loop at its next poll; the message wakes an await.
      raiseStopFlag(stop);
      worker.postMessage({ type: 'cancel' } satisfies ToPipelineWorker);
    },
    terminate: () => void worker.terminate(),
  };
}
