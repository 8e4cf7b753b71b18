import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectionCache } from '../../src/engine/projection/projectionCache';
import { projectEmbeddings, type ProjectionFrame, type ProjectionJob } from '../../src/engine/projection/projectionWorker';

/** Three well separated clusters of 100 points in 16-D. */
function planted(): { job: ProjectionJob; cluster: (i: number) => number } {
  const n = 300;
  const dim = 16;
  const matrix = new Float32Array(n * dim);
  let s = 11;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) matrix[i * dim + d] = (d % 3 === i % 3 ? 3 : 0) + rand() * 0.6;
  }
  return { job: { matrix, n, dim, method: 'umap', dims: 2, epochs: 60, every: 10, backend: 'cpu' }, cluster: (i) => i % 3 };
}

/** Share of points whose nearest other point on the map is in the same cluster. */
function sameClusterNearest(coords: Float32Array, n: number, cluster: (i: number) => number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (coords[2 * i] - coords[2 * j]) ** 2 + (coords[2 * i + 1] - coords[2 * j + 1]) ** 2;
      if (d < bestD) [bestD, best] = [d, j];
    }
    if (cluster(best) === cluster(i)) ok++;
  }
  return ok / n;
}

test('aborting stops the worker: the promise rejects with AbortError and no frame follows', async () => {
  const { job } = planted();
  const controller = new AbortController();
  const frames: ProjectionFrame[] = [];
  const run = projectEmbeddings({ ...job, epochs: 2000, every: 1 }, {
    signal: controller.signal,
    onFrame: (f) => {
      frames.push(f);
      if (f.stage === 'umap' && f.epoch >= 3) controller.abort();
    },
  });
  await assert.rejects(run, { name: 'AbortError' });
  const count = frames.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(frames.length, count, 'no frames after the abort');
  assert.ok(frames.at(-1)!.epoch < 2000);
  await assert.rejects(projectEmbeddings(job, { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

// One test, so the worker (seconds to start from source) runs only twice for all these checks.
test('PCA first, then UMAP frames in epoch order; the result is cached per model and reproducible', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-projection-cache-'));
  try {
    const { job, cluster } = planted();
    const cache = new ProjectionCache(dir);
    const model = { cache, modelPath: '/models/a', createdAt: '2026-11-28T10:00:00.000Z' };
    const frames: ProjectionFrame[] = [];
    const first = await projectEmbeddings(job, { cache: model, onFrame: (f) => frames.push(f) });
    assert.equal(frames[0].stage, 'pca');
    assert.equal(frames[0].epoch, 0);
    assert.equal(frames[0].epochs, 60, 'the PCA frame says UMAP follows');
    const umap = frames.slice(1);
    assert.ok(umap.every((f) => f.stage === 'umap' && f.epochs === 60 && f.coords.length === 600 && !f.cached));
    assert.deepEqual(umap.map((f) => f.epoch), [10, 20, 30, 40, 50, 60]);
    assert.equal(first, frames.at(-1));
    assert.ok(first.coords.every(Number.isFinite));
    assert.ok(sameClusterNearest(first.coords, job.n, cluster) > 0.95, 'the planted clusters stay apart on the map');
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.f32')).length, 1);

    // Second request: one cached frame, the same picture, no worker.
    const again: ProjectionFrame[] = [];
    const second = await projectEmbeddings(job, { cache: model, onFrame: (f) => again.push(f) });
    assert.equal(again.length, 1);
    assert.equal(second.cached, true);
    assert.equal(second.stage, 'umap');
    assert.deepEqual(Array.from(second.coords), Array.from(first.coords));

    // A retrained model (new createdAt) misses, and with the same seed gives the same picture.
    const retrained = await projectEmbeddings(job, { cache: { ...model, createdAt: '2026-11-28T11:00:00.000Z' } });
    assert.equal(retrained.cached, false);
    assert.deepEqual(Array.from(retrained.coords), Array.from(first.coords));

    // Other settings are other keys; a damaged file is never used.
    const key = { modelPath: model.modelPath, createdAt: model.createdAt, n: job.n, dim: job.dim, method: 'umap' as const, dims: 2, epochs: 60, seed: 42 };
    assert.ok(await cache.get(key));
    assert.equal(await cache.get({ ...key, dims: 3 }), undefined);
    assert.equal(await cache.get({ ...key, seed: 1 }), undefined);
    fs.writeFileSync(cache.fileFor(key), Buffer.alloc(12));
    assert.equal(await cache.get(key), undefined);
    const nan = new Float32Array(job.n * 2).fill(NaN);
    fs.writeFileSync(cache.fileFor(key), new Uint8Array(nan.buffer));
    assert.equal(await cache.get(key), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad matrix is refused with a clear message before any worker starts', async () => {
  const { job } = planted();
  await assert.rejects(projectEmbeddings({ ...job, n: 301 }), /matrix has 4800 values, expected 301 × 16/);
});
