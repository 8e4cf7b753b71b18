// Worker-thread entry for training (bundled as dist/pipelineWorker.js; started by pipelineJob.ts):
// runs the pipeline, posts its events, stops on cancel.
import * as os from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runPipeline, type NgramSnapshot, type PipelineEvent, type PipelineRequest } from './pipeline';
import { linkStopFlag, type StopFlag } from '../stop';
import {
  PIPELINE_JOB_OPTIONS,
  PIPELINE_STOP_FLAG,
  PIPELINE_WORKER_MARKER,
  type FromPipelineWorker,
  type PipelineJobOptions,
  type ToPipelineWorker,
} from './pipelineJob';

/** Niceness of a low-priority training thread. */
const LOW_PRIORITY_NICE = 10;

/**
 * Lowers this thread's OS priority. On Linux, setpriority(pid 0) applies to the calling thread
 * only, and threads it starts inherit it: the server's main thread keeps normal priority.
 * Elsewhere it would lower the whole server, completions included, so it is Linux only.
 */
function lowerOwnPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    os.setPriority(0, LOW_PRIORITY_NICE);
  } catch {
    // not permitted here: train at normal priority
  }
}

function runWorker(port: NonNullable<typeof parentPort>, request: PipelineRequest, options: PipelineJobOptions, stop: StopFlag | undefined): void {
  const abort = new AbortController();
  if (stop) linkStopFlag(abort, stop);
  const post = (m: FromPipelineWorker) => port.postMessage(m);
  port.on('message', (m: ToPipelineWorker) => {
    if (m.type === 'cancel') abort.abort();
  });
  // The snapshot's arrays are moved, not copied: the worker is done with them.
  const onNgram = options.ngramSnapshot
    ? (snapshot: NgramSnapshot) => port.postMessage({ type: 'ngram', snapshot } satisfies FromPipelineWorker, [snapshot.ngram.buffer, ...snapshot.files.map((f) => f.ids.buffer)] as ArrayBuffer[])
    : undefined;
  const stall = options.faultStall;
  const onEvent = (event: PipelineEvent) => {
    post({ type: 'event', event });
    if (stall && event.event === 'phase' && event.phase === stall.phase) {
      const until = Date.now() + stall.ms;
      while (Date.now() < until); // blocks the thread, as a unit of work that polls nothing
    }
  };
  runPipeline(request, onEvent, abort.signal, onNgram).then(
    (result) => {
      post({ type: 'done', result });
      port.close();
    },
    (error: Error) => {
      post({ type: 'error', name: error.name, message: error.message, stack: error.stack });
      port.close();
    },
  );
}

const data = workerData as Record<string, unknown> | null;
const request = data?.[PIPELINE_WORKER_MARKER] as PipelineRequest | undefined;
if (!isMainThread && parentPort && request) {
  const options = (data?.[PIPELINE_JOB_OPTIONS] as PipelineJobOptions | undefined) ?? {};
  if (options.lowPriority) lowerOwnPriority();
  runWorker(parentPort, request, options, data?.[PIPELINE_STOP_FLAG] as StopFlag | undefined);
}
