import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { evaluatePerplexity, trainLstm, type TrainCheckpoint, type TrainOptions } from '../../src/engine/lstm/train';
import type { TrainProgress } from '../../src/engine/types';

const V = 50;
// A deterministic cycle: each token fixes the next, so perplexity can fall towards 1 (uniform: 50).
const cycle = (n: number, from = 0) => Int32Array.from({ length: n }, (_, i) => ((from + i) * 7) % V);
const data = { train: cycle(400), valid: cycle(100, 400), vocabSize: V };
const small: TrainOptions = {
  hyper: { embedDim: 16, hiddenDim: 16, layers: 1, tied: true, dropout: 0 },
  batch: 4,
  bptt: 10,
  lr: 0.05,
  samples: 0,
  progressEverySeconds: 0,
};

before(async () => {
  await initBackend();
});

test('learns a deterministic sequence with the full softmax, reports progress, leaks nothing', async () => {
  const start = tf.memory().numTensors;
  const events: TrainProgress[] = [];
  const { model, result, curve } = await trainLstm(data, { ...small, epochs: 12, onProgress: (p) => events.push(p) });
  assert.ok(result.valid_ppl! < 5, `valid ppl ${result.valid_ppl}`);
  assert.equal(result.vocab, V);
  assert.ok(result.tokens > 0 && !result.cancelled);
  const ppl = await evaluatePerplexity(model, data.valid);
  assert.ok(Math.abs(ppl.ppl - result.valid_ppl!) < 1e-3, 'the returned model is the one validated');
  assert.ok(events.length > 5);
  for (let i = 1; i < events.length; i++) assert.ok(events[i].step >= events[i - 1].step);
  assert.ok(events.some((e) => e.validPpl !== undefined) && curve.some((c) => c.validPpl !== undefined));
  const last = events[events.length - 1];
  assert.ok(last.fraction > 0.9 && last.tokensPerSecond > 0 && Number.isFinite(last.loss));
  model.dispose();
  assert.equal(tf.memory().numTensors, start, 'no tensors left after training and disposal');
});

test('learns with the sampled softmax too', async () => {
  const { model, result } = await trainLstm(data, { ...small, samples: 8, epochs: 12 });
  assert.ok(result.valid_ppl! < 8, `valid ppl ${result.valid_ppl}`);
  model.dispose();
});

test('evaluatePerplexity equals stepping the model token by token', async () => {
  const { model } = await trainLstm(data, { ...small, epochs: 1 });
  const ids = data.valid.subarray(0, 30);
  let s = model.initialState();
  let nll = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    s = model.advance(s, ids[i]);
    nll -= model.logProbs(s)[ids[i + 1]];
  }
  const start = tf.memory().numTensors;
  const r = await evaluatePerplexity(model, ids, { batch: 1, bptt: 7 });
  assert.equal(tf.memory().numTensors, start);
  assert.equal(r.tokens, ids.length - 1);
  assert.ok(Math.abs(Math.log(r.ppl) - nll / (ids.length - 1)) < 1e-4);
  model.dispose();
});

test('cancelling returns a usable model marked cancelled', async () => {
  const start = tf.memory().numTensors;
  const ctl = new AbortController();
  const { model, result } = await trainLstm(data, {
    ...small,
    epochs: 1000,
    signal: ctl.signal,
    onProgress: (p) => {
      if (p.step >= 25) ctl.abort();
    },
  });
  assert.equal(result.cancelled, true);
  assert.ok(result.tokens < 1000 * 400);
  const lp = model.logProbs(model.advance(model.initialState(), 3));
  assert.equal(lp.length, V);
  assert.ok(lp.every(Number.isFinite));
  model.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test('resumes from a checkpoint: the step count continues and perplexity does not get worse', async () => {
  let last: TrainCheckpoint | undefined;
  const first = await trainLstm(data, { ...small, epochs: 3, onCheckpoint: (c) => void (last = c) });
  first.model.dispose();
  assert.ok(last && last.validPpl !== null && last.step > 0);
  const steps: number[] = [];
  const second = await trainLstm(data, {
    ...small,
    epochs: 6,
    resume: { weights: last.weights, step: last.step, validPpl: last.validPpl },
    onProgress: (p) => steps.push(p.step),
  });
  assert.ok(steps[0] > last.step, `resumed at step ${steps[0]} after checkpoint step ${last.step}`);
  assert.ok(second.result.valid_ppl! <= last.validPpl! * 1.02, `${second.result.valid_ppl} vs ${last.validPpl}`);
  second.model.dispose();
});

test('stops at the time budget', async () => {
  let t = 0;
  const clock = () => (t += 100); // every reading advances 100 ms
  const { model, result } = await trainLstm(data, { ...small, minutes: 0.05, epochs: 1e6, clock });
  assert.ok(result.tokens > 0 && result.tokens < 400 * 10, `${result.tokens} tokens`);
  model.dispose();
});

test('rejects ids outside the vocabulary with a clear message', async () => {
  await assert.rejects(trainLstm({ ...data, train: Int32Array.from([1, 2, 60]) }, small), /id 60 at position 2 is outside the vocabulary/);
});
