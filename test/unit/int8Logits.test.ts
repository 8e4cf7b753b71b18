import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/kernels/backend';
import { Int8Logits, INT8_MIN_WEIGHTS } from '../../src/engine/kernels/int8Logits';
import { LstmModel } from '../../src/engine/lstm/lstm';
import { mulberry32 } from '../../src/engine/prng';

before(async () => {
  await initBackend();
});

/** h · W + bias in float64 (W [H, V] row-major). */
function exactLogits(h: ArrayLike<number>, W: ArrayLike<number>, bias: ArrayLike<number>, H: number, V: number): Float64Array {
  const out = Float64Array.from(bias);
  for (let k = 0; k < H; k++) for (let v = 0; v < V; v++) out[v] += h[k] * W[k * V + v];
  return out;
}

test('int8 logits match h · W + bias within the quantisation bound, for any H', () => {
  const r = mulberry32(3);
  for (const [H, V] of [[200, 333], [16, 5], [256, 1000], [7, 64]]) {
    const W = Float32Array.from({ length: H * V }, () => (r() - 0.5) * (r() < 0.1 ? 4 : 0.5));
    for (let k = 0; k < H; k++) W[k * V + 1] = 0; // a word whose column is all zero
    const h = Float32Array.from({ length: H }, () => Math.tanh((r() - 0.5) * 4));
    const bias = Float32Array.from({ length: V }, () => r() - 0.5);
    const out = new Float32Array(V);
    const max = new Int8Logits(W, H, V).logits(h, bias, out);
    const exact = exactLogits(h, W, bias, H, V);
    for (let v = 0; v < V; v++) {
      let colMax = 0;
      for (let k = 0; k < H; k++) colMax = Math.max(colMax, Math.abs(W[k * V + v]));
      // Each weight is off by at most half a step (colMax / 254), each h by 1 / 32766.
      const bound = H * (colMax / 254 + colMax / 32766) + 1e-5;
      assert.ok(Math.abs(out[v] - exact[v]) <= bound, `H=${H} v=${v}: ${out[v]} vs ${exact[v]} (bound ${bound})`);
    }
    assert.equal(out[1], bias[1], 'an all-zero column gives the bias exactly');
    assert.ok(Math.abs(max - Math.max(...out)) < 1e-5, 'returns the max of the logits');
  }
  assert.throws(() => new Int8Logits(new Float32Array(10), 3, 4), /expected 3 x 4/);
});

test('LstmModel serves large output layers as int8: same argmax, log-probs within 0.05, greedy consistent', () => {
  const H = 256;
  const V = Math.ceil(INT8_MIN_WEIGHTS / H) + 4; // just over the threshold
  const model = LstmModel.create({ vocabSize: V, embedDim: H, hiddenDim: H, layers: 1, tied: true, dropout: 0 }, 2);
  const small = LstmModel.create({ vocabSize: 3000, embedDim: H, hiddenDim: H, layers: 1, tied: true, dropout: 0 }, 2);
  try {
    assert.equal(model.servingOutput, 'int8');
    assert.equal(small.servingOutput, 'float32');
    for (const [m, vocab, tolerance] of [[model, V, 0.05], [small, 3000, 1e-4]] as const) {
      const weights = new Map(m.weights().map((w) => [w.name, w.values]));
      const emb = weights.get('embedding/embeddings')!; // tied: the output kernel is its transpose
      const bias = weights.get('dense/bias')!;
      let state = m.initialState();
      for (const id of [5, 17, 99, 3]) state = m.advance(state, id);
      const h = state.h[0];
      const W = new Float32Array(H * vocab);
      for (let v = 0; v < vocab; v++) for (let k = 0; k < H; k++) W[k * vocab + v] = emb[v * H + k];
      const logits = exactLogits(h, W, bias, H, vocab);
      let max = -Infinity;
      for (const x of logits) max = Math.max(max, x);
      let sum = 0;
      for (const x of logits) sum += Math.exp(x - max);
      const lse = max + Math.log(sum);
      const lp = m.logProbs(state);
      let worst = 0, best = 0, bestExact = 0;
      for (let v = 0; v < vocab; v++) {
        worst = Math.max(worst, Math.abs(lp[v] - (logits[v] - lse)));
        if (lp[v] > lp[best]) best = v;
        if (logits[v] > logits[bestExact]) bestExact = v;
      }
      assert.ok(worst < tolerance, `V=${vocab}: max |Δ log p| ${worst}`);
      assert.equal(best, bestExact, `V=${vocab}: the most likely next token`);
      assert.equal(m.greedy(state, {}), best, 'greedy picks argmax(logProbs)');
    }
  } finally {
    model.dispose();
    small.dispose();
  }
});
