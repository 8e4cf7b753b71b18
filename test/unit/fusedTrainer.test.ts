// The fused WebAssembly training path (lstm/fusedTrainer.ts, kernels/assembly/lstmTrain.ts)
// against independent references: a plain product for the GEMM, TF.js autodiff of the same
// model written with plain ops for every gradient, LstmModel for the forward pass, a float64
// Adam for the update; plus lazy-vs-dense rows, reproducibility, learning, and memory.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FusedLstmTrainer, type SampleSet } from '../../src/engine/lstm/fusedTrainer';
import { LstmTrainKernels } from '../../src/engine/kernels/lstmTrainKernels';
import { LstmModel } from '../../src/engine/lstm/lstm';
import { UnigramSampler } from '../../src/engine/lstm/sampledSoftmax';
import { evaluatePerplexity } from '../../src/engine/lstm/train';
import { batchify } from '../../src/engine/lstm/batches';
import { mulberry32, uniformArray } from '../../src/engine/prng';
import type { LstmHyper, NamedWeight } from '../../src/engine/types';

before(async () => {
  // The reference gradients come from TF.js's own autodiff on its plain-JS backend.
  await tf.setBackend('cpu');
});

const untied: LstmHyper = { vocabSize: 23, embedDim: 6, hiddenDim: 8, layers: 2, tied: false, dropout: 0 };
const tied: LstmHyper = { vocabSize: 23, embedDim: 8, hiddenDim: 8, layers: 1, tied: true, dropout: 0 };
const B = 3;
const T = 4;

function corpus(n: number, V: number, seed: number): Int32Array {
  const r = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * V));
}

/** Initial weights with non-zero output biases (so the bias paths matter). */
function initial(hyper: LstmHyper, seed = 3): NamedWeight[] {
  const m = LstmModel.create(hyper, seed);
  const w = m.weights();
  m.dispose();
  const bias = w.find((x) => x.name === 'dense/bias')!;
  bias.values = uniformArray(bias.values.length, 0.5, mulberry32(seed + 1));
  return w;
}

/** ||a - b|| / ||b||. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d) / Math.sqrt(n);
}

/**
 * The model's mean loss with plain TF.js ops (autodiff, no custom gradients): per-step gates,
 * sampled softmax with logQ correction and accidental hits masked, or the full softmax.
 * Returns the loss, the gradients by weight name, and the final state.
 */
function reference(
  hyper: LstmHyper,
  weights: NamedWeight[],
  inputs: Int32Array,
  targets: Int32Array,
  state: { h: Float32Array[]; c: Float32Array[] },
  sample: SampleSet | null,
  sampler: UnigramSampler | null,
) {
  const { hiddenDim: H, vocabSize: V } = hyper;
  const vars = new Map<string, tf.Variable>();
  for (const w of weights) {
    if (hyper.tied && w.name === 'dense/kernel') continue;
    vars.set(w.name, tf.variable(tf.tensor(w.values, w.shape), true));
  }
  const finals: { h: Float32Array[]; c: Float32Array[] } = { h: [], c: [] };
  const result = tf.variableGrads(() => {
    let x = tf.gather(vars.get('embedding/embeddings')!, tf.tensor1d(inputs, 'int32')) as tf.Tensor2D;
    for (let l = 0; l < hyper.layers; l++) {
      const n = l === 0 ? 'lstm' : `lstm_${l}`;
      const z = tf.add(tf.matMul(x, vars.get(`${n}/kernel`)!), vars.get(`${n}/bias`)!) as tf.Tensor2D;
      let h = tf.tensor2d(state.h[l], [B, H]);
      let c = tf.tensor2d(state.c[l], [B, H]);
      const outs: tf.Tensor2D[] = [];
      for (let t = 0; t < inputs.length / B; t++) {
        const zt = tf.add(tf.slice(z, [t * B, 0], [B, 4 * H]), tf.matMul(h, vars.get(`${n}/recurrent_kernel`)!));
        const [i, f, g, o] = tf.split(zt, 4, 1);
        c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
        h = tf.mul(tf.sigmoid(o), tf.tanh(c));
        outs.push(h);
      }
      finals.h.push(h.dataSync() as Float32Array);
      finals.c.push(c.dataSync() as Float32Array);
      x = tf.concat(outs, 0);
    }
    const outW = hyper.tied ? vars.get('embedding/embeddings')! : tf.transpose(vars.get('dense/kernel')!);
    const bias = vars.get('dense/bias')!;
    const y = tf.tensor1d(targets, 'int32');
    const n = targets.length;
    if (!sample) {
      const logits = tf.add(tf.matMul(x, outW, false, true), bias);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(y, V)), 1))) as tf.Scalar;
    }
    const S = sample.ids.length;
    const ids = tf.tensor1d(sample.ids, 'int32');
    const trueLogit = tf.sub(tf.add(tf.sum(tf.mul(x, tf.gather(outW, y)), 1), tf.gather(bias, y)), tf.tensor1d(sampler!.logExpected(targets, sample.tries)));
    const hits = new Float32Array(n * S);
    for (let r = 0; r < n; r++) for (let j = 0; j < S; j++) if (sample.ids[j] === targets[r]) hits[r * S + j] = -1e9;
    const sampled = tf.add(
      tf.add(tf.matMul(x, tf.gather(outW, ids), false, true), tf.sub(tf.gather(bias, ids), tf.tensor1d(sampler!.logExpected(sample.ids, sample.tries)))),
      tf.tensor2d(hits, [n, S]),
    );
    const all = tf.concat([tf.reshape(trueLogit, [n, 1]), sampled], 1);
    return tf.neg(tf.mean(tf.slice(tf.logSoftmax(all), [0, 0], [n, 1]))) as tf.Scalar;
  }, [...vars.values()]);
  const grads = new Map<string, Float32Array>();
  for (const [name, v] of vars) grads.set(name, result.grads[v.name].dataSync() as Float32Array);
  const loss = result.value.dataSync()[0];
  tf.dispose([result.value, ...Object.values(result.grads), ...vars.values()]);
  return { loss, grads, finals };
}

const zeroState = (hyper: LstmHyper) => ({
  h: Array.from({ length: hyper.layers }, () => new Float32Array(B * hyper.hiddenDim)),
  c: Array.from({ length: hyper.layers }, () => new Float32Array(B * hyper.hiddenDim)),
});

test('the GEMM kernel equals a plain product for every transposition and ragged shapes', () => {
  const kern = new LstmTrainKernels();
  kern.k.setGemmScratch(kern.alloc(128 * 256 * 4), kern.alloc(600 * 72 * 4), kern.alloc(128));
  const rand = mulberry32(9);
  // K = 300 crosses the kernel's K block (256); M = 133 its row block (128); N = 67 is ragged.
  for (const [M, N, K] of [[5, 3, 7], [133, 67, 300], [1, 9, 1], [64, 64, 64]]) {
    for (const tA of [0, 1]) {
      for (const tB of [0, 1]) {
        for (const acc of [0, 1]) {
          const a = uniformArray(M * K, 1, rand);
          const b = uniformArray(K * N, 1, rand);
          const c0 = uniformArray(M * N, 1, rand);
          const expect = new Float64Array(M * N);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              let s = acc ? c0[i * N + j] : 0;
              for (let k = 0; k < K; k++) s += a[tA ? k * M + i : i * K + k] * b[tB ? j * K + k : k * N + j];
              expect[i * N + j] = s;
            }
          }
          const pa = kern.alloc(a.length * 4), pb = kern.alloc(b.length * 4), pc = kern.alloc(c0.length * 4);
          kern.f32(pa, a.length).set(a);
          kern.f32(pb, b.length).set(b);
          kern.f32(pc, c0.length).set(c0);
          kern.k.gemm(M, N, K, pa, tA ? M : K, tA, pb, tB ? K : N, tB, pc, N, acc);
          const got = kern.f32(pc, M * N);
          let worst = 0;
          for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expect[i]) / (1 + Math.abs(expect[i])));
          assert.ok(worst < 1e-5, `M=${M} N=${N} K=${K} transA=${tA} transB=${tB} acc=${acc}: error ${worst}`);
        }
      }
    }
  }
});

test('dropout masks zero a `rate` share and scale the rest by 1/(1-rate), reproducibly from the seed', () => {
  const kern = new LstmTrainKernels();
  const n = 20000;
  const at = kern.alloc(n * 4);
  kern.k.setSeed(42);
  kern.k.dropoutMask(at, n, 0.2);
  const a = kern.f32(at, n).slice();
  const zeros = a.filter((v) => v === 0).length / n;
  assert.ok(Math.abs(zeros - 0.2) < 0.015, `zero share ${zeros}`);
  assert.ok(a.every((v) => v === 0 || v === Math.fround(1 / 0.8)));
  kern.k.setSeed(42);
  kern.k.dropoutMask(at, n, 0.2);
  assert.deepEqual(kern.f32(at, n).slice(), a);
});

for (const hyper of [untied, tied]) {
  const label = hyper.tied ? 'tied, 1 layer' : 'untied, 2 layers';

  test(`evaluate() equals LstmModel's full-softmax perplexity on the same weights (${label})`, async () => {
    const weights = initial(hyper);
    const ids = corpus(200, hyper.vocabSize, 11);
    const model = LstmModel.fromWeights(hyper, weights);
    const expect = await evaluatePerplexity(model, ids, { batch: 4, bptt: 7 });
    model.dispose();
    const fused = new FusedLstmTrainer(hyper, weights, { batch: B, bptt: 7, sampler: null, evalBatch: 4 });
    const got = fused.evaluate(ids);
    assert.equal(got.tokens, expect.tokens);
    assert.ok(Math.abs(got.ppl - expect.ppl) / expect.ppl < 1e-5, `fused ${got.ppl} vs LstmModel ${expect.ppl}`);
    // Text too short for every stream: fewer streams, as evaluatePerplexity does.
    const short = ids.subarray(0, 5);
    const m2 = LstmModel.fromWeights(hyper, weights);
    const expectShort = await evaluatePerplexity(m2, short, { batch: 4, bptt: 7 });
    m2.dispose();
    const gotShort = fused.evaluate(short);
    assert.equal(gotShort.tokens, expectShort.tokens);
    assert.ok(Math.abs(gotShort.ppl - expectShort.ppl) / expectShort.ppl < 1e-5);
  });

  for (const threads of [1, 2]) test(`sampled-softmax gradients equal TF.js autodiff over the same sample set, state carried (${label}, ${threads} thread(s))`, () => {
    const V = hyper.vocabSize;
    const data = corpus(2 * B * T + B, V, 5);
    const sampler = UnigramSampler.fromIds(data, V, 0.75, mulberry32(8));
    const weights = initial(hyper);
    // With 2 threads the 3 streams split 1 + 2, the gradients summed across them.
    const fused = new FusedLstmTrainer(hyper, weights, { batch: B, bptt: T, sampler, samples: 7, threads });
    let state: { h: Float32Array[]; c: Float32Array[] } = zeroState(hyper);
    let hits = 0;
    for (let s = 0; s < 2; s++) {
      const x = data.subarray(s * B * T, (s + 1) * B * T);
      const y = data.subarray(s * B * T + B, (s + 1) * B * T + B);
      const sample = sampler.sample(7);
      hits += [...y].filter((id) => sample.ids.includes(id)).length;
      const ref = reference(hyper, weights, x, y, state, sample, sampler);
      const got = fused.gradients(x, y, sample);
      assert.ok(Math.abs(got.loss - ref.loss) / ref.loss < 1e-5, `loss ${got.loss} vs ${ref.loss}`);
      for (const [name, g] of ref.grads) {
        const e = relErr(got.grads.get(name)!, g);
        assert.ok(e <= 1e-4, `step ${s} ${name}: relative error ${e}`);
      }
      state = ref.finals; // the next step starts where this one ended, in both
    }
    assert.ok(hits > 0, 'the sample sets should contain some targets (accidental hits)');
    fused.dispose();
  });
}

test('full-softmax gradients (no sampler) equal TF.js autodiff', () => {
  const hyper = untied;
  const data = corpus(B * T + B, hyper.vocabSize, 6);
  const weights = initial(hyper, 4);
  const ref = reference(hyper, weights, data.subarray(0, B * T), data.subarray(B), zeroState(hyper), null, null);
  const got = new FusedLstmTrainer(hyper, weights, { batch: B, bptt: T, sampler: null }).gradients(data.subarray(0, B * T), data.subarray(B));
  assert.ok(Math.abs(got.loss - ref.loss) / ref.loss < 1e-5);
  for (const [name, g] of ref.grads) assert.ok(relErr(got.grads.get(name)!, g) <= 1e-4, name);
});

/** One step's expected weights: clip by global norm, then Adam's first step, in float64. */
function adamFirstStep(weights: NamedWeight[], grads: Map<string, Float32Array>, lr: number, clip: number): Map<string, Float64Array> {
  let sq = 0;
  for (const g of grads.values()) for (const v of g) sq += v * v;
  const scale = Math.min(1, clip / Math.sqrt(sq));
  const step = (lr * Math.sqrt(1 - 0.999)) / (1 - 0.9);
  const out = new Map<string, Float64Array>();
  for (const [name, g] of grads) {
    const x = Float64Array.from(weights.find((w) => w.name === name)!.values);
    for (let i = 0; i < x.length; i++) {
      const gi = g[i] * scale;
      const m = 0.1 * gi;
      const v = 0.001 * gi * gi;
      x[i] -= (m / (Math.sqrt(v) + 1e-8)) * step;
    }
    out.set(name, x);
  }
  return out;
}

test('a step is Adam on the clipped gradients; lazy rows leave untouched rows alone and match dense Adam on touched ones', () => {
  const hyper = untied;
  const V = hyper.vocabSize;
  const data = corpus(2 * B * T + B, V, 12);
  const weights = initial(hyper, 5);
  const make = (rowUpdates: 'lazy' | 'dense') =>
    new FusedLstmTrainer(hyper, weights, { batch: B, bptt: T, sampler: UnigramSampler.fromIds(data, V, 0.75, mulberry32(2)), samples: 5, clip: 0.25, rowUpdates });
  const x1 = data.subarray(0, B * T), y1 = data.subarray(B, B * T + B);
  const { grads } = make('lazy').gradients(x1, y1);
  const expected = adamFirstStep(weights, grads, 0.01, 0.25);
  const lazy = make('lazy');
  const dense = make('dense');
  lazy.step(x1, y1, 0.01);
  dense.step(x1, y1, 0.01);
  const byName = (w: NamedWeight[]) => new Map(w.map((x) => [x.name, x.values]));
  const l1 = byName(lazy.weights());
  const d1 = byName(dense.weights());
  for (const [name, x] of expected) {
    assert.ok(relErr(l1.get(name)!, x) < 1e-6, `lazy ${name}`);
    assert.ok(relErr(d1.get(name)!, x) < 1e-6, `dense ${name}`);
  }
  // Step 2: rows touched in neither step keep their initial values under lazy updates; rows
  // first touched in step 2 (zero moments before) move exactly as under dense Adam.
  const x2 = data.subarray(B * T, 2 * B * T), y2 = data.subarray(B * T + B, 2 * B * T + B);
  const g2 = make('lazy');
  g2.step(x1, y1, 0.01);
  const touched2 = [...g2.gradients(x2, y2).grads.get('embedding/embeddings')!].map((v) => v !== 0);
  lazy.step(x2, y2, 0.01);
  dense.step(x2, y2, 0.01);
  const E = hyper.embedDim;
  const e0 = weights.find((w) => w.name === 'embedding/embeddings')!.values;
  const e1 = d1.get('embedding/embeddings')!;
  const l2 = byName(lazy.weights()).get('embedding/embeddings')!;
  const d2 = byName(dense.weights()).get('embedding/embeddings')!;
  let untouched = 0, fresh = 0;
  for (let row = 0; row < V; row++) {
    const r = (a: Float32Array) => a.subarray(row * E, row * E + E);
    const inStep1 = r(e1).some((v, i) => v !== r(e0)[i]);
    const inStep2 = touched2.slice(row * E, row * E + E).some(Boolean);
    if (!inStep1 && !inStep2) {
      untouched++;
      assert.deepEqual(r(l2), r(e0), `row ${row} untouched, yet moved`);
    } else if (!inStep1 && inStep2) {
      fresh++;
      assert.ok(relErr(r(l2), r(d2)) < 1e-6, `row ${row}: lazy and dense differ on a fresh row`);
    }
  }
  assert.ok(untouched > 0 && fresh > 0, `untouched ${untouched}, fresh ${fresh}: the data should exercise both kinds`);
});

test('bit-reproducible with a seed (dropout on); another seed differs', () => {
  const hyper = { ...tied, dropout: 0.2 };
  const V = hyper.vocabSize;
  const data = corpus(400, V, 13);
  const run = (seed: number) => {
    const f = new FusedLstmTrainer(hyper, initial(hyper), { batch: B, bptt: T, sampler: UnigramSampler.fromIds(data, V, 0.75, mulberry32(seed + 7)), samples: 6, seed });
    const losses: number[] = [];
    for (let s = 0; s < 5; s++) losses.push(f.step(data.subarray(s * B * T, (s + 1) * B * T), data.subarray(s * B * T + B, (s + 1) * B * T + B), 0.01));
    return { losses, w: f.weights().map((w) => w.values) };
  };
  const a = run(1);
  const b = run(1);
  const c = run(2);
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.w, b.w);
  assert.notDeepEqual(a.losses, c.losses);
});

test('the loss falls on a tiny repetitive corpus; memory and tensors stay flat', () => {
  const hyper: LstmHyper = { ...tied, dropout: 0.1 };
  const V = hyper.vocabSize;
  const text = Int32Array.from({ length: 2000 }, (_, i) => [1, 2, 3, 4, 5, 6, 7, 1, 3, 5][i % 10]);
  const f = new FusedLstmTrainer(hyper, initial(hyper), { batch: 4, bptt: 10, sampler: UnigramSampler.fromIds(text, V, 0.75, mulberry32(1)), samples: 8, seed: 1, evalBatch: 4 });
  const { data, rows } = batchify(text, 4);
  const tensors = tf.memory().numTensors;
  const losses: number[] = [];
  let bytes = 0;
  for (let s = 0, pos = 0; s < 300; s++, pos += 10) {
    if (pos + 11 > rows) {
      pos = 0;
      f.resetState();
    }
    losses.push(f.step(data.subarray(pos * 4, (pos + 10) * 4), data.subarray((pos + 1) * 4, (pos + 11) * 4), 0.03));
    if (s === 1) bytes = f.memoryBytes;
  }
  const early = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
  const late = losses.slice(-10).reduce((a, b) => a + b) / 10;
  assert.ok(late < early * 0.5, `loss ${early} -> ${late}`);
  // A unigram model scores ~7 here; below 4 needs the previous tokens.
  const ppl = f.evaluate(text.subarray(0, 500)).ppl;
  assert.ok(ppl < 4, `ppl ${ppl}`);
  const afterEval = f.memoryBytes;
  f.evaluate(text.subarray(0, 500));
  f.step(data.subarray(0, 40), data.subarray(4, 44), 0.01);
  assert.equal(f.memoryBytes, afterEval, 'a second evaluation and more steps allocate nothing');
  assert.ok(bytes > 0 && afterEval >= bytes);
  assert.equal(tf.memory().numTensors, tensors);
});

// Two threads differ from one only in float summation order (the gradient halves are added
// at the end), ~1e-8 relative after 6 Adam steps here; 1e-6 leaves room for other shapes.
test('two threads agree with one: losses, weights after 6 steps and evaluation within 1e-6', () => {
  const hyper: LstmHyper = { ...untied, dropout: 0 };
  const V = hyper.vocabSize;
  const data = corpus(6 * 4 * 5 + 8, V, 21);
  const weights = initial(hyper, 7);
  const run = (threads: number) => {
    const f = new FusedLstmTrainer(hyper, weights, { batch: 4, bptt: 5, sampler: UnigramSampler.fromIds(data, V, 0.75, mulberry32(3)), samples: 9, threads, evalBatch: 4 });
    const losses: number[] = [];
    for (let s = 0; s < 6; s++) losses.push(f.step(data.subarray(s * 20, s * 20 + 20), data.subarray(s * 20 + 4, s * 20 + 24), 0.003));
    const ppl = f.evaluate(data).ppl;
    const w = f.weights();
    f.dispose();
    return { losses, ppl, w };
  };
  const one = run(1);
  const two = run(2);
  for (let s = 0; s < 6; s++) assert.ok(Math.abs(one.losses[s] - two.losses[s]) / one.losses[s] < 1e-6, `step ${s}: ${one.losses[s]} vs ${two.losses[s]}`);
  one.w.forEach((w, i) => assert.ok(relErr(two.w[i].values, w.values) < 1e-6, `${w.name}: ${relErr(two.w[i].values, w.values)}`));
  assert.ok(Math.abs(one.ppl - two.ppl) / one.ppl < 1e-6, `ppl ${one.ppl} vs ${two.ppl}`);
});
