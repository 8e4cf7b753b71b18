import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { EmbeddingIndex } from '../../src/engine/embeddings/neighbors';
import { mulberry32, uniformArray } from '../../src/engine/prng';

before(async () => {
  await initBackend();
});

// A small planted vocabulary: a gender direction and a royalty direction in 4-D.
const words = ['man', 'woman', 'king', 'queen', 'apple', 'pear', 'zero'];
const rows = [
  [1, 0, 0, 0.1],
  [0, 1, 0, 0.1],
  [1, 0, 1, 0.1],
  [0, 1, 1, 0.1],
  [0, 0, 0, 5],
  [0.1, 0, 0, 4.5],
  [0, 0, 0, 0],
];
const matrix = Float32Array.from(rows.flat());

/** n values uniform in [-0.5, 0.5), seeded. */
function rand(n: number, seed: number): Float32Array {
  return uniformArray(n, 0.5, mulberry32(seed));
}

function bruteCosine(m: Float32Array, dim: number, i: number, j: number): number {
  let dot = 0, a = 0, b = 0;
  for (let d = 0; d < dim; d++) {
    dot += m[i * dim + d] * m[j * dim + d];
    a += m[i * dim + d] ** 2;
    b += m[j * dim + d] ** 2;
  }
  return dot / Math.sqrt(a * b);
}

test('nearest by cosine excludes the word itself and ranks by similarity', () => {
  const index = new EmbeddingIndex(words, matrix, 4);
  const got = index.nearest('apple', 3);
  assert.deepEqual(got.map((n) => n.word), ['pear', 'man', 'woman']); // 0.1/|man| > 0.1/|king|
  assert.ok(Math.abs(got[0].score - bruteCosine(matrix, 4, 4, 5)) < 1e-5);
  assert.ok(got[0].score >= got[1].score && got[1].score >= got[2].score);
  index.dispose();
});

test('nearest by euclidean uses raw vectors and returns distances, ascending', () => {
  const index = new EmbeddingIndex(words, matrix, 4);
  const got = index.nearest([0, 0, 0, 4.6], 2, 'euclidean');
  assert.deepEqual(got.map((n) => n.word), ['pear', 'apple']);
  assert.ok(Math.abs(got[0].score - Math.hypot(0.1, 0.1)) < 1e-5);
  assert.ok(Math.abs(got[1].score - 0.4) < 1e-5);
  const excl = index.nearest([0, 0, 0, 4.6], 1, 'euclidean', new Set([5]));
  assert.equal(excl[0].word, 'apple');
  index.dispose();
});

test('analogy man:king :: woman:? gives queen by 3CosAdd and 3CosMul, excluding inputs', () => {
  const index = new EmbeddingIndex(words, matrix, 4);
  for (const method of ['3cosadd', '3cosmul'] as const) {
    const got = index.analogy('man', 'king', 'woman', 3, method);
    assert.equal(got[0].word, 'queen', method);
    assert.ok(!got.some((n) => ['man', 'king', 'woman'].includes(n.word)), method);
  }
  index.dispose();
});

test('unknown words and bad input fail with clear errors', () => {
  const index = new EmbeddingIndex(words, matrix, 4);
  assert.throws(() => index.analogy('man', 'kingdom', 'woman', 1), /"kingdom" is not in the vocabulary/);
  assert.throws(() => index.nearest('nope', 1), /"nope" is not in the vocabulary/);
  assert.throws(() => index.nearest([1, 2], 1), /2 values, the embeddings have 4/);
  assert.throws(() => new EmbeddingIndex(['a', 'b'], new Float32Array(5), 3), /expected 2 words x 3/);
  index.dispose();
  assert.throws(() => index.nearest('man', 1), /after dispose/);
});

test('knn matches brute force: self first at 0, then cosine order, blocks crossing', () => {
  const n = 300, dim = 8, k = 6;
  const m = rand(n * dim, 42);
  const index = new EmbeddingIndex(Array.from({ length: n }, (_, i) => `w${i}`), m, dim);
  const { indices, distances } = index.knn(k);
  assert.equal(indices.length, n);
  for (let i = 0; i < n; i++) {
    assert.equal(indices[i].length, k);
    assert.equal(indices[i][0], i);
    assert.equal(distances[i][0], 0);
    const brute = [...Array(n).keys()].filter((j) => j !== i).sort((a, b) => bruteCosine(m, dim, i, b) - bruteCosine(m, dim, i, a));
    assert.deepEqual(indices[i].slice(1), brute.slice(0, k - 1), `row ${i}`);
    for (let j = 1; j < k; j++) {
      const expected = Math.sqrt(2 - 2 * bruteCosine(m, dim, i, indices[i][j]));
      assert.ok(Math.abs(distances[i][j] - expected) < 1e-3);
      assert.ok(distances[i][j] >= distances[i][j - 1]);
    }
  }
  index.dispose();
});

test('knn is exact across block boundaries (n large enough for several row blocks)', () => {
  // 5,000 rows: blocks of 3,355 rows (16M floats / n), so pairs cross blocks both ways.
  const n = 5000, dim = 8, k = 16;
  const m = rand(n * dim, 7);
  const index = new EmbeddingIndex(Array.from({ length: n }, (_, i) => `w${i}`), m, dim);
  const { indices } = index.knn(k);
  index.dispose();
  for (let s = 0; s < 120; s++) {
    const i = s < 20 ? 3345 + s : Math.floor((s * n) / 120); // around the boundary, then spread
    const sims = Float64Array.from({ length: n }, (_, j) => (j === i ? -Infinity : bruteCosine(m, dim, i, j)));
    const best = [...Array(n).keys()].sort((a, b) => sims[b] - sims[a]).slice(0, k - 1);
    assert.equal(indices[i][0], i);
    // Exact up to float32 ties: the kth similarity agrees and every kept one is at least it.
    const kth = sims[best[k - 2]];
    for (const j of indices[i].slice(1)) assert.ok(sims[j] >= kth - 1e-6, `row ${i}: ${j} is not among the ${k - 1} nearest`);
    assert.deepEqual(new Set(indices[i].slice(1)).size, k - 1);
  }
});

test('knnAsync gives the same graph, reports progress and can be cancelled', async () => {
  const n = 200, dim = 5;
  const index = new EmbeddingIndex(Array.from({ length: n }, (_, i) => `w${i}`), rand(n * dim, 7), dim);
  const progress: number[] = [];
  const graph = await index.knnAsync(4, { onProgress: (done) => progress.push(done) });
  assert.deepEqual(graph, index.knn(4));
  assert.equal(progress.at(-1), n);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(index.knnAsync(4, { signal: ac.signal }), { name: 'AbortError' });
  index.dispose();
});

test('no tensor leaks over repeated queries, and dispose frees the index', () => {
  const before = tf.memory().numTensors;
  const index = new EmbeddingIndex(words, matrix, 4);
  index.nearest('king', 2);
  index.nearest('king', 2, 'euclidean');
  const afterFirst = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    index.nearest('queen', 3);
    index.nearest([1, 1, 1, 1], 3, 'euclidean');
    index.analogy('man', 'king', 'woman', 2, '3cosmul');
    index.knn(3);
  }
  assert.equal(tf.memory().numTensors, afterFirst);
  index.dispose();
  assert.equal(tf.memory().numTensors, before);
});
