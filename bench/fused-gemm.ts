// GEMM throughput of the fused trainer's WebAssembly kernel (kernels/assembly/_gemm.ts)
// against TF.js matMul on the current backend, on the shapes of one WikiText-2 training step
// (batch 32, bptt 35, embed = hidden = 200, 2,048 sampled words), in the same run. Prints the
// backend, GFLOP/s per CPU-second of each and their ratio, and the largest difference between the results.
//   npx tsx bench/fused-gemm.ts [--reps 5] [--backend wasm|cpu]
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../src/engine/kernels/backend';
import { LstmTrainKernels } from '../src/engine/kernels/lstmTrainKernels';
import { mulberry32, uniformArray } from '../src/engine/prng';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

/** [name, M, N, K, transA, transB]: C[M,N] = op(A)[M,K] · op(B)[K,N]. */
const SHAPES: [string, number, number, number, boolean, boolean][] = [
  ['input projection X·Wx', 1120, 800, 200, false, false],
  ['recurrent step h·U', 32, 800, 200, false, false],
  ['sampled logits X·Ws^T', 1120, 2048, 200, false, true],
  ['dX = dLogits·Ws', 1120, 200, 2048, false, false],
  ['dWs = dLogits^T·X', 2048, 200, 1120, true, false],
  ['dU = Hprev^T·dZ', 200, 800, 1120, true, false],
  ['dh = dZ·U^T', 32, 200, 800, false, true],
];

async function main() {
  const backend = await initBackend(process.argv.includes('--backend') ? (arg('backend', 'wasm') as BackendName) : undefined);
  const reps = Number(arg('reps', '5'));
  const rand = mulberry32(3);
  const kern = new LstmTrainKernels();
  const maxK = 2048, maxN = 2048;
  kern.k.setGemmScratch(kern.alloc(64 * maxK * 4), kern.alloc(maxK * maxN * 4), kern.alloc(128));
  const rows: Record<string, unknown>[] = [];
  let totalWasm = 0, totalTf = 0;
  for (const [name, M, N, K, tA, tB] of SHAPES) {
    const a = uniformArray(M * K, 1, rand);
    const b = uniformArray(K * N, 1, rand);
    const pa = kern.alloc(a.length * 4), pb = kern.alloc(b.length * 4), pc = kern.alloc(M * N * 4);
    kern.f32(pa, a.length).set(a);
    kern.f32(pb, b.length).set(b);
    // Small shapes repeat to time well.
    const inner = Math.max(1, Math.round(1e9 / (2 * M * N * K)));
    const lda = tA ? M : K, ldb = tB ? K : N;
    const runWasm = () => { for (let r = 0; r < inner; r++) kern.k.gemm(M, N, K, pa, lda, tA ? 1 : 0, pb, ldb, tB ? 1 : 0, pc, N, 0); };
    const ta = tf.tensor2d(a, tA ? [K, M] : [M, K]);
    const tb = tf.tensor2d(b, tB ? [N, K] : [K, N]);
    let tfOut: Float32Array = new Float32Array(0);
    const runTf = () => { for (let r = 0; r < inner; r++) { const c = tf.matMul(ta, tb, tA, tB); tfOut = c.dataSync() as Float32Array; c.dispose(); } };
    runWasm(); runTf();
    // CPU time (both run on this thread): on a shared machine wall time mostly measures the others.
    const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
    let wasmBest = Infinity, tfBest = Infinity;
    for (let r = 0; r < reps; r++) {
      let t = cpuMs(); runWasm(); wasmBest = Math.min(wasmBest, (cpuMs() - t) / inner);
      t = cpuMs(); runTf(); tfBest = Math.min(tfBest, (cpuMs() - t) / inner);
    }
    const out = kern.f32(pc, M * N);
    let diff = 0;
    for (let i = 0; i < out.length; i++) diff = Math.max(diff, Math.abs(out[i] - tfOut[i]));
    ta.dispose(); tb.dispose();
    const gflop = (2 * M * N * K) / 1e9;
    totalWasm += wasmBest; totalTf += tfBest;
    rows.push({ name, M, N, K, fused_gflops: +(gflop / (wasmBest / 1000)).toFixed(2), tfjs_gflops: +(gflop / (tfBest / 1000)).toFixed(2), ratio: +(tfBest / wasmBest).toFixed(2), max_abs_diff: +diff.toExponential(2) });
  }
  for (const r of rows) console.log(JSON.stringify(r));
  console.log(JSON.stringify({ bench: 'fused-gemm', backend, fused_ms_all_shapes: +totalWasm.toFixed(2), tfjs_ms_all_shapes: +totalTf.toFixed(2), ratio: +(totalTf / totalWasm).toFixed(2), tensors: tf.memory().numTensors }));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
