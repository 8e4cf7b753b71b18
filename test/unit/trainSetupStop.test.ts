// A stop while training sets up (issue 15): at a large vocabulary creating the model, building
// the trainer and probing the full-softmax rate take seconds each, so a stop between them must
// return at once: no rate probe, no validation sample, no step, the trainer disposed.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { trainLstm } from '../../src/engine/lstm/train';
import { createTfjsTrainStepper } from '../../src/engine/lstm/tfjsTrainStepper';
import type { TrainStepper } from '../../src/engine/lstm/trainStepper';

const V = 50;
const cycle = (n: number, from = 0) => Int32Array.from({ length: n }, (_, i) => ((from + i) * 7) % V);
const data = { train: cycle(4000), valid: cycle(1000, 4000), vocabSize: V };

before(async () => {
  await initBackend();
});

test('a stop raised while the trainer is built returns before the rate probe and any step', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const controller = new AbortController();
  let disposed = false;
  let steps = 0;
  const outcome = await trainLstm(data, {
    hyper: { embedDim: 16, hiddenDim: 16, layers: 1, tied: true, dropout: 0 },
    batch: 4,
    bptt: 10,
    samples: 0,
    minutes: 1, // a time budget: the rate probe would run before the first step
    signal: controller.signal,
    stepper: (model, setup) => {
      const inner = createTfjsTrainStepper(model, setup);
      controller.abort(); // the stop arrives while the trainer is being built
      const spy: TrainStepper = Object.create(inner);
      spy.step = (...args) => (steps++, inner.step(...args));
      spy.dispose = () => ((disposed = true), inner.dispose());
      return spy;
    },
  });
  assert.equal(outcome.result.cancelled, true);
  assert.equal(outcome.result.tokens, 0);
  assert.equal(steps, 0);
  assert.deepEqual(outcome.curve, []);
  assert.equal(outcome.validation, null, 'no validation sample was measured or scored after the stop');
  assert.ok(disposed, 'the trainer is disposed');
  outcome.model.dispose();
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor left behind');
});
