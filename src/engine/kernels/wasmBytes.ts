// Helpers for the hand-assembled WebAssembly kernels (sgnsKernels, int8Logits, expSum): the
// binary format's integers, sections and names, and the common instructions. No toolchain or
// package is needed to build them, and the bytes are reviewed with the code.

export const I32 = 0x7f, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;

/** Unsigned LEB128. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

export const section = (id: number, payload: number[]): number[] => [id, ...leb(payload.length), ...payload];
export const name = (s: string): number[] => [s.length, ...Buffer.from(s, 'ascii')];
/** A SIMD instruction (0xfd prefix). */
export const simd = (op: number): number[] => [0xfd, ...leb(op)];
export const get = (i: number): number[] => [0x20, i];
export const set = (i: number): number[] => [0x21, i];

/** A module of one function (`params` → `results`) exported as `fn`, with its own memory. */
export function singleFunctionModule(fn: string, params: number[], results: number[], body: number[]): WebAssembly.Module {
  return new WebAssembly.Module(new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, params.length, ...params, results.length, ...results]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x02, ...name('memory'), 0x02, 0x00, ...name(fn), 0x00, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]));
}

/** An instance's memory grown to hold at least `bytes`. */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}
