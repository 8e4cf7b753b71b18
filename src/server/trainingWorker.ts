// The worker side of trainingJob.ts: runs the pipeline, posts its events, stops on cancel.
import { parentPort, workerData } from 'node:worker_threads';
import { runPipeline, type PipelineRequest } from '../engine/pipeline';
import { WORKER_MARKER, type FromWorker, type ToWorker } from './trainingJob';

export function isTrainingWorker(): boolean {
  return parentPort !== null && typeof workerData === 'object' && workerData !== null && WORKER_MARKER in workerData;
}

export function runTrainingWorker(): void {
  const port = parentPort!;
  const request = (workerData as Record<string, PipelineRequest>)[WORKER_MARKER];
  const abort = new AbortController();
  const post = (m: FromWorker) => port.postMessage(m);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'cancel') abort.abort();
  });
  runPipeline(request, (event) => post({ type: 'event', event }), abort.signal).then(
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
