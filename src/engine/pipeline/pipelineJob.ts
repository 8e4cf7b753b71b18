// Runs the training pipeline in a worker thread, so the calling thread (the language server
// answering completions, the CLI catching Ctrl-C) stays free; the worker runs pipelineWorker.ts.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers';
import type { NgramSnapshot, PipelineEvent, PipelineRequest, PipelineResult } from './pipeline';

export interface PipelineJob {
  /** Resolves with the result (also when cancelled); rejects with the pipeline's error (its name kept). */
  done: Promise<PipelineResult>;
  /** Asks the run to stop; it saves the best model so far (if any) and resolves `done`. */
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

export type ToPipelineWorker = { type: 'cancel' };
export type FromPipelineWorker =
  | { type: 'event'; event: PipelineEvent }
  | { type: 'ngram'; snapshot: NgramSnapshot }
  | { type: 'done'; result: PipelineResult }
  | { type: 'error'; name: string; message: string; stack?: string };

function spawn(request: PipelineRequest, jobOptions: PipelineJobOptions): Worker {
  const options = { workerData: { [PIPELINE_WORKER_MARKER]: request, [PIPELINE_JOB_OPTIONS]: jobOptions }, stdout: false, stderr: false };
  return startWorker('pipeline/pipelineWorker', options);
}

export function startPipelineJob(
  request: PipelineRequest,
  onEvent: (e: PipelineEvent) => void,
  jobOptions: PipelineJobOptions = {},
  onNgram?: (snapshot: NgramSnapshot) => void,
): PipelineJob {
  const worker = spawn(request, { ...jobOptions, ngramSnapshot: onNgram !== undefined });
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
      if (!settled) worker.postMessage({ type: 'cancel' } satisfies ToPipelineWorker);
    },
    terminate: () => void worker.terminate(),
  };
}
