// The UMAP layout epochs alone: the JS loop (umapLayout.ts edges2d) against the wasm kernel
// (kernels/umapEdges.ts) on the same fuzzy graph, same seed, same run: CPU seconds
// (process.cpuUsage, all threads) and wall per epoch, and the largest coordinate difference
// between the two (0 on one thread: they are meant to agree bit for bit).
// The graph: NN-descent (k = 15) on a generated clustered n x 32 matrix; start: random in ±10.
// Run: npx tsx bench/umap-layout.ts [n, default 50000] [epochs run, default 40] [threads, default 1]
import * as os from 'node:os';
import { initBackend } from '../src/engine/kernels/backend';
import { nnDescentKnn } from '../src/engine/projection/nnDescent';
import { fuzzySimplicialSet } from '../src/engine/projection/umapGraph';
import { UmapLayout } from '../src/engine/projection/umapLayout';
import { mulberry32 } from '../src/engine/prng';
import { clusteredMatrix } from './lib/clusteredVectors';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 50_000), run = Number(process.argv[3] ?? 40), threads = Number(process.argv[4] ?? 1);
  await initBackend();
  const graph = fuzzySimplicialSet(await nnDescentKnn(clusteredMatrix(n, 32), n, 32, 15, { seed: 1 }), 15);
  const r = mulberry32(5);
  const start = Float64Array.from({ length: n * 2 }, () => (r() - 0.5) * 20);
  console.log(`n=${n}, ${graph.weights.length} graph entries, first ${run} of 200 epochs, ${threads} thread(s); load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const out: Record<string, Float64Array> = {};
  for (const kernel of ['js', 'wasm', 'js', 'wasm'] as const) {
    const embedding = threads > 1 ? new Float64Array(new SharedArrayBuffer(n * 16)) : new Float64Array(n * 2);
    embedding.set(start);
    const layout = new UmapLayout(graph, embedding, 2, { a: 1.577, b: 0.895, nEpochs: 200, threads, kernel }, mulberry32(9));
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let e = 0; e < run; e++) layout.step();
    const c = process.cpuUsage(c0), wall = (performance.now() - t0) / 1000;
    layout.dispose();
    out[kernel] = embedding;
    console.log(`${kernel.padEnd(4)} ${(((c.user + c.system) / 1e6 / run) * 1000).toFixed(1)} ms CPU/epoch, ${((wall / run) * 1000).toFixed(1)} ms wall/epoch (load ${os.loadavg()[0].toFixed(2)})`);
  }
  let diff = 0;
  for (let i = 0; i < n * 2; i++) diff = Math.max(diff, Math.abs(out.js[i] - out.wasm[i]));
  console.log(`largest |js - wasm| coordinate difference: ${diff}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
