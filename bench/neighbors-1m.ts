// Approximate neighbours at scale: a generated clustered n x dim set (default 1,000,000 x 300,
// in memory), the IVF index built over it (build time), then top-10 cosine queries of sampled
// words: p50/p99 latency and recall@10 against exact search (EmbeddingIndex with exact=true,
// timed in the same run as the baseline), and per nprobe the float32 scan of the lists against
// the int8 SIMD scan + float32 re-scoring (ivfInt8.ts) that nearest() uses, in both layouts.
// Run: npx tsx bench/neighbors-1m.ts [n] [dim] [queries] [--hard]
import { initBackend } from '../src/engine/kernels/backend';
import { EmbeddingIndex } from '../src/engine/embeddings/neighbors';
import { buildIvf, memorySource } from '../src/engine/embeddings/ivfBuild';
import { Int8IvfScan } from '../src/engine/embeddings/ivfInt8';
import { clusteredMatrix, HARD, REALISTIC } from './lib/clusteredVectors';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** Wall and CPU milliseconds of fn (CPU: the process's, i.e. this thread's while nothing else
 *  runs in it; on a shared machine wall includes waiting for a core, CPU does not). */
function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 };
}
const stats = (xs: { wall: number; cpu: number }[]) =>
  `p50 ${pct(xs.map((x) => x.wall), 0.5).toFixed(2)} ms, p99 ${pct(xs.map((x) => x.wall), 0.99).toFixed(2)} ms wall; CPU p50 ${pct(xs.map((x) => x.cpu), 0.5).toFixed(2)} ms, p99 ${pct(xs.map((x) => x.cpu), 0.99).toFixed(2)} ms`;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000), dim = Number(process.argv[3] ?? 300), queries = Number(process.argv[4] ?? 100);
  const spreads = process.argv.includes('--hard') ? HARD : REALISTIC;
  console.log(`backend: ${await initBackend()}`);
  let t = performance.now();
  const matrix = clusteredMatrix(n, dim, 7, 200, spreads);
  console.log(`generated ${n} x ${dim} clustered vectors (spread ${spreads.min}..${spreads.max}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const words = Array.from({ length: n }, (_, i) => `w${i}`);
  t = performance.now();
  const cpu0 = process.cpuUsage();
  const ivf = await buildIvf(memorySource(matrix, n, dim), {
    onProgress: (stage, done, total) => { if (done === total) console.log(`  ${stage} done at ${((performance.now() - t) / 1000).toFixed(1)} s`); },
  });
  const cpu = process.cpuUsage(cpu0);
  console.log(`IVF build: ${((performance.now() - t) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; ${ivf.nlist} lists of ${(ivf.ids.length / ivf.nlist).toFixed(0)} rows on average (each row in its 2 nearest), nprobe ${ivf.nprobe} (~${((ivf.nprobe * ivf.ids.length) / ivf.nlist / 1000).toFixed(0)}k rows scored a query), tuned recall@10 ${ivf.recall.toFixed(3)}`);
  const index = new EmbeddingIndex(words, matrix, dim);
  const attach = timed(() => index.attachApproximate(ivf, console.log));
  console.log(`attach (int8 copy of the rows in list order): ${attach.wall.toFixed(0)} ms wall, ${attach.cpu.toFixed(0)} ms CPU`);
  const approxT: { wall: number; cpu: number }[] = [], exactT: { wall: number; cpu: number }[] = [];
  let found = 0;
  const truths: Set<number>[] = [];
  for (let q = 0; q < queries; q++) {
    const word = words[(Math.imul(q + 1, 2654435761) >>> 0) % n];
    const approx = timed(() => index.nearest(word, 10));
    approxT.push(approx);
    const exact = timed(() => new Set(index.nearest(word, 10, 'cosine', undefined, true).map((x) => x.id)));
    exactT.push(exact);
    truths.push(exact.value);
    found += approx.value.filter((x) => exact.value.has(x.id)).length;
  }
  console.log(`approximate top-10: ${stats(approxT)}; recall@10 ${(found / queries / 10).toFixed(3)} over ${queries} words`);
  const median = (xs: { cpu: number }[]) => pct(xs.map((x) => x.cpu), 0.5);
  console.log(`exact top-10 (baseline, same run): ${stats(exactT)} -> ${(median(exactT) / median(approxT)).toFixed(0)}x less CPU at p50`);
  // Real embeddings are less clustered than this set and tune a larger nprobe: the cost of
  // scanning more lists, measured here (same queries, same run).
  const unit = Float32Array.from(matrix);
  for (let r = 0; r < n; r++) {
    let s2 = 0;
    for (let d = 0; d < dim; d++) s2 += unit[r * dim + d] ** 2;
    for (let d = 0; d < dim; d++) unit[r * dim + d] /= Math.sqrt(s2) || 1;
  }
  const scans = { 'int8, every list contiguous (default)': new Int8IvfScan(ivf, unit), 'int8, each row once (half the memory)': new Int8IvfScan(ivf, unit, false) };
  for (const nprobe of [1, 4, 8, 16, 24, 32, 64, ivf.nprobe].filter((p) => p <= ivf.nlist)) {
    const ts: { wall: number; cpu: number }[] = [];
    const ts8 = Object.keys(scans).map(() => [] as { wall: number; cpu: number }[]);
    let hits = 0;
    const hits8 = ts8.map(() => 0);
    for (let q = 0; q < queries; q++) {
      const id = (Math.imul(q + 1, 2654435761) >>> 0) % n;
      const query = unit.subarray(id * dim, (id + 1) * dim);
      const t = timed(() => ivf.search(unit, query, 10, new Set([id]), nprobe));
      ts.push(t);
      hits += t.value.filter((h) => truths[q].has(h.id)).length;
      Object.values(scans).forEach((scan, s) => {
        const t8 = timed(() => scan.search(query, 10, new Set([id]), nprobe));
        ts8[s].push(t8);
        hits8[s] += t8.value.filter((h) => truths[q].has(h.id)).length;
      });
    }
    console.log(`  nprobe ${String(nprobe).padStart(3)} (${((100 * nprobe) / ivf.nlist).toFixed(1)}% of lists): float32 scan recall@10 ${(hits / queries / 10).toFixed(3)}; ${stats(ts)}`);
    Object.keys(scans).forEach((name, s) => {
      console.log(`      ${name} + re-score: recall@10 ${(hits8[s] / queries / 10).toFixed(3)}; ${stats(ts8[s])} -> ${(median(ts) / median(ts8[s])).toFixed(1)}x less CPU at p50`);
    });
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  index.dispose();
}

void main();
