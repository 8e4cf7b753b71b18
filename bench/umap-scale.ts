// UMAP of the map at full size (issue #14: 50k ≤ 20 s, 200k ≤ 120 s, 1M ≤ 10 minutes on this
// machine), end to end through umapProject as the map runs it (NN-descent kNN, fuzzy graph,
// PCA start, epochs on the default threads), on generated clustered vectors (the shape of
// imported word vectors: 300 dimensions by default). The exact kNN graph is O(n² D), so the
// quality is estimated on a sample of points, the same way at every size: neighbourhood
// preservation (NP: share of each sampled point's 15 exact cosine neighbours among its 15
// nearest on the map) and the recall of NN-descent's graph for those points.
// Prints the backend, each stage's wall seconds, the process CPU and the load average.
//   npx tsx bench/umap-scale.ts [sizes, default 50000,200000] [--dim 300] [--queries 1000] [--epochs N]
//     [--threads T: the epochs' threads, default umapProject's] [--float-knn: NN-descent on float32 rows]
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/kernels/backend';
import { normalizeRows } from '../src/engine/embeddings/ivfBuild';
import { neighborhoodPreservation, umapProject } from '../src/engine/projection/projection';
import { argValue, cpuSeconds } from './lib/args';
import { clusteredMatrix } from './lib/clusteredVectors';

const K = 15;

/** Rows of the sample, as neighborhoodPreservation picks them. */
function sampleRows(n: number, m: number): number[] {
  return Array.from({ length: m }, (_, s) => Math.floor((s * n) / m));
}

/** Unit copies of rows [from, to) of the matrix. */
function unitRows(matrix: Float32Array, dim: number, from: number, to: number): Float32Array {
  const out = matrix.slice(from * dim, to * dim);
  normalizeRows(out, dim);
  return out;
}

/** Exact cosine top-(K+1) (self first) of the sampled rows: matMul against blocks of rows
 *  (one [n, dim] operand would exceed what the wasm backend's matMul can pack). */
function exactNeighbours(matrix: Float32Array, n: number, dim: number, rows: number[]): Map<number, number[]> {
  const BLOCK = 20_000;
  const q = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => q.set(unitRows(matrix, dim, r, r + 1), i * dim));
  const bestIds = rows.map(() => [] as number[]);
  const bestSims = rows.map(() => [] as number[]);
  const queries = tf.tensor2d(q, [rows.length, dim]);
  try {
    for (let from = 0; from < n; from += BLOCK) {
      const to = Math.min(n, from + BLOCK);
      const sims = tf.tidy(() => tf.matMul(queries, tf.tensor2d(unitRows(matrix, dim, from, to), [to - from, dim]), false, true)).dataSync() as Float32Array;
      const width = to - from;
      for (let qi = 0; qi < rows.length; qi++) {
        const ids = bestIds[qi], vals = bestSims[qi];
        for (let j = 0; j < width; j++) {
          const v = sims[qi * width + j];
          if (ids.length === K + 1 && v <= vals[K]) continue;
          let p = Math.min(ids.length, K);
          if (ids.length < K + 1) { ids.push(0); vals.push(0); }
          while (p > 0 && vals[p - 1] < v) { ids[p] = ids[p - 1]; vals[p] = vals[p - 1]; p--; }
          ids[p] = from + j;
          vals[p] = v;
        }
      }
    }
  } finally {
    queries.dispose();
  }
  // Self first, as the kNN graphs give it.
  return new Map(rows.map((row, qi) => [row, [row, ...bestIds[qi].filter((j) => j !== row).slice(0, K)]]));
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : '50000,200000').split(',').map(Number);
  const dim = Number(argValue('dim', '300'));
  const queries = Number(argValue('queries', '1000'));
  const epochs = process.argv.includes('--epochs') ? Number(argValue('epochs', '200')) : undefined;
  const threads = process.argv.includes('--threads') ? Number(argValue('threads', '1')) : undefined;
  const floatKnn = process.argv.includes('--float-knn');
  const backend = await initBackend();
  console.log(JSON.stringify({ bench: 'umap-scale', backend, dim, queries, load_avg: loadavg() }));
  for (const n of sizes) {
    const matrix = clusteredMatrix(n, dim);
    const rows = sampleRows(n, queries);
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    const r = await umapProject(matrix, n, dim, { nEpochs: epochs, threads, knnInt8: !floatKnn });
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpu0;
    const exact = exactNeighbours(matrix, n, dim, rows);
    const graph: number[][] = Array.from({ length: n }, () => []);
    let found = 0;
    let wanted = 0;
    for (const row of rows) {
      const truth = exact.get(row)!;
      graph[row] = truth;
      // The graph's rows hold the point itself and its K - 1 nearest others.
      const approx = new Set(Array.from(r.knn.indices[row]));
      const others = truth.slice(1, approx.size);
      for (const j of others) if (approx.has(j)) found++;
      wanted += others.length;
    }
    const np = neighborhoodPreservation(graph, { coords: r.coords, dims: r.dims }, K, queries);
    const t = r.timings;
    console.log(JSON.stringify({
      n, dim, backend, knn_method: r.knnMethod, knn_rows: floatKnn ? 'float32' : 'int8', threads: r.threads, epochs: r.epochs,
      wall_s: +wall.toFixed(1), cpu_s: +cpu.toFixed(1),
      stages_s: { knn: +t.knn.toFixed(1), graph: +t.graph.toFixed(1), init: +t.init.toFixed(1), epochs: +t.epochs.toFixed(1) },
      np_sampled: +np.toFixed(4), knn_recall_sampled: +(found / wanted).toFixed(4), load_avg_1m: loadavg()[0],
    }));
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
