import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, caseInsensitiveLookup, evaluateWordPairs, pearson, spearman } from '../../src/engine/embeddings/wordsim';

// 2-d unit vectors: 'base' is (1,0); each other word sits at an angle whose cosine with base is given.
function vectors(cosines: Record<string, number>): { words: string[]; matrix: Float32Array } {
  const words = ['base', ...Object.keys(cosines)];
  const matrix = new Float32Array(words.length * 2);
  matrix[0] = 1;
  words.slice(1).forEach((w, i) => {
    const c = cosines[w];
    matrix[(i + 1) * 2] = c * 3; // scaled: cosine must not depend on length
    matrix[(i + 1) * 2 + 1] = Math.sqrt(1 - c * c) * 3;
  });
  return { words, matrix };
}

test('average ranks give tied values the mean of their ranks', () => {
  assert.deepEqual(averageRanks([10, 20, 20, 5, 20]), [2, 4, 4, 1, 4]);
});

test('spearman and pearson match hand-computed values with a tie', () => {
  // gold ranks [1, 2.5, 2.5, 4], model ranks [1, 3, 2, 4] -> rho = 4.5 / sqrt(4.5 * 5) = 3/sqrt(10)
  const gold = [1, 2, 2, 4];
  const model = [0.1, 0.3, 0.2, 0.4];
  assert.ok(Math.abs(spearman(gold, model) - 3 / Math.sqrt(10)) < 1e-12);
  // sxy = 0.45, sxx = 4.75, syy = 0.05
  assert.ok(Math.abs(pearson(gold, model) - 0.45 / Math.sqrt(4.75 * 0.05)) < 1e-12);
});

test('evaluateWordPairs: comments and malformed lines skipped, OOV counted as a percentage, case-insensitive', () => {
  const { words, matrix } = vectors({ w1: 0.1, w2: 0.3, w3: 0.2, w4: 0.4 });
  const text = [
    '# a comment\tline\t1',
    'BASE\tw1\t1',
    'base\tW2\t2',
    'Base\tw3\t2.0',
    'base\tw4\t4\r',
    'base\tunknown\t3',      // OOV: skipped and counted
    'nope\tw1\t5',           // OOV
    'base\tw1',              // malformed: not counted
    'base\tw1\tnot-a-number', // malformed
    '',
  ].join('\n');
  const r = evaluateWordPairs(text, caseInsensitiveLookup(words, matrix, 2));
  assert.equal(r.pairs, 4);
  assert.equal(r.oovPairs, 2);
  assert.ok(Math.abs(r.oov - (2 / 6) * 100) < 1e-9);
  assert.ok(Math.abs(r.spearman - 3 / Math.sqrt(10)) < 1e-6);
  assert.ok(Math.abs(r.pearson - 0.45 / Math.sqrt(4.75 * 0.05)) < 1e-6);
});

test('case variants: the first (most frequent) variant supplies the vector', () => {
  const words = ['apple', 'Apple', 'pear'];
  const matrix = new Float32Array([1, 0, 0, 1, 1, 0]);
  const lookup = caseInsensitiveLookup(words, matrix, 2);
  assert.deepEqual(Array.from(lookup('APPLE')!), [1, 0]);
  assert.equal(lookup('apple'), undefined, 'lookup keys are upper-cased words');
});

test('restrictVocab leaves later words out of the vocabulary', () => {
  const lookup = caseInsensitiveLookup(['a', 'b', 'c'], new Float32Array(6).fill(1), 2, 2);
  assert.ok(lookup('B'));
  assert.equal(lookup('C'), undefined);
});

test('no scorable pair is a clear error', () => {
  const lookup = caseInsensitiveLookup(['a'], new Float32Array([1, 0]), 2);
  assert.throws(() => evaluateWordPairs('x\ty\t1\n', lookup), /No valid similarity judgements.*1 pairs are out of the vocabulary/);
});
