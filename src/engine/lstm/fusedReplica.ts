// One thread's share of a fused training step (see fusedTrainer.ts): forward, sampled softmax
// and backward through time for its streams, accumulating into its own gradient buffers, over
// weights shared in one WebAssembly memory. The class imports nothing and reads only the
// plain-number layout it is given, so the same code runs on the main thread and, as source
// text, in a worker thread (fusedWorker.ts) with its own instance of the kernels.

/** A weight: its values (shared) and this replica's gradient buffer. */
export interface ParamAddr {
  x: number;
  g: number;
  size: number;
}

export interface LayerAddr {
  kernel: ParamAddr; // [in, 4H]
  recurrent: ParamAddr; // [H, 4H]
  bias: ParamAddr; // [4H]
  input: number;
  packedU: number; // U packed for h·U (shared, packed once per update)
  packedUT: number; // U^T packed for dZ·U^T
}

/** Activation buffers for `batch` streams and up to `steps` steps. */
export interface WorkspaceAddr {
  batch: number;
  steps: number;
  ids: number;
  targets: number;
  /** Layer inputs after dropout: xs[0] the embedded ids [N, E], xs[l] layer l-1's output [N, H]; xs[L] feeds the softmax. */
  xs: number[];
  masks: number[];
  /** Per layer: gates [N, 4H] (activations, then dZ), h and c [(T+1)·B, H] (block 0 = the carried state), tanh(c) [N, H]. */
  z: number[];
  h: number[];
  c: number[];
  tc: number[];
  /** Training only (0 otherwise): gradients at the layer boundaries and the BPTT carries. */
  dTop: number;
  dBelow: number;
  dhNext: number;
  dcNext: number;
}

export interface ReplicaLayout {
  V: number;
  E: number;
  H: number;
  L: number;
  tied: boolean;
  dropout: number;
  seed: number;
  embedding: ParamAddr;
  layers: LayerAddr[];
  /** Output rows [V, H] (the embedding's when tied) and biases [V]. */
  out: ParamAddr;
  outBias: ParamAddr;
  // Shared per step, written by the main thread before the replicas run:
  sampleIds: number;
  sampleAdj: number;
  posOf: number;
  ws: number;
  packedOut: number;
  // This replica's own:
  /** Int32 [embCount, outCount] of the touched-row lists. */
  counts: number;
  embFlags: number;
  embList: number;
  outFlags: number;
  outList: number;
  targetAdj: number;
  logits: number;
  /** Logits of evalRows rows × evalCols vocabulary columns, and each row's running softmax state (16 bytes). */
  evalLogits: number;
  evalRows: number;
  evalCols: number;
  evalState: number;
  /** Float64 log p(target) of each row of the last evaluation step, time-major [T, batch]. */
  evalScores: number;
  dTrue: number;
  colSum: number;
  dWs: number;
  gemmA: number;
  gemmB: number;
  tile: number;
  train: WorkspaceAddr;
  evaluation: WorkspaceAddr | null;
}

/** The kernel exports a replica calls (kernels/assembly/lstmTrain.ts). */
type Kernels = Record<string, (...args: number[]) => number>;

export class FusedReplica {
  constructor(
    private readonly k: Kernels,
    private readonly memory: WebAssembly.Memory,
    readonly layout: ReplicaLayout,
  ) {
    k.setGemmScratch(layout.gemmA, layout.gemmB, layout.tile);
    k.setSeed(layout.seed >>> 0);
  }

  private f32(at: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, n);
  }

  private i32(at: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, n);
  }

  /**
   * Forward, softmax over S shared samples and backward for this replica's T steps (ids,
   * targets and targetAdj already in place). Gradients are of Σ loss / totalRows. Returns the
   * summed loss; the final state becomes the next step's initial state.
   */
  trainStep(T: number, S: number, totalRows: number): number {
    const w = this.layout.train;
    const N = T * w.batch;
    this.forward(w, T, this.layout.dropout);
    const loss = this.sampledSoftmax(w, N, S, totalRows);
    this.backward(w, T);
    this.carryState(w, T);
    return loss;
  }

  /**
   * Summed full-softmax NLL of T steps of an evaluation workspace (output layer pre-packed);
   * each row's log p(target) is left in layout.evalScores.
   */
  evalStep(T: number, w: WorkspaceAddr = this.layout.evaluation!): number {
    const { k, layout } = this;
    const { V, H } = layout;
    const N = T * w.batch;
    this.forward(w, T, 0);
    const top = w.xs[layout.L];
    let total = 0;
    for (let r0 = 0; r0 < N; r0 += layout.evalRows) {
      const r = Math.min(layout.evalRows, N - r0);
      // A slice of the vocabulary at a time: scratch independent of V, its logits still in cache for the softmax.
      for (let c0 = 0; c0 < V; c0 += layout.evalCols) {
        const c = Math.min(layout.evalCols, V - c0);
        k.gemmPacked(r, c, H, top + r0 * H * 4, H, 0, layout.packedOut + c0 * H * 4, layout.evalLogits, c, 0);
        k.softmaxSlice(layout.evalLogits, r, c, layout.outBias.x + c0 * 4, c0, w.targets + r0 * 4, layout.evalState);
      }
      total += k.softmaxSliceNll(r, layout.evalState, layout.evalScores + r0 * 8);
    }
    this.carryState(w, T);
    return total;
  }

  /** Zero (h, c) for every stream of a workspace. */
  resetState(w: WorkspaceAddr): void {
    const n = w.batch * this.layout.H;
    for (let l = 0; l < this.layout.L; l++) {
      this.f32(w.h[l], n).fill(0);
      this.f32(w.c[l], n).fill(0);
    }
  }

  /** Embedding, dropout, every layer over T steps; xs[L] ends up holding the softmax's input. */
  private forward(w: WorkspaceAddr, T: number, dropout: number): void {
    const { k, layout } = this;
    const { E, H } = layout;
    const B = w.batch;
    const N = T * B;
    const F = 4 * H;
    k.gatherRows(layout.embedding.x, w.ids, N, E, w.xs[0]);
    if (dropout > 0) {
      k.dropoutMask(w.masks[0], N * E, dropout);
      k.mulInPlace(w.xs[0], w.masks[0], N * E);
    }
    for (let l = 0; l < layout.L; l++) {
      const p = layout.layers[l];
      const z = w.z[l];
      k.fillRows(z, p.bias.x, N, F);
      this.gemm(N, F, p.input, w.xs[l], p.input, 0, p.kernel.x, F, 0, z, F, 1);
      for (let t = 0; t < T; t++) {
        const zt = z + t * B * F * 4;
        const s = t * B * H * 4;
        k.gemmPacked(B, F, H, w.h[l] + s, H, 0, p.packedU, zt, F, 1);
        k.lstmGatesForward(zt, w.c[l] + s, w.c[l] + s + B * H * 4, w.tc[l] + s, w.h[l] + s + B * H * 4, B, H);
      }
      const outputs = w.h[l] + B * H * 4;
      if (dropout > 0) {
        k.dropoutMask(w.masks[l + 1], N * H, dropout);
        k.mulInto(w.xs[l + 1], outputs, w.masks[l + 1], N * H);
      } else this.f32(w.xs[l + 1], N * H).set(this.f32(outputs, N * H));
    }
  }

  /** Loss summed over rows; leaves d(loss)/d(xs[L]) in w.dTop and the output rows' gradients accumulated. */
  private sampledSoftmax(w: WorkspaceAddr, N: number, S: number, totalRows: number): number {
    const { k, layout } = this;
    const { H } = layout;
    const top = w.xs[layout.L];
    this.gemm(N, S, H, top, H, 0, layout.ws, H, 1, layout.logits, S, 0);
    const loss = k.sampledSoftmaxRows(layout.logits, N, S, totalRows, top, H, layout.out.x, layout.outBias.x, w.targets, layout.targetAdj, layout.sampleAdj, layout.posOf, layout.dTrue);
    // Bias: column sums of dLogits into the sampled ids.
    this.f32(layout.colSum, S).fill(0);
    k.addColumnSums(layout.colSum, layout.logits, N, S);
    k.scatterAddRows(layout.outBias.g, layout.sampleIds, S, 1, layout.colSum);
    // d xs[L] = dLogits · Ws, plus the true logits' share (targetGradients).
    this.gemm(N, H, S, layout.logits, S, 0, layout.ws, H, 0, w.dTop, H, 0);
    k.targetGradients(top, w.dTop, layout.out.x, layout.out.g, layout.outBias.g, w.targets, layout.dTrue, N, H);
    // dWs = dLogits^T · xs[L], scattered to the sampled rows.
    this.gemm(S, H, N, layout.logits, S, 1, top, H, 0, layout.dWs, H, 0);
    k.scatterAddRows(layout.out.g, layout.sampleIds, S, H, layout.dWs);
    const counts = this.i32(layout.counts, 2);
    counts[1] = k.touchRows(layout.sampleIds, S, layout.outFlags, layout.outList, counts[1]);
    counts[1] = k.touchRows(w.targets, N, layout.outFlags, layout.outList, counts[1]);
    if (layout.tied) {
      counts[0] = k.touchRows(layout.sampleIds, S, layout.embFlags, layout.embList, counts[0]);
      counts[0] = k.touchRows(w.targets, N, layout.embFlags, layout.embList, counts[0]);
    }
    return loss;
  }

  /** Back through the layers and time from w.dTop; accumulates every weight's gradient. */
  private backward(w: WorkspaceAddr, T: number): void {
    const { k, layout } = this;
    const { E, H, dropout } = layout;
    const B = w.batch;
    const N = T * B;
    const F = 4 * H;
    let dOut = w.dTop;
    let dIn = w.dBelow;
    for (let l = layout.L - 1; l >= 0; l--) {
      const p = layout.layers[l];
      const z = w.z[l];
      if (dropout > 0) k.mulInPlace(dOut, w.masks[l + 1], N * H);
      this.f32(w.dhNext, B * H).fill(0);
      this.f32(w.dcNext, B * H).fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const zt = z + t * B * F * 4;
        const s = t * B * H * 4;
        k.lstmGatesBackward(zt, w.c[l] + s, w.tc[l] + s, dOut + s, w.dhNext, w.dcNext, B, H);
        if (t > 0) k.gemmPacked(B, H, F, zt, F, 0, p.packedUT, w.dhNext, H, 0);
      }
      // dU += H_prev^T · dZ (h rows 0..N-1 are h_{t-1}), dWx += X^T · dZ, db += Σ dZ.
      this.gemm(H, F, N, w.h[l], H, 1, z, F, 0, p.recurrent.g, F, 1);
      this.gemm(p.input, F, N, w.xs[l], p.input, 1, z, F, 0, p.kernel.g, F, 1);
      k.addColumnSums(p.bias.g, z, N, F);
      this.gemm(N, p.input, F, z, F, 0, p.kernel.x, F, 1, dIn, p.input, 0);
      const swap = dOut;
      dOut = dIn;
      dIn = swap;
    }
    // dOut now holds d(embedded ids after dropout).
    if (dropout > 0) k.mulInPlace(dOut, w.masks[0], N * E);
    k.scatterAddRows(layout.embedding.g, w.ids, N, E, dOut);
    const counts = this.i32(layout.counts, 2);
    counts[0] = k.touchRows(w.ids, N, layout.embFlags, layout.embList, counts[0]);
  }

  /** The last step's final (h, c) becomes block 0: the next chunk's initial state. */
  private carryState(w: WorkspaceAddr, T: number): void {
    const n = w.batch * this.layout.H;
    for (let l = 0; l < this.layout.L; l++) {
      this.f32(w.h[l], (T + 1) * n).copyWithin(0, T * n, (T + 1) * n);
      this.f32(w.c[l], (T + 1) * n).copyWithin(0, T * n, (T + 1) * n);
    }
  }

  /** C (+)= op(A) · op(B), B packed into this replica's scratch (sized for the largest operand). */
  private gemm(M: number, N: number, K: number, A: number, lda: number, transA: number, B: number, ldb: number, transB: number, C: number, ldc: number, acc: number): void {
    this.k.packB(B, ldb, transB, K, N, this.layout.gemmB);
    this.k.gemmPacked(M, N, K, A, lda, transA, this.layout.gemmB, C, ldc, acc);
  }
}
