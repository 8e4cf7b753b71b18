// WebAssembly SIMD (f32x4) kernels for the skip-gram inner loop. V8 does not vectorise
// JS loops; these run the 2 × dim multiply-adds per (context, target) update 4 lanes at
// a time. Hand-assembled (a few dozen bytes) so no toolchain or package is needed.
// Every function takes byte offsets into the module's own memory and requires n % 4 === 0.
import { F32, get, I32, leb, name, section, set, V128 } from './wasmBytes';

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

const LOAD = [0xfd, 0x00, 0x02, 0x00], STORE = [0xfd, 0x0b, 0x02, 0x00];
const MUL = [0xfd, 0xe6, 0x01], ADDV = [0xfd, 0xe4, 0x01];
/** local[i] += 16 (advance a byte pointer by one f32x4). */
const step16 = (i: number) => [...get(i), 0x41, 0x10, 0x6a, ...set(i)];
/** local[n] -= 4; loop again while it is not zero. */
const countdown = (n: number) => [...get(n), 0x41, 0x04, 0x6b, 0x22, n, 0x0d, 0x00];

const dotBody = [
  0x01, 0x01, V128, // local 3: accumulator
  0x03, 0x40,
  ...get(3), ...get(0), ...LOAD, ...get(1), ...LOAD, ...MUL, ...ADDV, ...set(3),
  ...step16(0), ...step16(1), ...countdown(2),
  0x0b,
  ...get(3), 0xfd, 0x1f, 0, ...get(3), 0xfd, 0x1f, 1, 0x92,
  ...get(3), 0xfd, 0x1f, 2, 0x92, ...get(3), 0xfd, 0x1f, 3, 0x92,
  0x0b,
];
const updateBody = [
  0x01, 0x02, V128, // local 5: splat(g), local 6: u
  ...get(3), 0xfd, 0x13, ...set(5),
  0x03, 0x40,
  ...get(1), ...LOAD, ...set(6),
  ...get(2), ...get(2), ...LOAD, ...get(5), ...get(6), ...MUL, ...ADDV, ...STORE,
  ...get(1), ...get(6), ...get(5), ...get(0), ...LOAD, ...MUL, ...ADDV, ...STORE,
  ...step16(0), ...step16(1), ...step16(2), ...countdown(4),
  0x0b,
  0x0b,
];
const addBody = [
  0x00,
  0x03, 0x40,
  ...get(0), ...get(0), ...LOAD, ...get(1), ...LOAD, ...ADDV, ...STORE,
  ...step16(0), ...step16(1), ...countdown(2),
  0x0b,
  0x0b,
];


/** The module; with `sharedPages` it imports a shared memory (env.memory) of exactly that many pages. */
function moduleBytes(sharedPages?: number): Uint8Array<ArrayBuffer> {
  const memory = sharedPages === undefined
    ? section(5, [0x01, 0x00, 0x01])
    : section(2, [0x01, ...name('env'), ...name('memory'), 0x02, 0x03, ...leb(sharedPages), ...leb(sharedPages)]);
  const exports = [...name('dot'), 0x00, 0x00, ...name('update'), 0x00, 0x01, ...name('add'), 0x00, 0x02];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x03,
      0x60, 0x03, I32, I32, I32, 0x01, F32,
      0x60, 0x05, I32, I32, I32, F32, I32, 0x00,
      0x60, 0x03, I32, I32, I32, 0x00]),
    ...(sharedPages === undefined ? [] : memory),
    ...section(3, [0x03, 0x00, 0x01, 0x02]),
    ...(sharedPages === undefined ? memory : []),
    ...section(7, sharedPages === undefined ? [0x04, ...name('memory'), 0x02, 0x00, ...exports] : [0x03, ...exports]),
    ...section(10, [0x03,
      ...leb(dotBody.length), ...dotBody,
      ...leb(updateBody.length), ...updateBody,
      ...leb(addBody.length), ...addBody]),
  ]);
}

/**
 * Instantiates the kernels with room for `bytes` bytes of vectors, or returns undefined when
 * this runtime lacks WebAssembly SIMD (callers then use the plain-JS loop).
 */
export function createSgnsKernels(bytes: number): SgnsKernels | undefined {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
    const e = instance.exports as unknown as SgnsKernels;
    const pages = Math.ceil(bytes / 65536);
    if (pages > 1) e.memory.grow(pages - 1);
    return { memory: e.memory, dot: e.dot, update: e.update, add: e.add };
  } catch {
    return undefined;
  }
}

/** A shared memory of `bytes` bytes and the module that works on it, for worker threads (Hogwild). */
export function createSharedSgnsModule(bytes: number): { module: WebAssembly.Module; memory: WebAssembly.Memory } | undefined {
  try {
    const pages = Math.max(1, Math.ceil(bytes / 65536));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return { module: new WebAssembly.Module(moduleBytes(pages)), memory };
  } catch {
    return undefined;
  }
}

/** Kernels over a shared memory, in any thread that was sent the module and the memory. */
export function instantiateSharedSgnsKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): SgnsKernels {
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SgnsKernels;
  return { memory, dot: e.dot, update: e.update, add: e.add };
}
