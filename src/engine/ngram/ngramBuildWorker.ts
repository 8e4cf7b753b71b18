// Builds an n-gram in a worker thread, so the server can compact a live n-gram (a rebuild of
// seconds on a large workspace) while it keeps answering completions. This file is both the
// caller's API and, when started as a worker, the worker itself.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { NgramModel, type NgramTransfer } from './ngram';
import { startWorker } from '../workers';

/** NgramModel.build(ids, vocabSize, order) off this thread; `ids` is transferred (unusable here after). */
export function buildNgramInWorker(ids: Int32Array, vocabSize: number, order: number): Promise<NgramModel> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('ngram/ngramBuildWorker', { workerData: { wordlensNgramBuild: true, ids, vocabSize, order }, transferList: [ids.buffer as ArrayBuffer] });
    worker.once('message', (data: NgramTransfer) => {
      void worker.terminate();
      resolve(NgramModel.fromTransfer(data));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the n-gram build worker exited (code ${code}) before its result`)));
  });
}

if (!isMainThread && workerData?.wordlensNgramBuild) {
  const { ids, vocabSize, order } = workerData as { ids: Int32Array; vocabSize: number; order: number };
  const { data, buffers } = NgramModel.build(ids, vocabSize, order).toTransfer();
  parentPort!.postMessage(data, buffers);
}
