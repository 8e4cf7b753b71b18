import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { INT8_MIN_WEIGHTS } from '../../src/engine/kernels/int8Logits';
import { LstmModel, type LstmState } from '../../src/engine/lstm/lstm';
import { READ_CHUNK } from '../../src/engine/lstm/servingKernel';
import type { LstmHyper } from '../../src/engine/types';

// The wasm serving kernel (servingKernel.ts) against the TF.js-ops path, the reference.
const multi: LstmHyper = { vocabSize: 300, embedDim: 12, hiddenDim: 20, layers: 3, tied: false, dropout: 0 };

before(async () => {
  await initBackend('wasm');
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function stateDiff(a: LstmState, b: LstmState): number {
  let m = 0;
  a.h.forEach((h, l) => (m = Math.max(m, maxDiff(h, b.h[l]), maxDiff(a.c[l], b.c[l]))));
  return m;
}

const ids = (n: number, V: number) => Array.from({ length: n }, (_, i) => (i * 7919 + 3) % V);

/** Log-probs after every token of `seq` and the final state, on one serving path. */
function walk(model: LstmModel, mode: 'auto' | 'tfjs', seq: number[]): { lps: Float32Array[]; state: LstmState } {
  model.setServingKernel(mode);
  let state = model.initialState();
  const lps: Float32Array[] = [];
  for (const id of seq) lps.push(model.logProbs((state = model.advance(state, id))));
  return { lps, state };
}

test('float32 output: the kernel step gives the TF.js path log-probs within 1e-4 (3 layers, E != H)', () => {
  const model = LstmModel.create(multi, 4);
  try {
    assert.equal(model.servingPath, 'kernel');
    assert.equal(model.servingOutput, 'float32');
    const seq = ids(60, multi.vocabSize);
    const ref = walk(model, 'tfjs', seq);
    const got = walk(model, 'auto', seq);
    assert.ok(stateDiff(got.state, ref.state) < 1e-5, `state differs by ${stateDiff(got.state, ref.state)}`);
    const worst = Math.max(...got.lps.map((lp, i) => maxDiff(lp, ref.lps[i])));
    assert.ok(worst < 1e-4, `max |Δ log p| ${worst}`);
  } finally {
    model.dispose();
  }
});

test('int8 output: the kernel step stays within the int8 tolerance of the TF.js path and picks the same tokens', () => {
  const H = 64;
  const V = Math.ceil(INT8_MIN_WEIGHTS / H) + 3; // over the threshold, V not a multiple of 4
  const model = LstmModel.create({ vocabSize: V, embedDim: H, hiddenDim: H, layers: 1, tied: true, dropout: 0 }, 5);
  try {
    assert.equal(model.servingOutput, 'int8');
    const seq = ids(12, V);
    const ref = walk(model, 'tfjs', seq);
    const got = walk(model, 'auto', seq);
    assert.equal(model.servingOutput, 'int8');
    const worst = Math.max(...got.lps.map((lp, i) => maxDiff(lp, ref.lps[i])));
    assert.ok(worst < 0.05, `max |Δ log p| ${worst}`); // int8Logits.test.ts's bound
    const argmax = (x: Float32Array) => x.reduce((b, v, i) => (v > x[b] ? i : b), 0);
    assert.deepEqual(got.lps.map(argmax), ref.lps.map(argmax));
  } finally {
    model.dispose();
  }
});

test('probs and greedy on the kernel agree with its logProbs bit for bit', () => {
  const model = LstmModel.create(multi, 6);
  try {
    let state = model.initialState();
    for (const id of ids(9, multi.vocabSize)) state = model.advance(state, id);
    const lp = model.logProbs(state);
    const p = model.probs(state);
    for (let v = 0; v < lp.length; v++) assert.equal(p.exactLogProb(v), lp[v]);
    assert.ok(Math.abs(p.p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.equal(model.greedy(state, {}), lp.reduce((b, v, i) => (v > lp[b] ? i : b), 0));
  } finally {
    model.dispose();
  }
});

test('a batched read (advanceMany) leaves the state token-by-token steps leave, over several chunks', () => {
  const model = LstmModel.create(multi, 7);
  try {
    const seq = ids(READ_CHUNK + 90, multi.vocabSize);
    const stepped = walk(model, 'auto', seq).state;
    const read = model.advanceMany(model.initialState(), seq);
    assert.ok(stateDiff(read, stepped) < 1e-6, `differs by ${stateDiff(read, stepped)}`);
    // A range continues from a given state; an empty range changes nothing.
    const half = model.advanceMany(model.initialState(), seq, 0, 100);
    assert.ok(stateDiff(model.advanceMany(half, seq, 100, seq.length), stepped) < 1e-6);
    assert.equal(model.advanceMany(half, seq, 5, 5), half);
    // The TF.js path's advanceMany (token by token) agrees too.
    model.setServingKernel('tfjs');
    assert.ok(stateDiff(model.advanceMany(model.initialState(), seq), stepped) < 1e-5);
  } finally {
    model.dispose();
  }
});

test('advanceMany rejects an id outside the vocabulary before reading anything', () => {
  const model = LstmModel.create(multi, 8);
  try {
    assert.throws(() => model.advanceMany(model.initialState(), [1, 2, multi.vocabSize]), /Token id 300 is outside the vocabulary \(0\.\.299\)/);
    assert.throws(() => model.advanceMany(model.initialState(), [1, -1]), /Token id -1 is outside/);
  } finally {
    model.dispose();
  }
});

test('serving on the kernel leaks no tensors, and a weight change rebuilds it', () => {
  const model = LstmModel.create(multi, 9);
  try {
    const seq = ids(40, multi.vocabSize);
    const first = model.logProbs(model.advanceMany(model.initialState(), seq)); // builds the kernel
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const s = model.advanceMany(model.initialState(), seq);
      model.logProbs(model.advance(s, 3));
      model.probs(s);
      model.greedy(s, {});
    }
    assert.equal(tf.memory().numTensors, before);
    // New weights must reach the kernel (it holds copies in wasm memory).
    const w = model.weights().map((x) => (x.name === 'dense/bias' ? { ...x, values: x.values.map((_, v) => (v === 11 ? 50 : 0)) } : x));
    model.assignWeights(w);
    const after = model.logProbs(model.advanceMany(model.initialState(), seq));
    assert.notDeepEqual(after, first);
    assert.ok(after[11] > -0.01, 'the new bias makes word 11 near certain');
  } finally {
    model.dispose();
  }
});
