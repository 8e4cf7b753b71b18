// The UMAP layout's 2-D epoch loop as a WebAssembly kernel (assembly/umapLayout.ts), over a
// shared memory that holds the coordinates and the edge arrays, so the Hogwild helper threads
// of projection/umapLayout.ts run the same kernel on the same memory. The same coordinates as
// the JS loop bit for bit on one thread (both store them as float32); 10-35% less CPU at 50k,
// ~none at 200k (docs/benchmarks.md): V8 already compiles the JS loop well.
import { optionalKernelModule } from './wasmModule';

/** Edges [from, to) of epoch n; array arguments are byte offsets into the memory. Returns the
 *  xorshift32 state. */
export type Edges2d = (
  head: number, tail: number, perSample: number, nextSample: number, perNegative: number, nextNegative: number,
  y: number, yNeg: number, nVertices: number, from: number, to: number, n: number, alpha: number, rng: number, a: number, b: number, gamma: number,
) => number;

/** The first page holds the module's constant tables (exp/log), which every instantiation
 *  writes: arrays go above it. */
export const UMAP_MEMORY_BASE = 65536;

/** A shared memory with `bytes` bytes above UMAP_MEMORY_BASE, and the module that works on it;
 *  undefined when this runtime cannot compile it or has no room (callers keep the JS loop). */
export function createUmapEdgesModule(bytes: number): { module: WebAssembly.Module; memory: WebAssembly.Memory } | undefined {
  const module = optionalKernelModule('umapLayout');
  if (!module) return undefined;
  const pages = Math.ceil((UMAP_MEMORY_BASE + bytes) / 65536);
  if (pages > 65536) return undefined;
  try {
    return { module, memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) };
  } catch {
    return undefined; // no shared memory, or not this much of it
  }
}

/** The kernel over `memory`, in any thread that was sent the module and the memory. */
export function instantiateUmapEdges(module: WebAssembly.Module, memory: WebAssembly.Memory): Edges2d {
  return (new WebAssembly.Instance(module, { env: { memory } }).exports as { edges2d: Edges2d }).edges2d;
}
