import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/kernels/backend';
import { EmbeddingIndex } from '../../src/engine/embeddings/neighbors';
import { nnDescentKnn } from '../../src/engine/projection/nnDescent';
import { Int8PairScorer } from '../../src/engine/kernels/int8Pairs';
import { umapProject } from '../../src/engine/projection/projection';
import { mulberry32 } from '../../src/engine/prng';

before(async () => {
  await initBackend();
});

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/** Points near a few random directions, with a low-dimensional spread inside each group (as
 *  trained embeddings are), plus some exact duplicates and a zero row. */
function fixture(n: number, dim: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const groups = Array.from({ length: 12 }, () => Array.from({ length: dim }, () => gauss(r)));
  const axes = Array.from({ length: 4 }, () => Array.from({ length: dim }, () => gauss(r)));
  const m = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const g = groups[i % groups.length];
    const z = axes.map(() => gauss(r));
    for (let d = 0; d < dim; d++) m[i * dim + d] = g[d] * 2 + axes.reduce((s, a, k) => s + a[d] * z[k], 0) + gauss(r) * 0.2;
  }
  m.copyWithin(7 * dim, 3 * dim, 4 * dim); // row 7 = row 3
  m.fill(0, 11 * dim, 12 * dim); // row 11 = 0
  return m;
}

function exact(matrix: Float32Array, n: number, dim: number, k: number) {
  const index = new EmbeddingIndex(Array.from({ length: n }, (_, i) => String(i)), matrix, dim);
  try {
    return index.knn(k);
  } finally {
    index.dispose();
  }
}

test('nnDescent finds nearly all exact cosine neighbours, in the same graph shape', async () => {
  const n = 3000, dim = 30, k = 15;
  const matrix = fixture(n, dim, 1);
  const approx = await nnDescentKnn(matrix, n, dim, k, { seed: 1 });
  const truth = exact(matrix, n, dim, k);
  assert.equal(approx.indices.length, n);
  let hit = 0;
  approx.indices.forEach((row, i) => {
    assert.equal(row.length, k);
    assert.equal(row[0], i, 'self first');
    assert.equal(approx.distances[i][0], 0);
    assert.equal(new Set(row).size, k, `row ${i} repeats a neighbour`);
    // Sorted nearest first, distances euclidean between unit rows as the exact graph gives them.
    for (let j = 2; j < k; j++) assert.ok(approx.distances[i][j] >= approx.distances[i][j - 1]);
    const s = new Set(truth.indices[i].slice(1));
    for (const j of row.slice(1)) if (s.has(j)) hit++;
  });
  const recall = hit / (n * (k - 1));
  assert.ok(recall > 0.97, `recall ${recall}`);
  // Where both found the same neighbour, the distance agrees.
  const j = approx.indices[0][1];
  const t = truth.indices[0].indexOf(j);
  if (t > 0) assert.ok(Math.abs(approx.distances[0][1] - truth.distances[0][t]) < 1e-5);
  // The duplicate row's nearest neighbour is its twin, at distance ~0.
  assert.equal(approx.indices[7][1], 3);
  assert.ok(approx.distances[7][1] < 1e-3);
});

test('nnDescent is deterministic for a seed, reports progress and can be cancelled', async () => {
  const n = 1500, dim = 16;
  const matrix = fixture(n, dim, 2);
  const iterations: number[] = [];
  const a = await nnDescentKnn(matrix, n, dim, 10, { seed: 5, onProgress: (it) => iterations.push(it) });
  const b = await nnDescentKnn(matrix, n, dim, 10, { seed: 5 });
  assert.deepEqual(a, b);
  assert.equal(iterations[0], 0, 'the trees report first');
  assert.ok(iterations.length >= 2 && iterations.every((it, i) => it === i));
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(nnDescentKnn(matrix, n, dim, 10, { signal: controller.signal }), { name: 'AbortError' });
  await assert.rejects(nnDescentKnn(matrix, n, dim, 1), /k must be an integer in 2\.\.1500/);
  await assert.rejects(nnDescentKnn(matrix, n, 15, 10), /expected 1500 x 15/);
});

test('nnDescent handles dims that are not a multiple of 4 and tiny inputs', async () => {
  const n = 40, dim = 7;
  const matrix = fixture(n, dim, 3);
  const approx = await nnDescentKnn(matrix, n, dim, n, { seed: 1 }); // every other point
  const truth = exact(matrix, n, dim, n);
  for (let i = 0; i < n; i++) assert.deepEqual(new Set(approx.indices[i]), new Set(truth.indices[i]));
});

test('umapProject uses NN-descent when asked (and above EXACT_KNN_MAX) and says so', async () => {
  const n = 600, dim = 12;
  const matrix = fixture(n, dim, 4);
  const viaDescent = await umapProject(matrix, n, dim, { seed: 1, nEpochs: 20, knnMethod: 'nndescent' });
  const viaExact = await umapProject(matrix, n, dim, { seed: 1, nEpochs: 20 });
  assert.equal(viaDescent.knnMethod, 'nndescent');
  assert.equal(viaExact.knnMethod, 'exact');
  let same = 0;
  viaDescent.knn.indices.forEach((row, i) => (same += row.filter((j) => viaExact.knn.indices[i].includes(j)).length));
  assert.ok(same / (n * 15) > 0.97, `graphs agree on ${same / (n * 15)}`);
});

test('int8 pair cosines are within 2% of the float ones, zero rows score 0, batches are bounded', () => {
  const r = mulberry32(8);
  for (const dim of [300, 7, 16]) {
    const n = 40;
    const m = Float32Array.from({ length: n * dim }, () => (r() - 0.5) * (r() < 0.05 ? 8 : 1));
    m.fill(0, 5 * dim, 6 * dim);
    const rows = Int8PairScorer.create(n, dim, 64)!;
    assert.ok(rows, 'this runtime has WebAssembly SIMD');
    for (let i = 0; i < n; i++) rows.setRow(i, m, i * dim);
    rows.ids.set(Array.from({ length: n }, (_, j) => j));
    for (const i of [0, 5, 17]) {
      rows.score(i, n);
      for (let j = 0; j < n; j++) {
        let dot = 0, a = 0, b = 0;
        for (let d = 0; d < dim; d++) {
          dot += m[i * dim + d] * m[j * dim + d];
          a += m[i * dim + d] ** 2;
          b += m[j * dim + d] ** 2;
        }
        const cos = a > 0 && b > 0 ? dot / Math.sqrt(a * b) : 0;
        assert.ok(Math.abs(rows.out[j] - cos) < 0.02, `dim ${dim}, rows ${i}, ${j}: ${rows.out[j]} vs ${cos}`);
      }
    }
    assert.throws(() => rows.score(0, 65), /65 ids exceed the batch of 64/);
  }
});

test('nnDescent with int8 similarities finds as many exact neighbours as with float32 ones, with exact distances', async () => {
  const n = 2000, dim = 300, k = 15;
  const matrix = fixture(n, dim, 6);
  const truth = exact(matrix, n, dim, k);
  const recall = (g: { indices: number[][] }) => {
    let hit = 0;
    g.indices.forEach((row, i) => {
      const s = new Set(truth.indices[i].slice(1));
      for (const j of row.slice(1)) if (s.has(j)) hit++;
    });
    return hit / (n * (k - 1));
  };
  const viaInt8 = await nnDescentKnn(matrix, n, dim, k, { seed: 3 });
  const viaFloat = await nnDescentKnn(matrix, n, dim, k, { seed: 3, int8: false });
  assert.ok(recall(viaInt8) >= recall(viaFloat) - 0.01, `int8 recall ${recall(viaInt8)}, float ${recall(viaFloat)}`);
  assert.ok(recall(viaInt8) > 0.95, `int8 recall ${recall(viaInt8)}`);
  // Distances are the float ones (re-scored), sorted nearest first.
  for (const i of [0, 999, 1999]) {
    viaInt8.indices[i].forEach((j, t) => {
      const e = truth.indices[i].indexOf(j);
      if (e >= 0) assert.ok(Math.abs(viaInt8.distances[i][t] - truth.distances[i][e]) < 1e-5, `row ${i}, neighbour ${j}`);
    });
  }
});
