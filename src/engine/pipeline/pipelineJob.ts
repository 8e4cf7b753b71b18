// Runs the training pipeline in a worker thread, so the calling thread (the language server
// answering completions, the CLI catching Ctrl-C) stays free; the worker runs pipelineWorker.ts.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers';
import type { NgramSnapshot, PipelineEvent, PipelinePhase, PipelineRequest, PipelineResult } from './pipeline';
import { createStopFlag, raiseStopFlag, type StopFlag } from '../stop';
import { recoverFolder } from '../io/atomic';
import { keptModel } from './keptModel';

/**
 * How long a cancelled run may take to stop by itself. Every phase polls the stop flag, but a
 * few units of work cannot (a model's set-up at a vocabulary of 200k: seconds on a loaded
 * machine); past this the worker is ended. Saves are atomic, so the folder then holds the
 * last complete model either way (an interrupted save is finished or undone by recoverFolder).
 */
export const STOP_GRACE_MS = 1200;

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
  /** Tests only: the worker blocks its thread for `ms` when `phase` starts, as a unit of work that polls no stop flag would. */
  faultStall?: { phase: PipelinePhase; ms: number };
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
  const startedAt = new Date();
  const worker = spawn(request, { ...jobOptions, ngramSnapshot: onNgram !== undefined }, stop);
  let settled = false;
  let graceTimer: NodeJS.Timeout | undefined;
  // What a forced stop reports: the latest the worker said (the backend is named only in its result).
  const seen = { phase: 'read' as PipelinePhase, vocab: 0, tokens: 0, backend: '' };
  const note = (e: PipelineEvent) => {
    if (e.event === 'phase') seen.phase = e.phase;
    else if (e.event === 'corpus') [seen.vocab, seen.tokens] = [e.vocab, e.tokens];
  };
  let settle: (result: PipelineResult) => void = () => undefined;
  const done = new Promise<PipelineResult>((resolve, reject) => {
    settle = resolve;
    worker.on('message', (m: FromPipelineWorker) => {
      if (settled) return;
      if (m.type === 'event') {
        note(m.event);
        onEvent(m.event);
      } else if (m.type === 'ngram') onNgram?.(m.snapshot);
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
      if (settled) return;
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the training worker stopped unexpectedly (exit code ${code})`));
    });
  });
  done.finally(() => {
    clearTimeout(graceTimer);
    void worker.terminate();
  }).catch(() => undefined);
  const forceStop = async () => {
    if (settled) return;
    settled = true;
    await worker.terminate();
    await recoverFolder(request.outDir).catch(() => undefined);
    const kept = await keptModel(request.outDir, startedAt);
    settle({
      event: 'done', backend: seen.backend, vocab: seen.vocab, tokens: seen.tokens, outDir: request.outDir,
      seconds: (Date.now() - startedAt.getTime()) / 1000, valid_ppl: kept?.fromThisRun ? kept.validPpl : null,
      cancelled: true, saved: kept?.fromThisRun ?? false, kept, stoppedIn: seen.phase, forced: true,
    });
  };
  return {
    done,
    cancel: () => {
      if (settled) return;
      // The flag reaches a synchronous loop at its next poll; the message wakes an await.
      raiseStopFlag(stop);
      worker.postMessage({ type: 'cancel' } satisfies ToPipelineWorker);
      graceTimer ??= setTimeout(() => void forceStop(), STOP_GRACE_MS);
    },
    terminate: () => void worker.terminate(),
  };
}
