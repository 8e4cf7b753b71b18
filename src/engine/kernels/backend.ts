// Picks the fastest TF.js backend that loads here: tfjs-node ('tensorflow') -> wasm -> cpu.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { applyWasmKernelFixes } from './wasmKernels';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
let ready: Promise<BackendName> | undefined;

/** Initialise once per process; later calls return the same backend. */
export function initBackend(preferred?: BackendName): Promise<BackendName> {
  ready ??= select(preferred ?? (process.env.WORDLENS_BACKEND as BackendName | undefined));
  return ready;
}

async function select(preferred?: BackendName): Promise<BackendName> {
  const order: BackendName[] = preferred ? [preferred, 'tensorflow', 'wasm', 'cpu'] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (await tryBackend(name)) return name;
  }
  throw new Error('No TensorFlow.js backend could be initialised');
}

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') require('@tensorflow/tfjs-node');
    if (name === 'wasm') useBundledWasmFiles(require('@tensorflow/tfjs-backend-wasm'));
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    // Missing/slow wasm kernels (gather gradient, transposed and batched matmul).
    if (name === 'wasm') applyWasmKernelFixes();
    return true;
  } catch {
    return false;
  }
}

/**
 * Bundled (dist/*.js), TF.js's wasm binaries lie beside the bundle (esbuild.mjs copies them):
 * point the backend there. Run from source, the backend finds them in its own package.
 */
function useBundledWasmFiles(wasm: { setWasmPaths(prefix: string): void }): void {
  if (fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm.wasm'))) wasm.setWasmPaths(__dirname + path.sep);
}
