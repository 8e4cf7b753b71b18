// The WebAssembly SIMD kernels (kernels/sgnsKernels.ts, int8Logits.ts, expSum.ts; AssemblyScript
// sources in kernels/assembly/) against the plain-JS loops they replace, in the same run: ns per
// call (median of rounds, CPU time, which load inflates less than wall time) and the speed-up.
// Uses only the kernels' public API, so the same script measures another checkout's kernels.
//   npx tsx bench/simdKernels.ts [--rounds 15]
import { loadavg } from 'node:os';
import { createSgnsKernels } from '../src/engine/kernels/sgnsKernels';
import { Int8Logits } from '../src/engine/kernels/int8Logits';
import { ExpSum } from '../src/engine/kernels/expSum';
import { mulberry32 } from '../src/engine/prng';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 15);
const r = mulberry32(1);

/** Median CPU ns per call of `fn`, called `calls` times per round (after one warm-up round). */
function nsPerCall(fn: () => void, calls: number): number {
  const times: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) fn();
    const t = process.cpuUsage(t0);
    if (round > 0) times.push(((t.user + t.system) * 1000) / calls);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

function row(name: string, kernel: number, js: number): void {
  console.log(`${name.padEnd(34)} wasm ${kernel.toFixed(0).padStart(8)} ns   js ${js.toFixed(0).padStart(8)} ns   js/wasm ${(js / kernel).toFixed(2)}x`);
}

function sgns(dim: number): void {
  const rows = 2000;
  const k = createSgnsKernels(2 * rows * dim * 4)!;
  const m = new Float32Array(k.memory.buffer, 0, 2 * rows * dim);
  for (let i = 0; i < m.length; i++) m[i] = r() - 0.5;
  const js = new Float32Array(m); // the same values outside wasm memory
  const bytes = dim * 4;
  let p = 0, sink = 0;
  const next = () => (p = (p + 7919) % rows);
  row(`dot, dim ${dim}`, nsPerCall(() => { sink += k.dot(next() * bytes, (rows + p) * bytes, dim); }, 20000),
    nsPerCall(() => { const a = next() * dim, b = (rows + p) * dim; let s = 0; for (let i = 0; i < dim; i++) s += js[a + i] * js[b + i]; sink += s; }, 20000));
  row(`update (e += g·u, u += g·x), dim ${dim}`, nsPerCall(() => { k.update(next() * bytes, (rows + p) * bytes, ((p + 1) % rows) * bytes, 1e-6, dim); }, 20000),
    nsPerCall(() => { const x = next() * dim, u = (rows + p) * dim, e = ((p + 1) % rows) * dim; for (let i = 0; i < dim; i++) { const ui = js[u + i]; js[e + i] += 1e-6 * ui; js[u + i] = ui + 1e-6 * js[x + i]; } }, 20000));
  if (Number.isNaN(sink)) console.log('NaN');
}

function outputLayer(H: number, V: number): void {
  const W = Float32Array.from({ length: H * V }, () => (r() - 0.5) * 0.5);
  const h = Float32Array.from({ length: H }, () => Math.tanh(r() - 0.5));
  const bias = new Float32Array(V), out = new Float32Array(V);
  const int8 = new Int8Logits(W, H, V);
  row(`int8 logits h·W, H ${H} V ${V}`, nsPerCall(() => int8.logits(h, bias, out), 50),
    nsPerCall(() => { out.set(bias); for (let k = 0; k < H; k++) for (let v = 0, hk = h[k], o = k * V; v < V; v++) out[v] += hk * W[o + v]; }, 50));
}

function expSum(V: number): void {
  const x = Float32Array.from({ length: V }, () => (r() - 0.8) * 20);
  const max = x.reduce((a, b) => Math.max(a, b), -Infinity);
  const es = new ExpSum(V);
  let sink = 0;
  row(`Σ exp(x - max), n ${V}`, nsPerCall(() => { sink += es.sum(x, max); }, 500),
    nsPerCall(() => { let s = 0; for (let i = 0; i < V; i++) s += Math.exp(x[i] - max); sink += s; }, 500));
  if (Number.isNaN(sink)) console.log('NaN');
}

console.log(`backend: none (WebAssembly kernels called directly), node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${rounds} rounds`);
for (const dim of [100, 300]) sgns(dim);
outputLayer(256, 10000);
expSum(10000);
console.log(`load at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
