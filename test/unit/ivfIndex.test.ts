// The approximate neighbour index (IVF): on a clustered 20k x 32 set its top 10 agree with
// exact search (EmbeddingIndex) at recall >= 0.95 with the nprobe it tuned itself, scanning a
// fraction of the rows; it survives a save/load round trip; a foreign or mismatched file is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/kernels/backend';
import { EmbeddingIndex } from '../../src/engine/embeddings/neighbors';
import { buildIvf, memorySource, normalizeRows } from '../../src/engine/embeddings/ivfBuild';
import { IvfIndex } from '../../src/engine/embeddings/ivfIndex';
import { clusteredMatrix, HARD } from '../../bench/lib/clusteredVectors';

const n = 20_000, dim = 32;

test('IVF recall@10 >= 0.95 against exact search on a clustered 20k x 32 set; save/load keeps it', async () => {
  await initBackend('cpu');
  const matrix = clusteredMatrix(n, dim, 3, 100, HARD); // overlapping clusters: nprobe must be tuned, not 1
  const stages = new Set<string>();
  const ivf = await buildIvf(memorySource(matrix, n, dim), { onProgress: (stage) => stages.add(stage) });
  assert.deepEqual([...stages], ['kmeans', 'assign', 'tune']);
  assert.ok(ivf.nprobe < ivf.nlist / 2, `nprobe ${ivf.nprobe} of ${ivf.nlist} lists: most rows are not scanned`);
  assert.ok(ivf.recall >= 0.95, `tuned recall ${ivf.recall}`);

  const exact = new EmbeddingIndex(Array.from({ length: n }, (_, i) => `w${i}`), matrix, dim);
  const unit = Float32Array.from(matrix);
  normalizeRows(unit, dim);
  let found = 0, total = 0;
  for (let id = 7; id < n; id += 97) { // 206 words the tuning did not choose on purpose
    const truth = new Set(exact.nearest(`w${id}`, 10).map((x) => x.id));
    const got = ivf.search(unit, unit.subarray(id * dim, (id + 1) * dim), 10, new Set([id]));
    assert.equal(got.length, 10);
    assert.ok(got.every((h, i) => i === 0 || h.score <= got[i - 1].score), 'best first');
    found += got.filter((h) => truth.has(h.id)).length;
    total += 10;
  }
  exact.dispose();
  const recall = found / total;
  assert.ok(recall >= 0.95, `recall@10 ${recall.toFixed(3)} with nprobe ${ivf.nprobe} of ${ivf.nlist}`);

  const back = IvfIndex.deserialize(ivf.serialize(), n, dim);
  assert.equal(back.nprobe, ivf.nprobe);
  assert.equal(back.recall, Math.fround(ivf.recall));
  assert.deepEqual(back.ids, ivf.ids);
  const q = unit.subarray(0, dim);
  assert.deepEqual(back.search(unit, q, 10), ivf.search(unit, q, 10));

  assert.throws(() => IvfIndex.deserialize(ivf.serialize(), n + 1, dim), /built for 20000 x 32, the model is 20001 x 32/);
  assert.throws(() => IvfIndex.deserialize(new Uint8Array(64), n, dim), /not a Wordlens neighbour index/);
  assert.throws(() => IvfIndex.deserialize(ivf.serialize().subarray(0, 100), n, dim), /bytes, expected/);
});
