// Stock tfjs-backend-wasm matmul kernels vs ours (applyWasmKernelFixes), same process.
// Run: npx tsx bench/wasmKernels.ts
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmKernelFixes } from '../src/engine/kernels/wasmKernels';

type Case = { name: string; run: () => tf.Tensor };

function median(fn: () => tf.Tensor, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = fn();
    r.dataSync();
    r.dispose();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[reps >> 1];
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  console.log(`backend: ${tf.getBackend()}`);
  const a = tf.randomNormal([1000, 1000]);
  const b = tf.randomNormal([1000, 1000]);
  const a3 = tf.randomNormal([8, 256, 256]);
  const b3 = tf.randomNormal([8, 256, 256]);
  // The shapes of an LSTM step's gradients (B*T=1120 rows, H=256, 4H gates).
  const x = tf.randomNormal([1120, 256]);
  const dy = tf.randomNormal([1120, 1024]);
  const w = tf.randomNormal([256, 1024]);
  const cases: Case[] = [
    { name: '1000x1000 plain', run: () => tf.matMul(a, b) },
    { name: '1000x1000 transposeA', run: () => tf.matMul(a, b, true, false) },
    { name: '1000x1000 transposeB', run: () => tf.matMul(a, b, false, true) },
    { name: '1000x1000 both', run: () => tf.matMul(a, b, true, true) },
    { name: 'batched 8x256x256', run: () => tf.matMul(a3, b3) },
    { name: 'LSTM dW = x^T dy', run: () => tf.matMul(x, dy, true, false) },
    { name: 'LSTM dx = dy W^T', run: () => tf.matMul(dy, w, false, true) },
  ];
  const reps = 5;
  const stock = cases.map((c) => median(c.run, reps));
  applyWasmKernelFixes();
  const fixed = cases.map((c) => median(c.run, reps));
  console.log('case                      stock ms   fixed ms   speedup');
  cases.forEach((c, i) => {
    console.log(`${c.name.padEnd(25)} ${stock[i].toFixed(1).padStart(8)} ${fixed[i].toFixed(1).padStart(10)} ${(stock[i] / fixed[i]).toFixed(1).padStart(8)}x`);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
