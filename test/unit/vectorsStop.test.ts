// A stop during a vectors import or export: reading ends with an AbortError within a few rows,
// a write leaves the file that was there (or none) and no temp beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVectors, writeVectors, type VectorFormat } from '../../src/engine/io/vectors';

const ROWS = 20_000;
const DIM = 8;
const words = Array.from({ length: ROWS }, (_, i) => `w${i}`);
const matrix = Float32Array.from({ length: ROWS * DIM }, (_, i) => (i % 97) / 97);

for (const format of ['glove', 'word2vec', 'word2vec-bin'] as VectorFormat[]) {
  test(`${format}: a stopped read rejects with AbortError; a stopped write keeps the old file, no temp`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wordlens-vectors-stop-'));
    const file = join(dir, `vectors.${format}`);
    await writeVectors(file, format, words, matrix, DIM);
    assert.equal((await readVectors(file, format)).words.length, ROWS, 'the file reads whole without a stop');
    const before = readFileSync(file);

    await assert.rejects(readVectors(file, format, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    // A smaller matrix would change the file: the stop must leave the old bytes.
    await assert.rejects(writeVectors(file, format, words.slice(0, 10), matrix.subarray(0, 10 * DIM), DIM, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.deepEqual(readFileSync(file), before);
    assert.deepEqual(readdirSync(dir), [`vectors.${format}`]);
  });
}

test('a stopped write of a new file leaves nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordlens-vectors-stop-'));
  writeFileSync(join(dir, 'other.txt'), 'unrelated');
  await assert.rejects(writeVectors(join(dir, 'new.txt'), 'glove', words, matrix, DIM, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.deepEqual(readdirSync(dir), ['other.txt']);
});
