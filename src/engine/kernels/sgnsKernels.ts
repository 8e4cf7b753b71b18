// WebAssembly SIMD (f32x4) kernels for the skip-gram inner loop (AssemblyScript source:
// assembly/_sgns.ts). V8 does not vectorise JS loops; these run the 2 × dim multiply-adds per
// (context, target) update 4 lanes at a time. Two builds of the same functions: `sgns` over its
// own memory, `sgnsShared` over an imported shared memory for the Hogwild worker threads.
// Every function takes byte offsets into the module's memory and requires n % 4 === 0, n > 0.
import { growTo, kernelModule, optionalKernelModule } from './wasmModule';

/** Kernels over one wasm memory. `memory.buffer` holds all vectors they touch. */
export interface SgnsKernels {
  memory: WebAssembly.Memory;
  /** Σ x[i]·y[i] for i < n. */
  dot(x: number, y: number, n: number): number;
  /** e += g·u; u += g·x (the output-vector update and the input gradient, fused). */
  update(x: number, u: number, e: number, g: number, n: number): void;
  /** dst += src. */
  add(dst: number, src: number, n: number): void;
}

/**
 * Instantiates the kernels with room for `bytes` bytes of vectors, or returns undefined when
 * this runtime lacks WebAssembly SIMD or the memory (callers then use the plain-JS loop).
 */
export function createSgnsKernels(bytes: number): SgnsKernels | undefined {
  const module = optionalKernelModule('sgns');
  if (!module) return undefined;
  try {
    const e = new WebAssembly.Instance(module).exports as unknown as SgnsKernels;
    growTo(e.memory, bytes);
    return { memory: e.memory, dot: e.dot, update: e.update, add: e.add };
  } catch {
    return undefined;
  }
}

/** A shared memory of `bytes` bytes and the module that works on it, for worker threads (Hogwild);
 *  undefined when this runtime has no SIMD or no shared memory. */
export function createSharedSgnsModule(bytes: number): { module: WebAssembly.Module; memory: WebAssembly.Memory } | undefined {
  const module = optionalKernelModule('sgnsShared');
  if (!module) return undefined;
  try {
    const pages = Math.max(1, Math.ceil(bytes / 65536)); // the module imports at least 1 page
    return { module, memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) };
  } catch {
    return undefined;
  }
}

/** Kernels over a shared memory, in any thread that was sent the module and the memory. */
export function instantiateSharedSgnsKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): SgnsKernels {
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SgnsKernels;
  return { memory, dot: e.dot, update: e.update, add: e.add };
}
