import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/engine/prng';
import { fuzzySimplicialSet } from '../../src/engine/projection/umapGraph';
import { UmapLayout, type LayoutParams } from '../../src/engine/projection/umapLayout';
import type { KnnGraph } from '../../src/engine/embeddings/neighbors';

/** Exact kNN (self first) of n random points in 4 clusters of 6-D, and a random 2-D start. */
function problem(n: number, k: number, seed: number): { knn: KnnGraph; start: Float64Array } {
  const r = mulberry32(seed);
  const dim = 6;
  const x = Float64Array.from({ length: n * dim }, (_, i) => (Math.floor(i / dim) % 4) * 3 + r());
  const indices: number[][] = [], distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const d = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let c = 0; c < dim; c++) s += (x[i * dim + c] - x[j * dim + c]) ** 2;
      return [Math.sqrt(s), j] as const;
    }).sort((p, q) => p[0] - q[0]).slice(0, k);
    indices.push(d.map((p) => p[1]));
    distances.push(d.map((p) => p[0]));
  }
  return { knn: { indices, distances }, start: Float64Array.from({ length: n * 2 }, () => (r() - 0.5) * 20) };
}

/** The embedding after every `every` epochs, with the given kernel. */
function frames(kernel: 'wasm' | 'js', n: number, every: number, params: Partial<LayoutParams> = {}): { frames: Float64Array[]; wasm: boolean } {
  const { knn, start } = problem(n, 10, 3);
  const embedding = Float64Array.from(start);
  const layout = new UmapLayout(fuzzySimplicialSet(knn, 10), embedding, 2, { a: 1.577, b: 0.895, nEpochs: 60, kernel, ...params }, mulberry32(9));
  const out: Float64Array[] = [];
  try {
    while (!layout.done) {
      layout.step();
      if (layout.epoch % every === 0) out.push(Float64Array.from(embedding));
    }
  } finally {
    layout.dispose();
  }
  return { frames: out, wasm: layout.wasm };
}

const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

test('the wasm epoch kernel follows the JS loop: same seed, the same coordinates bit for bit at every frame', () => {
  const js = frames('js', 200, 10);
  const wasm = frames('wasm', 200, 10);
  assert.equal(js.wasm, false);
  assert.equal(wasm.wasm, true);
  assert.equal(wasm.frames.length, 6);
  for (let f = 0; f < js.frames.length; f++) {
    assert.ok(wasm.frames[f].every(Number.isFinite));
    // Same operations in the same order on f64: bit-for-bit (only fastPow's rare exp/log fallback could differ).
    assert.deepEqual(wasm.frames[f], js.frames[f], `frame ${f}: max difference ${maxDiff(js.frames[f], wasm.frames[f])}`);
  }
  // The layout moved the points: the comparison is not between two untouched starts.
  assert.ok(maxDiff(js.frames[0], problem(200, 10, 3).start) > 0.1);
});

test('the wasm kernel with a helper thread updates the caller\'s embedding every step', () => {
  const threaded = frames('wasm', 200, 20, { threads: 2 });
  assert.equal(threaded.wasm, true);
  assert.equal(threaded.frames.length, 3);
  for (const f of threaded.frames) assert.ok(f.every(Number.isFinite));
  assert.ok(maxDiff(threaded.frames[0], threaded.frames[2]) > 0);
});
