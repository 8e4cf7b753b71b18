// Time to first picture (PCA) and to the final UMAP, ours against umap-js 1.4's default `fit`
// in the same run, on random clustered data (D=128), with the neighbourhood preservation (NP)
// of each map: share of each point's 15 true neighbours among its 15 nearest on the map, and the
// recall of our kNN graph (NN-descent above EXACT_KNN_MAX points) against the exact one.
// The machine is shared, so every stage prints CPU seconds (process.cpuUsage: the engine is
// single-threaded here) beside wall seconds, and the load average while it ran.
// --compare-layout: the epochs again on our kNN graph, the JS loop against the wasm kernel,
// same run, same seed (CPU of graph + init + epochs; NP of each).
// --threads N: threads for our epochs (default: umapProject's, 2 above EXACT_KNN_MAX points).
// Run: npx tsx bench/projection.ts [sizes, default 5000,20000] [--no-baseline-above N] [--compare-layout] [--threads N]
//   e.g. npx tsx bench/projection.ts 5000,20000,50000 --no-baseline-above 5000
import * as os from 'node:os';
import { UMAP } from 'umap-js';
import { initBackend } from '../src/engine/kernels/backend';
import { EmbeddingIndex } from '../src/engine/embeddings/neighbors';
import { EXACT_KNN_MAX, neighborhoodPreservation, pca, umapProject } from '../src/engine/projection/projection';
import type { KnnGraph } from '../src/engine/embeddings/neighbors';
import { mulberry32 } from '../src/engine/prng';

const DIM = 128;
const K = 15;

function clustered(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const clusters = 50;
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: DIM }, () => gauss()));
  const m = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const c = centres[Math.floor(r() ** 2 * clusters)]; // uneven cluster sizes
    for (let d = 0; d < DIM; d++) m[i * DIM + d] = c[d] + gauss() * 0.6;
  }
  return m;
}

/** Wall and CPU seconds of `fn`, and the 1-minute load average after it. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number; load: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, load: os.loadavg()[0] };
}

const f = (x: number, d = 1) => x.toFixed(d);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizes = (args.find((a) => /^\d/.test(a)) ?? '5000,20000').split(',').map(Number);
  const capAt = args.indexOf('--no-baseline-above');
  const baselineMax = capAt >= 0 ? Number(args[capAt + 1]) : 20000;
  const threadsAt = args.indexOf('--threads');
  const threads = threadsAt >= 0 ? Number(args[threadsAt + 1]) : undefined;
  const backend = await initBackend();
  console.log(`backend: ${backend}; D=${DIM}, k=${K}; NP over up to 5000 points; ${os.cpus().length} cores, load average ${os.loadavg().map((l) => f(l, 2)).join(' ')}`);
  const rows: string[] = [];
  for (const n of sizes) {
    const matrix = clustered(n, n);
    const first = await timed(() => pca(matrix, n, DIM, 2));

    // The exact graph: the truth for recall and NP (ours computes its own, timed inside).
    const knn = await timed(() => {
      const index = new EmbeddingIndex(Array.from({ length: n }, (_, i) => String(i)), matrix, DIM);
      try {
        return index.knn(K + 1); // self + 15 true neighbours
      } finally {
        index.dispose();
      }
    });
    const ours = await timed(() => umapProject(matrix, n, DIM, { nNeighbors: K, seed: 1, init: first.value, threads }));
    const tm = ours.value.timings;
    const npOurs = neighborhoodPreservation(knn.value, ours.value, K);
    const npPca = neighborhoodPreservation(knn.value, first.value, K);
    const recall = knnRecall(ours.value.knn, knn.value);
    const cpuOurs = first.cpu + ours.cpu, wallOurs = first.wall + ours.wall;
    console.log(`n=${n}: PCA ${f(first.cpu, 2)} s CPU (${f(first.wall, 2)} wall), NP ${f(npPca, 3)}; exact kNN for reference ${f(knn.cpu)} s CPU (${f(knn.wall)} wall)`);
    console.log(`n=${n}: ours (PCA + UMAP) ${f(cpuOurs)} s CPU (${f(wallOurs)} wall, load ${f(ours.load)}): wall kNN ${f(tm.knn)} (${ours.value.knnMethod}, recall ${f(recall, 3)}), graph ${f(tm.graph)}, init ${f(tm.init)}, ${ours.value.epochs} epochs ${f(tm.epochs)}; NP ${f(npOurs, 3)}`);

    if (args.includes('--compare-layout')) {
      for (const layoutKernel of ['js', 'wasm'] as const) {
        const run = await timed(() => umapProject(matrix, n, DIM, { nNeighbors: K, seed: 1, init: first.value, knn: ours.value.knn, layoutKernel, threads }));
        console.log(`n=${n}: layout ${layoutKernel} (${run.value.threads} threads): ${f(run.cpu)} s CPU, epochs ${f(run.value.timings.epochs)} s wall (load ${f(run.load)}); NP ${f(neighborhoodPreservation(knn.value, run.value, K), 3)}`);
      }
    }

    let base = `${'-'.padStart(11)} ${'-'.padStart(11)} ${'-'.padStart(10)} ${'-'.padStart(9)}`;
    if (n <= baselineMax) {
      const data = Array.from({ length: n }, (_, i) => Array.from(matrix.subarray(i * DIM, (i + 1) * DIM)));
      const fit = await timed(() => new UMAP({ nNeighbors: K, random: mulberry32(1) }).fit(data));
      const npBase = neighborhoodPreservation(knn.value, fit.value, K);
      console.log(`n=${n}: umap-js fit ${f(fit.cpu)} s CPU (${f(fit.wall)} wall, load ${f(fit.load)}); NP ${f(npBase, 3)}`);
      base = `${f(fit.cpu).padStart(11)} ${f(fit.wall).padStart(11)} ${(f(fit.cpu / cpuOurs) + 'x').padStart(10)} ${f(npBase, 3).padStart(9)}`;
    }
    rows.push(`${String(n).padStart(6)} ${f(first.wall, 2).padStart(9)} ${f(tm.knn).padStart(9)} ${f(recall, 3).padStart(7)} ${f(tm.epochs).padStart(11)} ${f(cpuOurs).padStart(9)} ${f(wallOurs).padStart(10)} ${f(npOurs, 3).padStart(8)} ${base} ${f(npPca, 3).padStart(7)} ${f(ours.load).padStart(5)}`);
  }
  console.log(`\nbackend ${backend}; kNN exact up to ${EXACT_KNN_MAX} points, NN-descent above; speedup = umap-js CPU / ours CPU`);
  console.log(`     n  PCA wall  kNN wall  recall  epochs wall  ours cpu  ours wall  NP ours  umap-js cpu  umap-js wall   speedup  NP umap-js  NP PCA  load`);
  for (const r of rows) console.log(r);
}

/** Share of each point's true neighbours (self excluded) that `approx` found. */
function knnRecall(approx: KnnGraph, exact: KnnGraph): number {
  let hit = 0, total = 0;
  approx.indices.forEach((row, i) => {
    const m = row.length - 1;
    const truth = new Set(exact.indices[i].slice(1, m + 1));
    for (const j of row.slice(1)) if (truth.has(j)) hit++;
    total += m;
  });
  return hit / total;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
