import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { EmbeddingIndex } from '../../src/engine/embeddings/neighbors';
import { pca, PCA_SAMPLE_ROWS, umapProject, neighborhoodPreservation } from '../../src/engine/projection/projection';
import { mulberry32 } from '../../src/engine/prng';
import { fastPow } from '../../src/engine/projection/umapLayout';

before(async () => {
  await initBackend();
});

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** `clusters` Gaussian blobs of `per` points in `dim` dimensions, centres far apart. */
function blobs(clusters: number, per: number, dim: number, seed: number): { matrix: Float32Array; label: number[] } {
  const r = mulberry32(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => gauss(r) * 4));
  const matrix = new Float32Array(clusters * per * dim);
  const label: number[] = [];
  for (let c = 0; c < clusters; c++) {
    for (let p = 0; p < per; p++) {
      const i = c * per + p;
      label.push(c);
      for (let d = 0; d < dim; d++) matrix[i * dim + d] = centres[c][d] + gauss(r) * 0.5;
    }
  }
  return { matrix, label };
}

test('pca: shapes, variance order and planted directions, deterministic', () => {
  const n = 400, dim = 6;
  const r = mulberry32(3);
  // Planted axes (orthonormal) with standard deviations 3, 2, 1 and a little noise.
  const axes = [[1, 1, 0, 0, 0, 0], [1, -1, 0, 0, 0, 0], [0, 0, 1, 1, 1, 1]].map((v) => v.map((x) => x / Math.hypot(...v)));
  const sds = [3, 2, 1];
  const matrix = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const z = sds.map((s) => gauss(r) * s);
    for (let d = 0; d < dim; d++) matrix[i * dim + d] = 5 + axes.reduce((s, a, k) => s + a[d] * z[k], 0) + gauss(r) * 0.05;
  }
  const p = pca(matrix, n, dim, 3);
  assert.equal(p.dims, 3);
  assert.equal(p.coords.length, n * 3);
  const ev = p.explainedVarianceRatio;
  assert.ok(ev[0] > ev[1] && ev[1] > ev[2], `order ${ev}`);
  assert.ok(Math.abs(ev[0] - 9 / 14) < 0.08 && Math.abs(ev[1] - 4 / 14) < 0.08, `ratios ${ev}`);
  // Coordinates are centred and PC1 correlates with the planted first axis.
  const pc1 = Array.from({ length: n }, (_, i) => p.coords[i * 3]);
  const along = Array.from({ length: n }, (_, i) => axes[0].reduce((s, a, d) => s + a * matrix[i * dim + d], 0));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean(pc1)) < 1e-3);
  const ma = mean(along);
  const corr = pc1.reduce((s, x, i) => s + x * (along[i] - ma), 0) / Math.sqrt(pc1.reduce((s, x) => s + x * x, 0) * along.reduce((s, x) => s + (x - ma) ** 2, 0));
  assert.ok(Math.abs(corr) > 0.99, `corr ${corr}`);
  assert.deepEqual(pca(matrix, n, dim, 3).coords, p.coords);
  assert.throws(() => pca(matrix, n, 5, 2), /expected 400 x 5/);
});

test('pca above PCA_SAMPLE_ROWS: the covariance from a sample still finds the planted axes, and every row is projected', () => {
  const n = PCA_SAMPLE_ROWS + 20_000, dim = 6;
  const r = mulberry32(9);
  const a = new Float32Array(n), b = new Float32Array(n);
  const m = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    a[i] = r() - 0.5; b[i] = r() - 0.5;
    // Axis 1 along (1,1,0,..)/sqrt2 with spread 5, axis 2 along e3 with spread 2, noise 0.05.
    for (let d = 0; d < dim; d++) m[i * dim + d] = (r() - 0.5) * 0.05;
    m[i * dim] += (5 * a[i]) / Math.SQRT2; m[i * dim + 1] += (5 * a[i]) / Math.SQRT2; m[i * dim + 2] += 2 * b[i] + 3;
  }
  const { coords, explainedVarianceRatio } = pca(m, n, dim, 2);
  const corr = (x: Float32Array, axis: number) => {
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < n; i++) { const y = coords[i * 2 + axis]; sxy += x[i] * y; sxx += x[i] * x[i]; syy += y * y; }
    return Math.abs(sxy) / Math.sqrt(sxx * syy);
  };
  assert.ok(corr(a, 0) > 0.999 && corr(b, 1) > 0.999, `axes ${corr(a, 0)}, ${corr(b, 1)}`);
  assert.ok(explainedVarianceRatio[0] > 0.8, 'the first axis holds most of the variance');
  // The last rows (outside any sample's stride pattern) are projected too, centred by the mean.
  assert.ok(Math.abs(coords[(n - 1) * 2] - (5 * a[n - 1] * Math.sign(coords[0] / a[0]))) < 0.1);
});

test('pca: a 3-D projection extends the 2-D one; a 1-D matrix gets a zero second axis; a bad sample size is refused', () => {
  const { matrix } = blobs(3, 40, 8, 1);
  const two = pca(matrix, 120, 8, 2).coords, three = pca(matrix, 120, 8, 3).coords;
  for (let i = 0; i < 120; i++) {
    assert.ok(Math.abs(three[i * 3] - two[i * 2]) < 1e-5 && Math.abs(three[i * 3 + 1] - two[i * 2 + 1]) < 1e-5, `row ${i}`);
  }
  assert.ok(new Set(Array.from({ length: 120 }, (_, i) => three[i * 3 + 2])).size > 100, 'the third axis varies');
  const line = Float32Array.from({ length: 50 }, (_, i) => i);
  const flat = pca(line, 50, 1, 2).coords;
  assert.ok(flat.every((v, i) => (i % 2 === 1 ? v === 0 : Number.isFinite(v))));
  assert.throws(() => pca(matrix, 120, 8, 2, 1), /sampleRows must be an integer >= 2, got 1/);
});

test('umapProject: shapes, same seed same map, another seed another map', async () => {
  const { matrix } = blobs(3, 40, 8, 1);
  const a = await umapProject(matrix, 120, 8, { seed: 7, nEpochs: 60, nNeighbors: 10 });
  const b = await umapProject(matrix, 120, 8, { seed: 7, nEpochs: 60, nNeighbors: 10 });
  const c = await umapProject(matrix, 120, 8, { seed: 8, nEpochs: 60, nNeighbors: 10 });
  assert.equal(a.dims, 2);
  assert.equal(a.coords.length, 240);
  assert.ok(a.coords.every(Number.isFinite));
  assert.deepEqual(a.coords, b.coords);
  assert.notDeepEqual(a.coords, c.coords);
  const three = await umapProject(matrix, 120, 8, { seed: 7, nEpochs: 20, nNeighbors: 10, nComponents: 3 });
  assert.equal(three.coords.length, 360);
  await assert.rejects(umapProject(matrix, 120, 8, { nNeighbors: 200 }), /too few/);
});

for (const threads of [1, 2]) test(`umapProject keeps planted clusters apart and neighbours together (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
  const clusters = 4, per = 60, dim = 16, n = clusters * per;
  const { matrix, label } = blobs(clusters, per, dim, 2);
  const index = new EmbeddingIndex(label.map(String), matrix, dim);
  const knn = index.knn(16);
  index.dispose();
  const map = await umapProject(matrix, n, dim, { seed: 1, knn, nNeighbors: 15, nEpochs: 200, threads });
  assert.equal(map.threads, threads);
  // Every point's nearest point on the map belongs to its cluster.
  let pure = 0;
  for (let i = 0; i < n; i++) {
    let best = -1, bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (map.coords[2 * i] - map.coords[2 * j]) ** 2 + (map.coords[2 * i + 1] - map.coords[2 * j + 1]) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (label[best] === label[i]) pure++;
  }
  assert.equal(pure, n);
  // Clusters are separated: each centroid is farther from the others than the cluster's spread.
  const centroid = (c: number) => [0, 1].map((d) => label.reduce((s, l, i) => s + (l === c ? map.coords[2 * i + d] : 0), 0) / per);
  const cs = [...Array(clusters).keys()].map(centroid);
  for (let c = 0; c < clusters; c++) {
    const spread = Math.max(...label.map((l, i) => (l === c ? Math.hypot(map.coords[2 * i] - cs[c][0], map.coords[2 * i + 1] - cs[c][1]) : 0)));
    for (let o = 0; o < clusters; o++) if (o !== c) assert.ok(Math.hypot(cs[c][0] - cs[o][0], cs[c][1] - cs[o][1]) > spread, `clusters ${c},${o}`);
  }
  const kept = neighborhoodPreservation(knn, map, 15);
  const pcaKept = neighborhoodPreservation(knn, pca(matrix, n, dim, 2), 15);
  assert.ok(kept > 0.3 && kept > pcaKept, `UMAP keeps ${kept}, PCA ${pcaKept}`);
});

test('progressive callback fires every few epochs and a signal cancels', async () => {
  const { matrix } = blobs(2, 30, 4, 3);
  const seen: number[] = [];
  const done = await umapProject(matrix, 60, 4, { seed: 1, nEpochs: 50, nNeighbors: 5, reportEvery: 10, onEpoch: (coords, epoch, total) => {
    assert.equal(coords.length, 120);
    assert.equal(total, 50);
    seen.push(epoch);
  } });
  assert.deepEqual(seen, [10, 20, 30, 40, 50]);
  assert.equal(done.epochs, 50);

  const ac = new AbortController();
  let calls = 0;
  const run = umapProject(matrix, 60, 4, { seed: 1, nEpochs: 100000, nNeighbors: 5, reportEvery: 1, signal: ac.signal, onEpoch: () => {
    if (++calls === 3) ac.abort();
  } });
  await assert.rejects(run, { name: 'AbortError' });
  assert.ok(calls < 100000);
});

test('neighborhoodPreservation is 1 for the data itself and low for noise', () => {
  const n = 200;
  const r = mulberry32(9);
  const pts = Array.from({ length: n }, () => [r(), r()]);
  const index = new EmbeddingIndex(pts.map((_, i) => String(i)), Float32Array.from(pts.flat()), 2);
  index.dispose();
  // Euclidean kNN of the 2-D points themselves, self first.
  const knn = pts.map((p, i) => [i, ...pts.map((_, j) => j).filter((j) => j !== i).sort((x, y) => Math.hypot(p[0] - pts[x][0], p[1] - pts[x][1]) - Math.hypot(p[0] - pts[y][0], p[1] - pts[y][1]))].slice(0, 11));
  assert.equal(neighborhoodPreservation(knn, pts, 10), 1);
  const noise = pts.map(() => [r(), r()]);
  assert.ok(neighborhoodPreservation(knn, noise, 10) < 0.2);
});

test('no tensor leaks from pca and umapProject', async () => {
  const { matrix } = blobs(2, 20, 4, 4);
  await umapProject(matrix, 40, 4, { nEpochs: 5, nNeighbors: 5 });
  const count = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    pca(matrix, 40, 4, 2);
    await umapProject(matrix, 40, 4, { nEpochs: 5, nNeighbors: 5 });
  }
  assert.equal(tf.memory().numTensors, count);
});

test('fastPow matches Math.pow to 2e-5 over the whole range the layout meets', () => {
  const r = mulberry32(11);
  for (const b of [0.5, 0.79, 0.9, 1.2, 1.9]) {
    for (let i = 0; i < 20000; i++) {
      const x = Math.exp((r() - 0.5) * 200); // 1e-43 .. 1e43: float32 subnormals and overflow too
      const want = Math.pow(x, b);
      const got = fastPow(x, b);
      assert.ok(Math.abs(got / want - 1) < 2e-5, `${x}^${b}: ${got} vs ${want}`);
    }
    assert.ok(Math.abs(fastPow(1, b) - 1) < 2e-5);
  }
});

test('threaded epochs: 3-D works and a cancel stops the run', async () => {
  const { matrix } = blobs(3, 40, 8, 5);
  const three = await umapProject(matrix, 120, 8, { seed: 2, nEpochs: 40, nNeighbors: 10, nComponents: 3, threads: 2 });
  assert.equal(three.coords.length, 360);
  assert.ok(three.coords.every(Number.isFinite));
  const ac = new AbortController();
  let calls = 0;
  const run = umapProject(matrix, 120, 8, { seed: 1, nEpochs: 100000, nNeighbors: 10, reportEvery: 1, threads: 2, signal: ac.signal, onEpoch: () => {
    if (++calls === 5) ac.abort();
  } });
  await assert.rejects(run, { name: 'AbortError' });
  assert.ok(calls < 100000);
});
