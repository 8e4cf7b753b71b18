import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { batchify } from '../../src/engine/lstm/batches';
import { LstmModel } from '../../src/engine/lstm/lstm';
import { createTfjsTrainStepper } from '../../src/engine/lstm/tfjsTrainStepper';
import { trainLstm } from '../../src/engine/lstm/train';
import type { TrainStepper, TrainStepperFactory } from '../../src/engine/lstm/trainStepper';

const V = 30;
const hyper = { vocabSize: V, embedDim: 8, hiddenDim: 8, layers: 1, tied: true, dropout: 0 };
const ids = Int32Array.from({ length: 200 }, (_, i) => (i * 7) % V);

before(async () => {
  await initBackend();
});

test('the TF.js step lowers the loss of a chunk it trains on, changes the weights, and leaks nothing', async () => {
  const start = tf.memory().numTensors;
  const model = LstmModel.create(hyper, 3);
  const stepper = createTfjsTrainStepper(model, { batch: 4, dropout: 0, clip: 0.25, optimizer: 'adam', sampled: null });
  const { data } = batchify(ids, 4);
  const x = data.subarray(0, 10 * 4);
  const y = data.subarray(4, 11 * 4);
  const before = stepper.weights()[0].values.slice();
  const losses: number[] = [];
  for (let i = 0; i < 30; i++) {
    stepper.resetState();
    losses.push(await stepper.step(x, y, 10, 0.02));
  }
  assert.ok(losses[29] < losses[0] * 0.7, `loss ${losses[0]} -> ${losses[29]}`);
  assert.notDeepEqual(stepper.weights()[0].values, before);
  stepper.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, start, 'state and optimizer freed with the stepper');
});

test('trainLstm runs the step it is given, with the scheduled rate, and syncs the model before validating', async () => {
  const calls: string[] = [];
  const rates: number[] = [];
  const recording: TrainStepperFactory = (model, setup) => {
    const inner: TrainStepper = createTfjsTrainStepper(model, setup);
    return {
      step: (x, y, steps, lr) => (calls.push('step'), rates.push(lr), inner.step(x, y, steps, lr)),
      resetState: () => (calls.push('reset'), inner.resetState()),
      weights: () => inner.weights(),
      syncModel: () => (calls.push('sync'), inner.syncModel()),
      dispose: () => (calls.push('dispose'), inner.dispose()),
    };
  };
  const { model, result } = await trainLstm(
    { train: ids, valid: ids.subarray(0, 60), vocabSize: V },
    { hyper, batch: 4, bptt: 10, lr: 0.01, samples: 0, epochs: 2, decayFrom: 0.5, stepper: recording },
  );
  const stepsPerEpoch = Math.ceil((50 - 1) / 10);
  assert.equal(calls.filter((c) => c === 'step').length, 2 * stepsPerEpoch);
  assert.equal(calls.filter((c) => c === 'reset').length, 2, 'a zero state at each epoch end');
  assert.equal(calls[calls.length - 1], 'dispose');
  // Validation after epoch 1 and at the end each follow a sync; the model is synced before it is returned.
  assert.deepEqual(calls.filter((c) => c !== 'step'), ['reset', 'sync', 'reset', 'sync', 'sync', 'dispose']);
  assert.equal(rates[0], 0.01, 'full rate in the first half');
  assert.ok(rates[rates.length - 1] < 0.01 && rates[rates.length - 1] >= 0.001, `decayed in the second half: ${rates[rates.length - 1]}`);
  assert.ok(result.valid_ppl! > 0);
  model.dispose();
});
