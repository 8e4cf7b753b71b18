import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFormat, readVectors, tsvMetadataPath, writeVectors, type VectorFormat } from '../../src/engine/io/vectors';

const dir = mkdtempSync(join(tmpdir(), 'wordlens-vectors-'));
const words = ['the', 'Zürich', '東京', 'naïve-café', '<eos>', '😀'];
const dim = 3;
// Values that need up to 9 significant digits to survive as float32.
const matrix = Float32Array.from({ length: words.length * dim }, (_, i) => Math.fround(Math.sin(i + 1) * 10 ** ((i % 5) - 2)));

const cases: [VectorFormat, string][] = [
  ['word2vec', 'v.txt'], ['word2vec-bin', 'v.bin'], ['glove', 'glove.txt'], ['fasttext', 'v.vec'], ['tsv', 'vectors.tsv'],
];

for (const [format, name] of cases) {
  test(`${format}: unicode words round-trip bit-exactly and the format is detected`, async () => {
    const path = join(dir, name);
    await writeVectors(path, format, words, matrix, dim);
    const back = await readVectors(path, format);
    assert.deepEqual(back.words, words);
    assert.equal(back.dim, dim);
    assert.deepEqual(Array.from(back.matrix), Array.from(matrix));
    assert.equal(back.duplicates, 0);
    assert.equal(await detectFormat(path), format);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');
  });
}

test('tsv keeps words with spaces; metadata sits beside the vectors', async () => {
  const path = join(dir, 'spaced-vectors.tsv');
  await writeVectors(path, 'tsv', ['new york', 'a b c'], new Float32Array([1, 2, 3, 4]), 2);
  assert.equal(tsvMetadataPath(path), join(dir, 'spaced-metadata.tsv'));
  assert.equal(readFileSync(join(dir, 'spaced-metadata.tsv'), 'utf8'), 'new york\na b c\n');
  const back = await readVectors(path, 'tsv');
  assert.deepEqual(back.words, ['new york', 'a b c']);
});

test('formats that cannot hold a space in a word refuse it clearly, and write nothing', async () => {
  for (const format of ['word2vec', 'word2vec-bin', 'glove', 'fasttext'] as VectorFormat[]) {
    const path = join(dir, `spaced.${format}`);
    await assert.rejects(writeVectors(path, format, ['ok', 'new york'], new Float32Array(4), 2), /word 1 "new york" contains whitespace.*TSV format allows spaces/);
    assert.ok(!readdirSync(dir).some((f) => f.includes(`spaced.${format}`)));
  }
  await assert.rejects(writeVectors(join(dir, 'tab.tsv'), 'tsv', ['a\tb'], new Float32Array(2), 2), /tab or newline/);
});

test('a GloVe file whose words contain spaces (as some published ones do) is read', async () => {
  const path = join(dir, 'spaces-glove.txt');
  writeFileSync(path, 'the 1 2\nat name@example.com 3 4\n');
  const back = await readVectors(path, 'glove');
  assert.deepEqual(back.words, ['the', 'at name@example.com']);
  assert.deepEqual(Array.from(back.matrix), [1, 2, 3, 4]);
});

test('word2vec binary also reads files without the newline after each vector (gensim style)', async () => {
  const path = join(dir, 'nonl.bin');
  const v = Buffer.alloc(8); v.writeFloatLE(1.5, 0); v.writeFloatLE(-2, 4);
  const w = Buffer.alloc(8); w.writeFloatLE(3, 0); w.writeFloatLE(4, 4);
  writeFileSync(path, Buffer.concat([Buffer.from('2 2\nab '), v, Buffer.from('cd '), w]));
  const back = await readVectors(path, 'word2vec-bin');
  assert.deepEqual(back.words, ['ab', 'cd']);
  assert.deepEqual(Array.from(back.matrix), [1.5, -2, 3, 4]);
});

test('duplicate words: the first is kept and the rest counted', async () => {
  const path = join(dir, 'dup.txt');
  writeFileSync(path, '3 2\na 1 2\nb 3 4\na 5 6\n');
  const back = await readVectors(path, 'word2vec');
  assert.deepEqual(back.words, ['a', 'b']);
  assert.deepEqual(Array.from(back.matrix), [1, 2, 3, 4]);
  assert.equal(back.duplicates, 1);
});

async function rejects(content: string | Buffer, format: VectorFormat, message: RegExp, name = 'bad'): Promise<void> {
  const path = join(dir, `${name}-${format}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, content);
  await assert.rejects(readVectors(path, format), (e: Error) => {
    assert.ok(e.message.startsWith(path), `names the file: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}

test('bad text input names the file, the line and the fault', async () => {
  await rejects('', 'word2vec', /file is empty/);
  await rejects('2 3\na 1 2 3\nb 1 2\n', 'word2vec', /:3: expected a word and 3 numbers, found 2 values/);
  await rejects('2 3\na 1 2 3\nb 1 2 3 4\n', 'word2vec', /:3: expected a word and 3 numbers, found 4 values/);
  await rejects('2 2\na 1 2\nb 1 x\n', 'word2vec', /:3: value 2 of "b" is not a finite number: "x"/);
  await rejects('2 2\na 1 2\nb 1 nan\n', 'fasttext', /:3: value 2 of "b" is not a finite number/);
  await rejects('3 2\na 1 2\nb 1 2\n', 'word2vec', /header declares 3 words but the file has 2 \(truncated\?\)/);
  await rejects('a 1 2\nb 1 2\n', 'word2vec', /:1: expected a header "<words> <dimensions>"/);
  await rejects('2 2\n', 'word2vec', /no vectors/);
  await rejects('a 1 2\nb 3\n', 'glove', /:2: expected a word and 2 numbers, found 1 values/);
});

test('bad binary input names the file, the entry and the fault', async () => {
  const two = Buffer.alloc(8);
  await rejects(Buffer.concat([Buffer.from('2 2\na '), two, Buffer.from('\nb '), two.subarray(0, 5)]), 'word2vec-bin', /entry 2 "b" \(byte \d+\): truncated vector, 5 of 8 bytes/);
  await rejects(Buffer.concat([Buffer.from('3 2\na '), two, Buffer.from('\n')]), 'word2vec-bin', /entry 2 .*file ends after 1 of the 3 words/);
  await rejects(Buffer.concat([Buffer.from('1 2\na '), two, Buffer.from('\nb '), two]), 'word2vec-bin', /data after the 1 words the header declares/);
  const nan = Buffer.alloc(8); nan.writeFloatLE(NaN, 4);
  await rejects(Buffer.concat([Buffer.from('1 2\na '), nan]), 'word2vec-bin', /entry 1 "a" .*value 2 is not a finite number/);
  await rejects('', 'word2vec-bin', /file is empty/);
});

test('bad TSV input: row widths, non-numbers, and metadata that does not match', async () => {
  const write = (name: string, vectors: string, metadata: string) => {
    const p = join(dir, `${name}-vectors.tsv`);
    writeFileSync(p, vectors);
    writeFileSync(tsvMetadataPath(p), metadata);
    return p;
  };
  await assert.rejects(readVectors(write('w', '1\t2\n3\n', 'a\nb\n'), 'tsv'), /w-vectors\.tsv:2: expected 2 tab-separated numbers \(as on line 1\), found 1/);
  await assert.rejects(readVectors(write('n', '1\t2\n3\tz\n', 'a\nb\n'), 'tsv'), /n-vectors\.tsv:2: value 2 is not a finite number: "z"/);
  await assert.rejects(readVectors(write('c', '1\t2\n3\t4\n', 'a\n'), 'tsv'), /more rows than .*c-metadata\.tsv has words \(1\)/);
  await assert.rejects(readVectors(write('m', '1\t2\n', 'a\nb\n'), 'tsv'), /has 1 rows but .*m-metadata\.tsv has 2 words/);
  await assert.rejects(readVectors(join(dir, 'none-vectors.tsv'), 'tsv'), /none-vectors\.tsv: vectors file not found/);
  // A multi-column metadata file has a header row; the first column is the word.
  const p = write('h', '1\t2\n3\t4\n', 'word\tcount\nx\t5\ny\t6\n');
  assert.deepEqual((await readVectors(p, 'tsv')).words, ['x', 'y']);
});

test('writeVectors checks the matrix size', async () => {
  await assert.rejects(writeVectors(join(dir, 'bad.txt'), 'word2vec', ['a'], new Float32Array(3), 2), /matrix has 3 values; 1 words × 2 needs 2/);
});

test('skipUnwritable leaves out words the format cannot hold (code tokens) and lists them', async () => {
  const path = join(dir, 'code.txt');
  const r = await writeVectors(path, 'word2vec', ['def', ' f', '\n    ', 'x'], new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), 2, { skipUnwritable: true });
  assert.deepEqual(r, { written: 2, skipped: [' f', '\n    '] });
  const back = await readVectors(path, 'word2vec');
  assert.deepEqual(back.words, ['def', 'x']);
  assert.deepEqual(Array.from(back.matrix), [1, 2, 7, 8]);
  const tsv = await writeVectors(join(dir, 'code-vectors.tsv'), 'tsv', ['def', ' f', '\n    '], new Float32Array(6), 2, { skipUnwritable: true });
  assert.deepEqual(tsv.skipped, ['\n    ']);
  await assert.rejects(writeVectors(join(dir, 'none.txt'), 'glove', [' a'], new Float32Array(2), 2, { skipUnwritable: true }), /none of the 1 words can be stored/);
});
