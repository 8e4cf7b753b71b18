// Loads the fused LSTM trainer's WebAssembly kernels (kernels/assembly/lstmTrain.ts) over a
// shared WebAssembly.Memory, and hands out 64-byte-aligned regions of that memory with a bump
// allocator (the trainer allocates once per shape and never frees: weights, moments,
// activations and gradients live for the trainer's lifetime).
import { kernelModule } from './wasmModule';

/** The kernels' exports; addresses are byte offsets, booleans are 0/1. */
export interface LstmTrainExports {
  setGemmScratch(a: number, b: number, tile: number): void;
  packB(src: number, ld: number, trans: number, K: number, N: number, dst: number): void;
  gemmPacked(M: number, N: number, K: number, A: number, lda: number, transA: number, pb: number, C: number, ldc: number, acc: number): void;
  gemm(M: number, N: number, K: number, A: number, lda: number, transA: number, B: number, ldb: number, transB: number, C: number, ldc: number, acc: number): void;
  [name: string]: (...args: number[]) => number | void;
}

const PAGE = 65536;
/** Low memory left to the module (its stack and static data, if any ever appear). */
const RESERVED = PAGE;

export class LstmTrainKernels {
  readonly memory: WebAssembly.Memory;
  readonly k: LstmTrainExports;
  private top = RESERVED;

  /** `module`: lstmTrain, or lstmServe (the serving kernels, built on the same helpers). */
  constructor(memory?: WebAssembly.Memory, module = 'lstmTrain') {
    this.memory = memory ?? new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const instance = new WebAssembly.Instance(kernelModule(module), { env: { memory: this.memory } });
    this.k = instance.exports as unknown as LstmTrainExports;
  }

  /** A fresh region of `bytes` (64-byte aligned, zero-filled), growing memory as needed. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + Math.max(bytes, 0)) / 64) * 64;
    const need = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
    return at;
  }

  f32(at: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, n);
  }

  i32(at: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, n);
  }

  u8(at: number, n: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, at, n);
  }

  get bytesUsed(): number {
    return this.top;
  }
}
