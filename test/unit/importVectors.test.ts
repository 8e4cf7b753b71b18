// The streaming import (engine/io/importVectors.ts) on small files in each real format:
// the folder it writes loads back with the file's words and values, `<unk>` in row 0,
// repeated words skipped; bad files fail with one clear line and leave the target alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importVectors, MATRIX_FILE } from '../../src/engine/io/importVectors';
import { loadModel } from '../../src/engine/io/store';
import { detectFormat } from '../../src/engine/io/vectors';
import { initBackend } from '../../src/engine/kernels/backend';
import { EmbeddingIndex } from '../../src/engine/embeddings/neighbors';
import { readIvf } from '../../src/engine/embeddings/ivfIndex';
import { clusteredMatrix } from '../../bench/lib/clusteredVectors';

const fixtures = join(__dirname, '..', 'fixtures', 'vectors');
const work = mkdtempSync(join(tmpdir(), 'wordlens-import-'));
let folders = 0;
const freshDir = () => join(work, `model${++folders}`);

/** The folder's rows as { word: values }. */
async function rowsOf(dir: string): Promise<Record<string, number[]>> {
  const saved = await loadModel(dir);
  const emb = saved.weights.find((w) => w.name === 'embedding/embeddings')!;
  const dim = emb.shape[1];
  return Object.fromEntries(saved.vocab.words.map((w, i) => [w, Array.from(emb.values.subarray(i * dim, (i + 1) * dim))]));
}
const f32 = (xs: number[]) => xs.map(Math.fround);

test('word2vec text with CRLF, trailing spaces, a non-ASCII word, a repeat and <unk> last', async () => {
  const file = join(fixtures, 'word2vec-crlf.txt');
  assert.equal(await detectFormat(file), 'word2vec');
  const dir = freshDir();
  const result = await importVectors(file, dir);
  assert.deepEqual(result, { words: 4, dim: 3, duplicates: 1, addedUnk: false });
  const saved = await loadModel(dir);
  assert.deepEqual(saved.vocab.words, ['<unk>', 'the', 'café', 'of'], '<unk> moves to row 0, the rest keep the file order');
  assert.deepEqual(await rowsOf(dir), {
    '<unk>': f32([0.5, 0.5, 0.5]), the: f32([0.1, 0.2, 0.3]), café: f32([-1.5, 2, 0.03]), of: [0, 0, 1],
  }, 'the first "the" is kept');
  assert.equal(saved.meta.kind, 'vectors');
  assert.equal(statSync(join(dir, MATRIX_FILE)).size, 4 * 3 * 4, 'the matrix is one raw float32 file');
});

test('word2vec binary (word2vec.c layout) with a non-ASCII word', async () => {
  const file = join(fixtures, 'word2vec.bin');
  assert.equal(await detectFormat(file), 'word2vec-bin');
  const dir = freshDir();
  assert.deepEqual(await importVectors(file, dir), { words: 4, dim: 2, duplicates: 0, addedUnk: true });
  assert.deepEqual(await rowsOf(dir), { '<unk>': [0, 0], the: [0.5, -1], Köln: [2, 0.25], of: f32([1e-3, 3.5]) });
});

test('GloVe without a header and fastText .vec', async () => {
  const glove = join(fixtures, 'glove.6B.3d.txt');
  assert.equal(await detectFormat(glove), 'glove');
  const g = freshDir();
  assert.deepEqual(await importVectors(glove, g), { words: 5, dim: 3, duplicates: 0, addedUnk: true });
  const grows = await rowsOf(g);
  assert.deepEqual(Object.keys(grows), ['<unk>', 'the', 'naïve', ',', 'of']);
  assert.deepEqual(grows[','], f32([-0.25539, -0.25723, 0.13169]));

  const vec = join(fixtures, 'fasttext.vec');
  assert.equal(await detectFormat(vec), 'fasttext');
  const v = freshDir();
  await importVectors(vec, v);
  const vrows = await rowsOf(v);
  assert.deepEqual(Object.keys(vrows), ['<unk>', 'the', '</s>', 'Zürich']);
  assert.deepEqual(vrows['Zürich'], f32([0.1, 0.2, 0.3, 0.4]));
});

test('a truncated last line or vector fails with the file, the place and the fault; the old folder stays', async () => {
  const dir = freshDir();
  await importVectors(join(fixtures, 'word2vec.bin'), dir);
  await assert.rejects(importVectors(join(fixtures, 'word2vec-truncated.txt'), dir),
    /word2vec-truncated\.txt:4: expected a word and 2 numbers, found 1 values after "and" \(truncated last line\?\)/);
  await assert.rejects(importVectors(join(fixtures, 'word2vec-truncated.bin'), dir),
    /word2vec-truncated\.bin: entry 3 "of" \(byte 32\): truncated vector, 4 of 8 bytes/);
  assert.deepEqual(Object.keys(await rowsOf(dir)), ['<unk>', 'the', 'Köln', 'of'], 'the previous import is intact');
  assert.deepEqual(readdirSync(work).filter((n) => n.startsWith('.')), [], 'no temp folder left behind');
});

test('progress reaches the whole file; an abort stops the import and keeps the old folder', async () => {
  // 3,000 rows of 50: enough rows for several progress ticks.
  const file = join(work, 'big.txt');
  const lines = ['3000 50'];
  for (let i = 0; i < 3000; i++) lines.push(`w${i} ` + Array.from({ length: 50 }, (_, k) => ((i * 7 + k) % 13) / 10).join(' '));
  writeFileSync(file, lines.join('\n') + '\n');
  const dir = freshDir();
  const seen: number[] = [];
  const result = await importVectors(file, dir, { onProgress: (done, total) => seen.push(done / total) });
  assert.equal(result.words, 3001);
  assert.equal(seen.at(-1), 1);
  assert.ok(seen.every((x, i) => i === 0 || x >= seen[i - 1]), 'progress never goes back');

  const controller = new AbortController();
  controller.abort();
  await assert.rejects(importVectors(join(fixtures, 'word2vec.bin'), dir, { signal: controller.signal }), { name: 'AbortError' });
  assert.equal((await loadModel(dir)).vocab.words.length, 3001, 'the aborted import changed nothing');
});

test('a large import gets its neighbour index, which loads back and agrees with exact search', async () => {
  await initBackend('cpu');
  const file = join(work, 'clustered.txt');
  const n = 3000, dim = 16;
  const m = clusteredMatrix(n, dim, 5, 50);
  writeFileSync(file, [`${n} ${dim}`, ...Array.from({ length: n }, (_, i) => `w${i} ${Array.from(m.subarray(i * dim, (i + 1) * dim)).join(' ')}`)].join('\n') + '\n');
  const dir = freshDir();
  const stages = new Set<string>();
  const result = await importVectors(file, dir, { indexFrom: 1000, onIndexProgress: (stage) => stages.add(stage) });
  assert.ok(result.index && result.index.recall >= 0.95, JSON.stringify(result.index));
  assert.deepEqual([...stages], ['kmeans', 'assign', 'tune']);
  const saved = await loadModel(dir);
  const emb = saved.weights[0];
  const ivf = await readIvf(dir, n + 1, dim);
  assert.ok(ivf, 'neighbors.ivf is in the folder');
  const index = new EmbeddingIndex(saved.vocab.words, emb.values, dim);
  index.attachApproximate(ivf);
  let same = 0;
  for (let i = 1; i <= 100; i++) {
    const exact = new Set(index.nearest(`w${i * 29}`, 10, 'cosine', undefined, true).map((x) => x.word));
    same += index.nearest(`w${i * 29}`, 10).filter((x) => exact.has(x.word)).length;
  }
  index.dispose();
  assert.ok(same / 1000 >= 0.95, `recall@10 ${same / 1000}`);
  const problems: string[] = [];
  assert.equal(await readIvf(dir, n, dim, (p) => problems.push(p)), undefined);
  assert.match(problems[0], /neighbors\.ivf: IVF index: built for 3001 x 16, the model is 3000 x 16; using exact search/);
});

test('refuses to replace a folder that is not a model folder', async () => {
  writeFileSync(join(work, 'x'), '');
  await assert.rejects(importVectors(join(fixtures, 'word2vec.bin'), join(work, 'x')), /it is a file, not a folder/);
});
