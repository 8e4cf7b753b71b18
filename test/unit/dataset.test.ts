import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDataset, encodeText, splitIndex } from '../../src/engine/text/dataset';
import { createTokenizer } from '../../src/engine/text/tokenizer';

const ws = createTokenizer('whitespace');
const code = createTokenizer('code');

// 11 lines + a trailing newline = 12 lines (Python's split("\n")), cut = int(12 * 0.9) = 10:
// lines 0..9 train, "the bird sat" and the final empty line are validation.
const TEXT = 'the cat sat\nthe dog\n\na cat ran\nthe end\nx\nthe cat\ndog sat\ny\nz\nthe bird sat\n';

test('whitespace, one file: anchors split, vocabulary of the training lines only, unseen -> <unk>', () => {
  const d = buildDataset([{ path: 't.txt', text: TEXT }], ws);
  // Training counts: <eos> 10, the 4, cat 3, sat 2, dog 2 (sat seen first), then a ran end x y z once each.
  assert.deepEqual(d.vocab.toJSON().words, ['<unk>', '<eos>', 'the', 'cat', 'sat', 'dog', 'a', 'ran', 'end', 'x', 'y', 'z']);
  assert.equal(d.vocab.size, 12); // = len(set(train words) | {"<unk>"}) in anchor_kn.py
  assert.deepEqual([...d.train], [2, 3, 4, 1, 2, 5, 1, 1, 6, 3, 7, 1, 2, 8, 1, 9, 1, 2, 3, 1, 5, 4, 1, 10, 1, 11, 1]);
  // "bird" is unseen in training; the trailing empty line still yields an <eos>.
  assert.deepEqual([...d.valid], [2, 0, 4, 1, 1]);
  assert.equal(d.tokens, 32);
});

test('splitIndex truncates like Python int(n * (1 - 0.1))', () => {
  assert.equal(splitIndex(12), 10);
  assert.equal(splitIndex(10), 9);
  assert.equal(splitIndex(3761), 3384);
  assert.equal(splitIndex(1), 0);
});

test('several files: each file holds out its own tail', () => {
  const a = 'a1\na2\na3\na4\na5\na6\na7\na8\na9\na10'; // cut 9: a10 held out
  const b = 'b1\nb2'; // cut int(1.8) = 1: b2 held out
  const d = buildDataset([{ path: 'a', text: a }, { path: 'b', text: b }], ws);
  const words = (ids: Int32Array) => [...ids].map((i) => d.vocab.word(i));
  assert.deepEqual(words(d.valid), ['<unk>', '<eos>', '<unk>', '<eos>']);
  assert.equal(d.vocab.has('b1'), true);
  assert.equal(d.vocab.has('b2'), false);
  assert.equal(d.vocab.has('a9'), true);
  assert.equal(d.train.length, 2 * 9 + 2);
});

test('code tokenizer: split before the line break, parts rejoin to the exact text', () => {
  const text = Array.from({ length: 10 }, (_, i) => `v${i} = ${i}`).join('\r\n'); // 10 lines, cut 9
  const d = buildDataset([{ path: 'c.ts', text }], code);
  const words = (ids: Int32Array) => [...ids].map((i) => d.vocab.word(i));
  assert.deepEqual(words(d.valid), ['\r\n', '<unk>', ' =', '<unk>']);
  assert.equal(code.detokenize(words(d.train)) + '\r\nv9 = 9', text);
});

test('options: minCount, maxVocab and validShare', () => {
  const d = buildDataset([{ path: 't', text: TEXT }], ws, { minCount: 2 });
  assert.deepEqual(d.vocab.toJSON().words, ['<unk>', '<eos>', 'the', 'cat', 'sat', 'dog']);
  assert.equal(buildDataset([{ path: 't', text: TEXT }], ws, { maxVocab: 4 }).vocab.size, 4);
  const all = buildDataset([{ path: 't', text: TEXT }], ws, { validShare: 0 });
  assert.equal(all.valid.length, 0);
  assert.equal(all.vocab.has('bird'), true);
  assert.throws(() => buildDataset([{ path: 't', text: TEXT }], ws, { validShare: 1 }), /validShare must be in \[0, 1\)/);
});

test('too little text fails with a clear message', () => {
  assert.throws(() => buildDataset([], ws), /corpus is empty/);
  assert.throws(() => buildDataset([{ path: 'one', text: 'hello' }], ws), /No training text: the 1 file\(s\) hold 2 token\(s\)/);
});

test('encodeText maps another text with the vocabulary', () => {
  const d = buildDataset([{ path: 't', text: TEXT }], ws);
  assert.deepEqual([...encodeText('the owl\ncat', ws, d.vocab)], [2, 0, 1, 3, 1]);
});
