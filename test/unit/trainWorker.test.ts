import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTrainingWorker } from '../../src/engine/trainClient';
import { LstmModel } from '../../src/engine/lstm';
import { initBackend } from '../../src/engine/backend';
import type { TrainProgress } from '../../src/engine/types';

const V = 40;
const cycle = (n: number, from = 0) => Int32Array.from({ length: n }, (_, i) => ((from + i) * 3) % V);
const hyper = { vocabSize: V, embedDim: 12, hiddenDim: 12, layers: 1, tied: true, dropout: 0 };
const options = { hyper, batch: 4, bptt: 8, lr: 0.03, samples: 0, progressEverySeconds: 0 };
const data = () => ({ train: cycle(320), valid: cycle(80, 320), vocabSize: V });

test('trains in a worker thread, streams progress and returns transferred weights', async () => {
  const d = data();
  const run = startTrainingWorker({ data: d, options: { ...options, epochs: 2 } });
  assert.equal(d.train.length, 0, 'the ids were transferred, not copied');
  const events: TrainProgress[] = [];
  let checkpoints = 0;
  run.onProgress((p) => events.push(p));
  run.onCheckpoint(() => checkpoints++);
  const out = await run.done;
  assert.equal(out.result.event, 'done');
  assert.ok(!out.result.cancelled && out.result.valid_ppl! < V);
  assert.ok(events.length > 3 && events[events.length - 1].step > 0);
  assert.ok(checkpoints >= 1 && out.curve.length > 0);
  await initBackend();
  const model = LstmModel.fromWeights(hyper, out.weights);
  assert.equal(model.logProbs(model.advance(model.initialState(), 1)).length, V);
  model.dispose();
});

test('cancel ends the worker cleanly with the weights so far', async () => {
  const run = startTrainingWorker({ data: data(), options: { ...options, epochs: 10_000 } });
  run.onProgress((p) => {
    if (p.step >= 3) run.cancel();
  });
  const out = await run.done;
  assert.equal(out.result.cancelled, true);
  assert.ok(out.weights.some((w) => w.name === 'embedding/embeddings' && w.values.length === V * 12));
});

test('a training error and a worker crash reject with a clear message', async () => {
  const bad = { train: Int32Array.from([1, 2, 99]), valid: new Int32Array(0), vocabSize: V };
  await assert.rejects(startTrainingWorker({ data: bad, options }).done, /Training failed: .*id 99 .*outside the vocabulary/);
  const dir = mkdtempSync(join(tmpdir(), 'wordlens-worker-'));
  try {
    const script = join(dir, 'crash.js');
    writeFileSync(script, "throw new Error('boom');\n");
    await assert.rejects(startTrainingWorker({ data: data(), options, workerPath: script }).done, /Training worker crashed: boom/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
