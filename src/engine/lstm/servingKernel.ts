// Batch-1 serving of an LSTM language model on the wasm kernels (kernels/assembly/lstmServe.ts,
// built on the fused trainer's GEMM and gate code): the weights live in one linear memory,
// packed once, so a step is a few wasm calls with no TF.js tensors. A read of n tokens (a cold
// read after a jump) projects all n inputs in one GEMM, then runs the recurrence (h·Wh only),
// with no output layer for the tokens in between. The output layer is int8 (int8Logits.ts's
// layout and scales) or float32, followed by the log-softmax, all in wasm.
import { LstmTrainKernels } from '../kernels/lstmTrainKernels';
import { H_SCALE, int8Cols, quantizeInt8 } from '../kernels/int8Logits';
import type { LstmState } from './lstm';

export interface ServingWeights {
  embedding: Float32Array; // [V, E]
  layers: { kernel: Float32Array; recurrent: Float32Array; bias: Float32Array }[]; // [in, 4H], [H, 4H], [4H]
  outKernel: Float32Array; // [H, V]
  outBias: Float32Array; // [V]
}

interface Layer {
  inDim: number;
  pWx: number;
  pWh: number;
  bias: number;
  h: number;
  c: number;
  hView: Float32Array;
  cView: Float32Array;
}

/** Tokens per batched read (longer reads go in chunks): bounds the activation buffers. */
export const READ_CHUNK = 256;
const MC = 128; // _gemm.ts's block of packed A rows
const KC = 256; // and its block of K

const EMPTY = new Float32Array(0);
const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

export class LstmServingKernel {
  // Not shared (one thread serves): views over it are plain, and cheap to make and copy.
  private readonly kern = new LstmTrainKernels(new WebAssembly.Memory({ initial: 1, maximum: 65536 }), 'lstmServe');
  private readonly layers: Layer[] = [];
  private readonly emb: number;
  private readonly z: number;
  private readonly tc: number;
  private readonly ids: number;
  private readonly hs: [number, number];
  private readonly Z: number;
  private readonly outBias: number;
  private readonly outAt: number;
  private readonly out: Float32Array;
  private readonly idView: Int32Array;
  private readonly int8: { w: number; scales: number; hq: number; sums: number; cols: number; groups: number } | null;
  private readonly pOut: number;

  /** `int8`: the output layer as int8Logits.ts quantises it; otherwise float32. */
  constructor(w: ServingWeights, readonly V: number, readonly E: number, readonly H: number, int8: boolean) {
    const { kern } = this;
    const k = kern.k;
    const G = 4 * H;
    const f32 = (n: number) => kern.alloc(n * 4);
    k.setGemmScratch(f32(MC * KC), 0, f32(32));
    this.emb = f32(V * E);
    kern.f32(this.emb, V * E).set(w.embedding);
    // Staging for packB's source, reused by every matrix.
    const stage = f32(Math.max(E, H) * G + (int8 ? 0 : H * V));
    const packed = (src: Float32Array, K: number, N: number) => {
      kern.f32(stage, src.length).set(src);
      const at = f32(K * roundUp(N, 8));
      k.packB(stage, N, 0, K, N, at);
      return at;
    };
    w.layers.forEach((l, i) => {
      const inDim = i === 0 ? E : H;
      const bias = f32(G);
      kern.f32(bias, G).set(l.bias);
      this.layers.push({ inDim, pWx: packed(l.kernel, inDim, G), pWh: packed(l.recurrent, H, G), bias, h: f32(H), c: f32(H), hView: EMPTY, cView: EMPTY });
    });
    this.z = f32(G);
    this.tc = f32(H);
    this.ids = f32(READ_CHUNK);
    this.hs = [f32(READ_CHUNK * Math.max(E, H)), f32(READ_CHUNK * Math.max(E, H))];
    this.Z = f32(READ_CHUNK * G);
    this.outBias = f32(V);
    kern.f32(this.outBias, V).set(w.outBias);
    this.outAt = f32(roundUp(V, 4));
    if (int8) {
      const cols = int8Cols(H);
      const groups = Math.ceil(V / 4);
      const wAt = kern.alloc(groups * 4 * cols);
      const scales = f32(V);
      quantizeInt8(w.outKernel, H, V, new Int8Array(kern.memory.buffer, wAt, groups * 4 * cols), kern.f32(scales, V));
      this.int8 = { w: wAt, scales, hq: kern.alloc(cols * 2), sums: f32(groups * 4), cols, groups };
      this.pOut = 0;
    } else {
      this.int8 = null;
      this.pOut = packed(w.outKernel, H, V);
    }
    // Views last: the memory has reached its final size.
    this.out = kern.f32(this.outAt, V);
    this.idView = kern.i32(this.ids, READ_CHUNK);
    for (const l of this.layers) {
      l.hView = kern.f32(l.h, H);
      l.cView = kern.f32(l.c, H);
    }
  }

  /** The state after one more token. */
  step(state: LstmState, id: number): LstmState {
    const { kern, E, H } = this;
    this.load(state);
    let x = this.emb + id * E * 4;
    for (const l of this.layers) {
      kern.k.stepLayer(x, l.inDim, l.h, l.c, H, l.pWx, l.pWh, l.bias, this.z, this.tc);
      x = l.h;
    }
    return this.save();
  }

  /** The state after ids[start..end): READ_CHUNK tokens per batched read. */
  read(state: LstmState, ids: ArrayLike<number>, start: number, end: number): LstmState {
    const { kern, E, H } = this;
    this.load(state);
    const { idView } = this;
    for (let at = start; at < end; at += READ_CHUNK) {
      const n = Math.min(READ_CHUNK, end - at);
      for (let t = 0; t < n; t++) idView[t] = ids[at + t];
      kern.k.gatherRows(this.emb, this.ids, n, E, this.hs[0]);
      this.layers.forEach((l, i) => {
        kern.k.readLayer(this.hs[i & 1], n, l.inDim, l.h, l.c, H, l.pWx, l.pWh, l.bias, this.Z, this.tc, this.hs[(i + 1) & 1]);
      });
    }
    return this.save();
  }

  /** The output layer's logits for the top layer's h (into `logitsView`); returns their max. */
  logits(h: Float32Array): number {
    const { kern, H, V } = this;
    const last = this.layers[this.layers.length - 1];
    last.hView.set(h);
    const top = last.h;
    const q = this.int8;
    if (q) return kern.k.outInt8(top, H, q.hq, q.cols, q.w, q.groups, q.sums, q.scales, this.outBias, this.outAt, V, H_SCALE) as number;
    return kern.k.outFloat(top, H, this.pOut, this.outBias, this.outAt, V) as number;
  }

  get int8Output(): boolean {
    return this.int8 !== null;
  }

  /** What logits() wrote (a view into wasm memory, overwritten by the next call). */
  get logitsView(): Float32Array {
    return this.out;
  }

  /** log Σ exp of the logits logits() wrote, given their max. */
  logSumExp(max: number): number {
    return this.kern.k.logSumExp(this.outAt, this.V, max) as number;
  }

  /** Log-probabilities of the next token (a fresh array): logits, max, log-sum-exp, subtract. */
  logProbs(h: Float32Array): Float32Array {
    const lse = this.logSumExp(this.logits(h));
    this.kern.k.subtractLse(this.outAt, this.V, lse);
    return this.out.slice();
  }

  private load(state: LstmState): void {
    this.layers.forEach((l, i) => {
      l.hView.set(state.h[i]);
      l.cView.set(state.c[i]);
    });
  }

  private save(): LstmState {
    return { h: this.layers.map((l) => l.hView.slice()), c: this.layers.map((l) => l.cView.slice()) };
  }
}
