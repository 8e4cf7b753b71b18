// The output layer of a batch-1 step (logits = h · W, W [H, V]) with W stored as int8, one
// scale per word, and h as int16: a wasm SIMD kernel (i32x4.dot_i16x8_s) reads 2.5 MB instead
// of the 10 MB float32 kernel at V = 10k, H = 256, which is what bounds a step on single-
// threaded wasm. Logits move by a few hundredths at most (measured in bench/step.ts and bounded
// in the tests); the batched path (training, evaluation, perplexity) keeps float32.
// The kernel is AssemblyScript: assembly/int8Logits.ts.

import { growTo, kernelModule } from './wasmModule';

/** h is in (-1, 1) (h = o · tanh(c)); 2^14 steps leave room in the i32 sums up to H = 4096. */
export const H_SCALE = 16383;
/** Rows of 16-byte blocks the kernel reads: H rounded up to 16 (zero padded). */
export const int8Cols = (H: number) => Math.ceil(H / 16) * 16;

/**
 * The kernel [H, V] as the int8 layout (`w`: ceil(V/4) groups of 4 words × int8Cols(H) bytes,
 * zero-filled beforehand) and per-word scales (the float logit is the i32 sum times the scale,
 * h being rounded to int16 as h · H_SCALE). Shared with the serving kernels (servingKernel.ts).
 */
export function quantizeInt8(kernel: Float32Array, H: number, V: number, w: Int8Array, scales: Float32Array): void {
  const cols = int8Cols(H);
  // Per word (a column of the kernel): the largest |weight| maps to 127.
  for (let v = 0; v < V; v++) {
    let max = 0;
    for (let k = 0; k < H; k++) max = Math.max(max, Math.abs(kernel[k * V + v]));
    const s = max > 0 ? max / 127 : 1;
    scales[v] = s / H_SCALE;
    // Word v is row v % 4 of group v / 4; its 16-column block b sits at (group · blocks + b) · 64.
    const base = Math.floor(v / 4) * 4 * cols + (v % 4) * 16;
    for (let k = 0; k < H; k++) w[base + (k >> 4) * 64 + (k & 15)] = Math.round(kernel[k * V + v] / s);
  }
}

/** Below this many weights the float32 matMul is fast enough and stays exact. */
export const INT8_MIN_WEIGHTS = 1 << 20;

export class Int8Logits {
  private readonly memory: WebAssembly.Memory;
  private readonly run: (w: number, h: number, out: number, groups: number, cols: number) => void;
  private readonly scales: Float32Array;
  private readonly hq: Int16Array;
  private readonly sums: Int32Array;
  private readonly hOffset: number;
  private readonly outOffset: number;
  /** H rounded up to the kernel's 16 columns per step (the padding is zero). */
  private readonly cols: number;
  /** Groups of 4 words (the last one padded with zero rows). */
  private readonly groups: number;

  /** From the float32 kernel [H, V] (row-major, as the output layer's matMul uses it). Throws
   *  when this runtime has no WebAssembly SIMD (callers keep the float32 path). */
  constructor(kernel: Float32Array, readonly H: number, readonly V: number) {
    if (kernel.length !== H * V) throw new Error(`Int8Logits: kernel has ${kernel.length} values, expected ${H} x ${V}`);
    this.cols = int8Cols(H);
    this.groups = Math.ceil(V / 4);
    const wBytes = this.groups * 4 * this.cols;
    this.hOffset = Math.ceil(wBytes / 16) * 16;
    this.outOffset = this.hOffset + this.cols * 2;
    const e = new WebAssembly.Instance(kernelModule('int8Logits')).exports as { memory: WebAssembly.Memory; logits: Int8Logits['run'] };
    this.memory = e.memory;
    growTo(this.memory, this.outOffset + this.groups * 16);
    this.run = e.logits;
    this.scales = new Float32Array(V);
    quantizeInt8(kernel, H, V, new Int8Array(this.memory.buffer, 0, wBytes), this.scales);
    this.hq = new Int16Array(this.memory.buffer, this.hOffset, this.cols);
    this.sums = new Int32Array(this.memory.buffer, this.outOffset, V);
  }

  /** logits = h · W + bias into `out`; returns their max. */
  logits(h: Float32Array, bias: Float32Array, out: Float32Array): number {
    const { hq, sums, scales, V } = this;
    for (let k = 0; k < this.H; k++) hq[k] = Math.round(Math.max(-1, Math.min(1, h[k])) * H_SCALE);
    this.run(0, this.hOffset, this.outOffset, this.groups, this.cols);
    let max = -Infinity;
    for (let v = 0; v < V; v++) {
      const x = (out[v] = sums[v] * scales[v] + bias[v]);
      if (x > max) max = x;
    }
    return max;
  }
}
