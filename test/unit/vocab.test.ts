import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vocab } from '../../src/engine/text/vocab';

const TOKENS = ['b', 'a', '<eos>', 'a', 'c', '<unk>', 'b', '<eos>', 'd', 'a'];
// counts: a 3, b 2, <eos> 2, c 1, <unk> 1, d 1; first occurrence order b, a, c, d.

test('build: <unk> 0, <eos> 1, then by descending count with ties by first occurrence', () => {
  const v = Vocab.build(TOKENS);
  assert.deepEqual(v.toJSON(), { words: ['<unk>', '<eos>', 'a', 'b', 'c', 'd'], counts: [1, 2, 3, 2, 1, 1] });
  assert.equal(v.size, 6);
  assert.equal(v.unkId, 0);
  assert.equal(v.eosId, 1);
  assert.equal(v.id('b'), 3);
  assert.equal(v.id('zzz'), 0);
  assert.equal(v.has('zzz'), false);
  assert.equal(v.word(4), 'c');
  assert.equal(v.count(2), 3);
  assert.throws(() => v.word(6), /out of range/);
});

test('build: no <eos> id when it never occurs', () => {
  const v = Vocab.build(['x', 'y', 'x']);
  assert.equal(v.eosId, -1);
  assert.deepEqual(v.toJSON().words, ['<unk>', 'x', 'y']);
});

test('build: minCount and maxSize send the rest to <unk>, whose count includes them', () => {
  const min = Vocab.build(TOKENS, { minCount: 2 });
  assert.deepEqual(min.toJSON(), { words: ['<unk>', '<eos>', 'a', 'b'], counts: [3, 2, 3, 2] });
  const cap = Vocab.build(TOKENS, { maxSize: 3 });
  assert.deepEqual(cap.toJSON().words, ['<unk>', '<eos>', 'a']);
  assert.deepEqual([...cap.encode(['a', 'b', '<eos>', 'q'])], [2, 0, 1, 0]);
  assert.equal(cap.count(0), 5);
  assert.throws(() => Vocab.build(TOKENS, { minCount: 0 }), /minCount/);
});

test('encode maps unknown tokens to <unk> and accepts any iterable', () => {
  const v = Vocab.build(TOKENS);
  const ids = v.encode(new Set(['a', 'nope', '<eos>']));
  assert.ok(ids instanceof Int32Array);
  assert.deepEqual([...ids], [2, 0, 1]);
});

test('toJSON / fromJSON round trip', () => {
  const v = Vocab.build(TOKENS);
  const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.toJSON(), v.toJSON());
  assert.equal(back.eosId, 1);
  assert.equal(back.id('d'), v.id('d'));
});

test('fromJSON names what is wrong', () => {
  assert.throws(() => Vocab.fromJSON([]), /expected an object/);
  assert.throws(() => Vocab.fromJSON({ words: 'a', counts: [] }), /"words" is not an array/);
  assert.throws(() => Vocab.fromJSON({ words: ['<unk>'], counts: {} }), /"counts" is not an array/);
  assert.throws(() => Vocab.fromJSON({ words: ['<unk>', 'a'], counts: [1] }), /counts length 1 does not match words length 2/);
  assert.throws(() => Vocab.fromJSON({ words: ['<unk>', 'a', 'a'], counts: [1, 1, 1] }), /duplicate word "a" at index 2/);
  assert.throws(() => Vocab.fromJSON({ words: ['a'], counts: [1] }), /missing <unk>/);
  assert.throws(() => Vocab.fromJSON({ words: ['<unk>', 3], counts: [1, 1] }), /index 1 is not a string/);
  assert.throws(() => Vocab.fromJSON({ words: ['<unk>'], counts: [-1] }), /non-negative integer/);
});
