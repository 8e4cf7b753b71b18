// Time to first picture (PCA) and to the final UMAP, ours against umap-js 1.4's default `fit`
// in the same run, on random clustered data (D=128), with the neighbourhood preservation of
// each map (share of each point's 15 true neighbours among its 15 nearest on the map).
// Run: npx tsx bench/projection.ts [sizes, default 5000,20000] [--no-baseline-above N]
//   e.g. npx tsx bench/projection.ts 5000,20000,50000 --no-baseline-above 20000
import { UMAP } from 'umap-js';
import { initBackend } from '../src/engine/backend';
import { EmbeddingIndex } from '../src/engine/neighbors';
import { mulberry32, neighborhoodPreservation, pca, umapProject } from '../src/engine/projection';

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

const seconds = (t0: number) => (performance.now() - t0) / 1000;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizes = (args.find((a) => /^\d/.test(a)) ?? '5000,20000').split(',').map(Number);
  const capAt = args.indexOf('--no-baseline-above');
  const baselineMax = capAt >= 0 ? Number(args[capAt + 1]) : 20000;
  const backend = await initBackend();
  console.log(`backend: ${backend}; D=${DIM}, k=${K}, neighbourhood preservation over up to 5000 points`);
  const rows: string[] = [];
  for (const n of sizes) {
    const matrix = clustered(n, n);
    let t0 = performance.now();
    const first = pca(matrix, n, DIM, 2);
    const tPca = seconds(t0);

    t0 = performance.now();
    const index = new EmbeddingIndex(Array.from({ length: n }, (_, i) => String(i)), matrix, DIM);
    const knn = index.knn(K + 1); // self + 15 true neighbours; UMAP uses the first 15 columns
    index.dispose();
    const tKnn = seconds(t0);
    t0 = performance.now();
    const ours = await umapProject(matrix, n, DIM, { nNeighbors: K, seed: 1, knn, init: first });
    const tOurs = tKnn + seconds(t0);
    const npOurs = neighborhoodPreservation(knn, ours, K);
    const npPca = neighborhoodPreservation(knn, first, K);
    console.log(`n=${n}: PCA ${tPca.toFixed(2)} s (NP ${npPca.toFixed(3)}); ours ${tOurs.toFixed(1)} s = kNN ${tKnn.toFixed(1)} + graph ${ours.timings.graph.toFixed(1)} + init ${ours.timings.init.toFixed(1)} + ${ours.epochs} epochs ${ours.timings.epochs.toFixed(1)}; NP ${npOurs.toFixed(3)}`);

    let base = '        -          -        -';
    if (n <= baselineMax) {
      const data = Array.from({ length: n }, (_, i) => Array.from(matrix.subarray(i * DIM, (i + 1) * DIM)));
      t0 = performance.now();
      const umap = new UMAP({ nNeighbors: K, random: mulberry32(1) });
      const coords = umap.fit(data);
      const tBase = seconds(t0);
      const npBase = neighborhoodPreservation(knn, coords, K);
      console.log(`n=${n}: umap-js fit ${tBase.toFixed(1)} s; NP ${npBase.toFixed(3)}`);
      base = `${tBase.toFixed(1).padStart(9)} ${(tBase / tOurs).toFixed(1).padStart(9)}x ${npBase.toFixed(3).padStart(8)}`;
    }
    rows.push(`${String(n).padStart(6)} ${tPca.toFixed(2).padStart(9)} ${tOurs.toFixed(1).padStart(9)} ${npOurs.toFixed(3).padStart(8)} ${base} ${npPca.toFixed(3).padStart(7)}`);
  }
  console.log(`\n     n  PCA (s)  ours (s)  NP ours  umap-js (s)  speedup  NP umap-js  NP PCA`);
  for (const r of rows) console.log(r);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
