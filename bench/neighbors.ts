// Neighbour query latency at V=50k x D=300 (random matrix): EmbeddingIndex (pre-transposed
// [D,V]) against the baseline matMul with transposeB=true on [V,D], same process.
// Also the exact kNN graph time at 20k x 128. Run: npx tsx bench/neighbors.ts
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/kernels/backend';
import { EmbeddingIndex } from '../src/engine/embeddings/neighbors';
import { mulberry32, uniformArray } from '../src/engine/prng';

/** n values uniform in [-0.5, 0.5), seeded. */
function randomMatrix(n: number, seed: number): Float32Array {
  return uniformArray(n, 0.5, mulberry32(seed));
}

/** Median ms of each function, the functions interleaved rep by rep so load hits all alike. */
function medians(fns: (() => void)[], reps: number): number[] {
  const times: number[][] = fns.map(() => []);
  for (let r = 0; r < reps; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      fn();
      times[i].push(performance.now() - t0);
    });
  }
  return times.map((ts) => ts.sort((a, b) => a - b)[reps >> 1]);
}

const readAndDispose = (t: tf.Tensor): void => {
  t.dataSync();
  t.dispose();
};

async function main(): Promise<void> {
  const backend = await initBackend();
  console.log(`backend: ${backend}`);
  const V = 50_000, D = 300, reps = 21;
  const words = Array.from({ length: V }, (_, i) => `w${i}`);
  const matrix = randomMatrix(V * D, 1);
  const index = new EmbeddingIndex(words, matrix, D);
  const rowMajor = tf.tensor2d(matrix, [V, D]);
  const q = matrix.subarray(0, D);
  const transposed = tf.transpose(rowMajor);

  const [baseline, rawMatMul, ours, preT] = medians([
    () => readAndDispose(tf.tidy(() => tf.topk(tf.matMul(tf.tensor2d(q, [1, D]), rowMajor, false, true), 11).indices)),
    () => readAndDispose(tf.tidy(() => tf.matMul(tf.tensor2d(q, [1, D]), rowMajor, false, true))),
    () => index.nearest('w0', 10),
    () => readAndDispose(tf.tidy(() => tf.matMul(tf.tensor2d(q, [1, D]), transposed))),
  ], reps);
  console.log(`V=${V} D=${D}, median of ${reps} interleaved runs`);
  console.log(`  matMul(q, E, transposeB=true):       ${rawMatMul.toFixed(2)} ms`);
  console.log(`  matMul(q, E^T pre-transposed):       ${preT.toFixed(2)} ms   ratio ${(rawMatMul / preT).toFixed(1)}x`);
  console.log(`  baseline transposeB matMul + topk:   ${baseline.toFixed(2)} ms`);
  console.log(`  EmbeddingIndex.nearest (top 10):     ${ours.toFixed(2)} ms   ratio ${(baseline / ours).toFixed(1)}x`);
  const [analogy, euclid] = medians([() => index.analogy('w1', 'w2', 'w3', 10, '3cosmul'), () => index.nearest('w0', 10, 'euclidean')], reps);
  console.log(`  analogy 3cosmul: ${analogy.toFixed(2)} ms, euclidean nearest: ${euclid.toFixed(2)} ms`);
  index.dispose();
  tf.dispose([rowMajor, transposed]);

  const n = 20_000, d = 128;
  const knnIndex = new EmbeddingIndex(Array.from({ length: n }, (_, i) => `w${i}`), randomMatrix(n * d, 2), d);
  const t0 = performance.now();
  knnIndex.knn(15);
  console.log(`exact kNN graph k=15 at ${n} x ${d}: ${((performance.now() - t0) / 1000).toFixed(2)} s (issue baseline: 4.8 s)`);
  knnIndex.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
