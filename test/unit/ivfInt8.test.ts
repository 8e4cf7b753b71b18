// The IVF lists scanned in int8 (embeddings/ivfInt8.ts), as EmbeddingIndex.nearest uses them:
// on a clustered 20k x 32 set its top 10 keep recall@10 >= 0.95 against exact search and agree
// with the float32 scan of the same lists, in both layouts; scores are the exact cosines; exact
// search stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/kernels/backend';
import { EmbeddingIndex } from '../../src/engine/embeddings/neighbors';
import { buildIvf, memorySource, normalizeRows } from '../../src/engine/embeddings/ivfBuild';
import { dot } from '../../src/engine/embeddings/ivfIndex';
import { Int8IvfScan } from '../../src/engine/embeddings/ivfInt8';
import { clusteredMatrix, HARD } from '../../bench/lib/clusteredVectors';

const n = 20_000, dim = 32;

test('int8 IVF scan: recall@10 >= 0.95 against exact, agrees with the float32 scan, exact scores', async () => {
  await initBackend('cpu');
  const matrix = clusteredMatrix(n, dim, 3, 100, HARD);
  const ivf = await buildIvf(memorySource(matrix, n, dim));
  const words = Array.from({ length: n }, (_, i) => `w${i}`);
  const index = new EmbeddingIndex(words, matrix, dim);
  const unit = Float32Array.from(matrix);
  normalizeRows(unit, dim);
  const truth = (id: number) => new Set(index.nearest(`w${id}`, 10).map((x) => x.id)); // before attaching: exact
  const queries = Array.from({ length: 206 }, (_, i) => 7 + 97 * i);
  const truths = queries.map(truth);
  index.attachApproximate(ivf);
  const scan = new Int8IvfScan(ivf, unit);
  const once = new Int8IvfScan(ivf, unit, false); // each row stored once: the same answers
  let found = 0, same = 0;
  queries.forEach((id, i) => {
    const got = index.nearest(`w${id}`, 10);
    assert.equal(got.length, 10);
    assert.ok(!got.some((h) => h.id === id), 'the word itself is left out');
    for (const h of got) assert.equal(h.score, dot(unit, h.id * dim, unit.subarray(id * dim, (id + 1) * dim), dim), 're-scored exactly');
    assert.ok(got.every((h, j) => j === 0 || h.score <= got[j - 1].score), 'best first');
    found += got.filter((h) => truths[i].has(h.id)).length;
    const q = unit.subarray(id * dim, (id + 1) * dim);
    const float32 = new Set(ivf.search(unit, q, 10, new Set([id])).map((h) => h.id));
    const mine = scan.search(q, 10, new Set([id]));
    same += mine.filter((h) => float32.has(h.id)).length;
    assert.deepEqual(once.search(q, 10, new Set([id])), mine);
  });
  const recall = found / queries.length / 10;
  assert.ok(recall >= 0.95, `recall@10 ${recall.toFixed(3)} with nprobe ${ivf.nprobe} of ${ivf.nlist}`);
  assert.ok(same / queries.length / 10 >= 0.99, `agreement with the float32 scan ${(same / queries.length / 10).toFixed(3)}`);
  // Exact search is still there, and with a single candidate the int8 order alone decides.
  assert.deepEqual(index.nearest('w7', 10, 'cosine', undefined, true).map((x) => x.id), [...truths[0]]);
  assert.equal(scan.search(unit.subarray(0, dim), 1, undefined, ivf.nprobe, 1).length, 1);
  index.dispose();
});

test('int8 IVF scan refuses a matrix of another shape', async () => {
  await initBackend('cpu');
  const matrix = clusteredMatrix(2000, 16, 3, 100, HARD);
  const ivf = await buildIvf(memorySource(matrix, 2000, 16), { probes: 20 });
  assert.throws(() => new Int8IvfScan(ivf, new Float32Array(1999 * 16)), /31984 values, expected 2000 x 16/);
});
