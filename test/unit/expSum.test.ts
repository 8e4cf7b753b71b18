import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpSum } from '../../src/engine/kernels/expSum';
import { mulberry32 } from '../../src/engine/prng';

const reference = (x: Float32Array, max: number) => x.reduce((s, v) => s + Math.exp(v - max), 0);

test('ExpSum matches Σ exp(x - max) to 1e-6 at every length and spread', () => {
  const r = mulberry32(4);
  const es = new ExpSum(5000);
  for (const [n, spread] of [[5000, 40], [4999, 3], [1, 10], [6, 200], [4, 0]]) {
    const x = Float32Array.from({ length: n }, () => (r() - 0.8) * spread);
    const max = x.reduce((m, v) => Math.max(m, v), -Infinity);
    const want = reference(x, max);
    const got = es.sum(x, max);
    assert.ok(Math.abs(got / want - 1) < 1e-6, `n=${n} spread=${spread}: ${got} vs ${want}`);
  }
});

test('ExpSum: -Infinity logits add nothing, NaN poisons the sum, too many values are refused', () => {
  const es = new ExpSum(8);
  const x = Float32Array.from([0, -Infinity, -Infinity, -Infinity, 0, -Infinity, -1000, -Infinity]);
  assert.ok(Math.abs(es.sum(x, 0) - 2) < 1e-6);
  assert.ok(Number.isNaN(es.sum(Float32Array.from([0, NaN, 0, 0]), 0)));
  assert.throws(() => es.sum(new Float32Array(9), 0), /9 values, capacity 8/);
});
