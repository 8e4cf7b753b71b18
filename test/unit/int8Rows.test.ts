// The int8 row kernel (kernels/int8Rows.ts): scores of listed rows against a query agree with the
// float dot product within the quantisation bound, for dims that are and are not multiples of
// 16 or 32, in index order (repeats and gaps allowed), only where asked; bad shapes are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Int8Rows } from '../../src/engine/kernels/int8Rows';
import { mulberry32 } from '../../src/engine/prng';

test('int8 row scores match the float dot products within the quantisation bound', () => {
  const r = mulberry32(5);
  for (const dim of [300, 16, 32, 7, 48, 1]) {
    const count = 57;
    const m = Float32Array.from({ length: count * dim }, () => (r() - 0.5) * (r() < 0.05 ? 8 : 1));
    m.fill(0, 3 * dim, 4 * dim); // a zero row scores 0
    const rows = new Int8Rows(count, dim, 80);
    for (let i = 0; i < count; i++) rows.setRow(i, m, i * dim);
    const q = Float32Array.from({ length: dim }, () => r() - 0.5);
    rows.setQuery(q);
    const order = Array.from({ length: 80 }, (_, t) => (t * 13 + 5) % count); // repeats, any order
    rows.index.set(order);
    rows.out.fill(NaN);
    rows.score(10, 60);
    assert.ok(rows.out.subarray(0, 10).every(Number.isNaN) && rows.out.subarray(70).every(Number.isNaN), 'only entries 10..69 are written');
    const qMax = Math.max(...q.map(Math.abs));
    const qStep = qMax / Math.min(32767, Math.floor((2 ** 31 - 1) / (127 * rows.cols)));
    for (let t = 10; t < 70; t++) {
      const i = order[t];
      let exact = 0, rowAbs = 0, rowMax = 0, qAbs = 0;
      for (let k = 0; k < dim; k++) {
        exact += m[i * dim + k] * q[k];
        rowAbs += Math.abs(m[i * dim + k]);
        rowMax = Math.max(rowMax, Math.abs(m[i * dim + k]));
        qAbs += Math.abs(q[k]);
      }
      const rowStep = rowMax / 127;
      // Each value is off by at most half a step: the dot product by the sum of those errors.
      const bound = (qAbs * rowStep + rowAbs * qStep + dim * rowStep * qStep / 2) / 2 + 1e-6;
      assert.ok(Math.abs(rows.out[t] - exact) <= bound, `dim ${dim}, row ${i}: ${rows.out[t]} vs ${exact} (bound ${bound})`);
      if (i === 3) assert.equal(rows.out[t], 0);
    }
    rows.copyRow(5, 6); // row 6 now scores as row 5
    rows.index.set([5, 6], 0);
    rows.score(0, 2);
    assert.equal(rows.out[1], rows.out[0]);
  }
});

test('int8 rows refuse bad shapes, rows and ranges with a clear message', () => {
  assert.throws(() => new Int8Rows(10, 0, 10), /bad shape 10 x 0/);
  const rows = new Int8Rows(4, 20, 8);
  assert.throws(() => rows.setRow(4, new Float32Array(20)), /row 4 outside 0..3/);
  assert.throws(() => rows.copyRow(0, 4), /rows 0, 4 outside 0..3/);
  assert.throws(() => rows.setQuery(new Float32Array(19)), /query has 19 values, expected 20/);
  assert.throws(() => rows.score(5, 4), /entries 5..9 outside the index of 8/);
  assert.throws(() => new Int8Rows(20_000_000, 300, 1), /exceed a wasm memory/);
});
