// Worker-thread entry for training (bundled as dist/worker.js; started by pipelineJob.ts):
// runs the pipeline, posts its events, stops on cancel.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runPipeline, type PipelineRequest } from './pipeline';
import { PIPELINE_WORKER_MARKER, type FromPipelineWorker, type ToPipelineWorker } from './pipelineJob';

function runWorker(port: NonNullable<typeof parentPort>, request: PipelineRequest): void {
  const abort = new AbortController();
  const post = (m: FromPipelineWorker) => port.postMessage(m);
  port.on('message', (m: ToPipelineWorker) => {
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

const request = (workerData as Record<string, PipelineRequest> | null)?.[PIPELINE_WORKER_MARKER];
if (!isMainThread && parentPort && request) runWorker(parentPort, request);
