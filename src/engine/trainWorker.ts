// Worker-thread entry for training (bundled as dist/worker.js): a wasm training step blocks
// its thread for about a second, so the server/CLI thread hands the work to this one.
import { parentPort } from 'node:worker_threads';
import { initBackend } from './backend';
import { trainLstm } from './train';
import { weightBuffers, type FromWorker, type ToWorker, type WorkerStart } from './trainMessages';

const port = parentPort;
if (port) {
  const abort = new AbortController();
  const send = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

  async function run(msg: WorkerStart): Promise<void> {
    await initBackend(msg.backend);
    const { model, result, curve } = await trainLstm(msg.data, {
      ...msg.options,
      signal: abort.signal,
      onProgress: (progress) => send({ type: 'progress', progress }),
      onCheckpoint: (checkpoint) => send({ type: 'checkpoint', checkpoint }, weightBuffers(checkpoint.weights)),
    });
    const weights = model.weights();
    model.dispose();
    send({ type: 'done', weights, result, curve }, weightBuffers(weights));
  }

  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'cancel') abort.abort();
    else if (msg.type === 'start') {
      run(msg).catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
    }
  });
}
