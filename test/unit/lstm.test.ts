import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { LstmModel, type LstmState } from '../../src/engine/lstm/lstm';
import { lstmLayer } from '../../src/engine/lstm/lstmLayer';
import { softmaxCrossEntropy } from '../../src/engine/lstm/softmax';
import { UnigramSampler } from '../../src/engine/lstm/sampledSoftmax';
import { mulberry32 } from '../../src/engine/prng';
import type { LstmHyper } from '../../src/engine/types';

const untied: LstmHyper = { vocabSize: 30, embedDim: 6, hiddenDim: 8, layers: 2, tied: false, dropout: 0 };
const tied: LstmHyper = { vocabSize: 30, embedDim: 8, hiddenDim: 8, layers: 1, tied: true, dropout: 0 };

before(async () => {
  await initBackend();
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function run(model: LstmModel, ids: number[]): LstmState {
  return ids.reduce((s, id) => model.advance(s, id), model.initialState());
}

test('weights use TF.js-layers names and Keras shapes, and round-trip exactly', () => {
  for (const hyper of [untied, tied]) {
    const m = LstmModel.create(hyper, 3);
    const w = m.weights();
    const names = w.map((x) => x.name);
    assert.ok(names.includes('embedding/embeddings') && names.includes('lstm/kernel') && names.includes('dense/kernel'));
    if (hyper.layers === 2) assert.ok(names.includes('lstm_1/recurrent_kernel'));
    assert.deepEqual(w.find((x) => x.name === 'lstm/bias')!.shape, [4 * hyper.hiddenDim]);
    assert.deepEqual(w.find((x) => x.name === 'dense/kernel')!.shape, [hyper.hiddenDim, hyper.vocabSize]);
    const copy = LstmModel.fromWeights(hyper, w);
    const a = m.logProbs(run(m, [1, 5, 7]));
    const b = copy.logProbs(run(copy, [1, 5, 7]));
    assert.deepEqual(Array.from(a), Array.from(b));
    m.dispose();
    copy.dispose();
  }
});

test('a tied model emits dense/kernel as the embedding transposed', () => {
  const m = LstmModel.create(tied, 4);
  const w = m.weights();
  const e = w.find((x) => x.name === 'embedding/embeddings')!;
  const k = w.find((x) => x.name === 'dense/kernel')!;
  const [V, E] = e.shape;
  for (const [v, j] of [[0, 0], [3, 5], [V - 1, E - 1]]) assert.equal(k.values[j * V + v], e.values[v * E + j]);
  m.dispose();
});

test('fromWeights rejects missing and misshaped weights with a clear message', () => {
  const m = LstmModel.create(untied, 1);
  const w = m.weights();
  m.dispose();
  assert.throws(() => LstmModel.fromWeights(untied, w.filter((x) => x.name !== 'lstm_1/bias')), /'lstm_1\/bias' is missing/);
  const bad = w.map((x) => (x.name === 'lstm/kernel' ? { ...x, shape: [5, 32], values: new Float32Array(160) } : x));
  assert.throws(() => LstmModel.fromWeights(untied, bad), /'lstm\/kernel' has shape \[5,32\].*expected \[6,32\]/);
  assert.throws(() => LstmModel.create({ ...tied, embedDim: 4 }), /tied LSTM needs embedDim === hiddenDim/);
});

test('single-step log-probs equal the batched forward pass', () => {
  for (const hyper of [untied, tied]) {
    const m = LstmModel.create(hyper, 5);
    const ids = [3, 9, 0, 29, 4, 4, 17];
    const batched = tf.tidy(() => {
      const out = m.forward(Int32Array.from(ids), ids.length, 1, m.zeroState(1));
      return tf.logSoftmax(m.outputLogits(out.hidden)).arraySync() as number[][];
    });
    let s = m.initialState();
    ids.forEach((id, t) => {
      s = m.advance(s, id);
      assert.ok(maxDiff(m.logProbs(s), batched[t]) < 1e-4, `step ${t}`);
    });
    m.dispose();
  }
});

test('states are immutable and shareable; logProbs returns a copy', () => {
  const m = LstmModel.create(untied, 6);
  const s1 = run(m, [2, 3]);
  const snapshot = s1.h.map((h) => Array.from(h)).concat(s1.c.map((c) => Array.from(c)));
  const a = m.advance(s1, 4);
  const b = m.advance(s1, 4);
  const other = m.advance(s1, 11);
  assert.deepEqual(s1.h.map((h) => Array.from(h)).concat(s1.c.map((c) => Array.from(c))), snapshot);
  assert.deepEqual(Array.from(m.logProbs(a)), Array.from(m.logProbs(b)));
  assert.ok(maxDiff(m.logProbs(a), m.logProbs(other)) > 1e-6);
  const lp = m.logProbs(a);
  lp.fill(0);
  assert.notEqual(m.logProbs(a)[0], 0);
  const total = m.logProbs(a).reduce((acc, x) => acc + Math.exp(x), 0);
  assert.ok(Math.abs(total - 1) < 1e-4);
  assert.throws(() => m.advance(s1, 30), /outside the vocabulary/);
  m.dispose();
});

// The reference: the same layer as per-step TF.js ops, differentiated by TF.js.
function referenceLayer(xw: tf.Tensor2D, u: tf.Tensor2D, h0: Float32Array, c0: Float32Array, T: number, B: number): tf.Tensor2D {
  const H = u.shape[0];
  let h: tf.Tensor2D = tf.tensor2d(h0, [B, H]);
  let c: tf.Tensor2D = tf.tensor2d(c0, [B, H]);
  const outs: tf.Tensor2D[] = [];
  const xs = tf.split(xw, T, 0);
  for (let t = 0; t < T; t++) {
    const [i, f, g, o] = tf.split(tf.add(xs[t], tf.matMul(h, u)), 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    outs.push(h);
  }
  outs.push(c);
  return tf.concat(outs, 0);
}

test('the hand-written LSTM backward matches TF.js autodiff', () => {
  const T = 4, B = 3, H = 5;
  const rand = mulberry32(9);
  const arr = (n: number, s: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * s);
  tf.tidy(() => {
    const xw = tf.tensor2d(arr(T * B * 4 * H, 1.5), [T * B, 4 * H]);
    const u = tf.tensor2d(arr(H * 4 * H, 0.7), [H, 4 * H]);
    const h0 = arr(B * H, 0.5), c0 = arr(B * H, 0.5);
    const w = tf.tensor2d(arr((T + 1) * B * H, 1), [(T + 1) * B, H]);
    const mine = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(lstmLayer(a as tf.Tensor2D, b as tf.Tensor2D, h0, c0, T, B), w));
    const ref = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(referenceLayer(a as tf.Tensor2D, b as tf.Tensor2D, h0, c0, T, B), w));
    assert.ok(Math.abs(mine(xw, u).dataSync()[0] - ref(xw, u).dataSync()[0]) < 1e-4);
    const g1 = tf.grads(mine)([xw, u]);
    const g2 = tf.grads(ref)([xw, u]);
    for (let k = 0; k < 2; k++) {
      assert.ok(tf.max(tf.abs(g2[k])).dataSync()[0] > 0.05, 'the reference gradient is not trivial');
      assert.ok(maxDiff(g1[k].dataSync(), g2[k].dataSync()) < 1e-4, `gradient ${k}`);
    }
  });
});

test('softmaxCrossEntropy has the value and gradient of log-softmax cross-entropy', () => {
  tf.tidy(() => {
    const logits = tf.tensor2d([[1, 2, 0.5], [0, -1, 3], [2, 2, 2]]);
    const labels = Int32Array.from([1, 2, 0]);
    const ref = (x: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(tf.tensor1d(labels, 'int32'), 3)), 1)));
    const mine = (x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, labels);
    assert.ok(Math.abs(mine(logits).dataSync()[0] - ref(logits).dataSync()[0]) < 1e-5);
    assert.ok(maxDiff(tf.grad(mine)(logits).dataSync(), tf.grad(ref)(logits).dataSync()) < 1e-5);
  });
});

test('the unigram sampler draws distinct ids and corrects by expected counts', () => {
  const counts = Array.from({ length: 100 }, (_, i) => 1000 / (i + 1));
  const s = new UnigramSampler(counts, 0.75, mulberry32(1));
  const { ids, tries } = s.sample(20);
  assert.equal(new Set(ids).size, 20);
  assert.ok(tries >= 20);
  const le = s.logExpected(Int32Array.from([0, 99]), tries);
  assert.ok(le[0] > le[1] && le[0] <= 0, 'frequent words are expected more often, at most once');
});

test('no tensors leak from stepping, scoring or the batched forward', () => {
  const start = tf.memory().numTensors;
  const m = LstmModel.create(untied, 7);
  m.logProbs(run(m, [1])); // builds the bounded inference cache once
  const created = tf.memory().numTensors;
  for (let r = 0; r < 3; r++) {
    m.logProbs(run(m, [1, 2, 3]));
    tf.tidy(() => void m.outputLogits(m.forward(Int32Array.from([1, 2, 3, 4]), 2, 2, m.zeroState(2)).hidden));
    m.weights();
    assert.equal(tf.memory().numTensors, created);
  }
  m.dispose();
  assert.equal(tf.memory().numTensors, start);
});
