// The fused training path: the whole LSTM language model's training step (embedding gather,
// dropout, LSTM forward and backward through time, sampled softmax, gradient-norm clipping,
// Adam) runs in one WebAssembly module (kernels/assembly/lstmTrain.ts) over weights, moments,
// activations and gradients kept in its memory, instead of TF.js ops with tensor round trips.
// Same model and semantics as lstm.ts + train.ts (Keras weight layout, gate order i, f, g, o;
// inverted dropout on the embedding and on every layer's output; truncated BPTT carrying
// (h, c) across steps; sampledSoftmax.ts's sampler and logQ correction), so its weights() load
// into LstmModel and save as before. The embedding and output rows are updated lazily: only
// rows with a gradient this step (inputs, targets, samples) move (see RowUpdates).
import type { LstmHyper, NamedWeight } from '../types';
import { LstmTrainKernels, type LstmTrainExports } from '../kernels/lstmTrainKernels';
import { validateHyper, weightSpecs } from './lstm';
import type { UnigramSampler } from './sampledSoftmax';
import { batchify } from './train';

/**
 * How the embedding / output rows and the output bias are updated.
 * 'lazy' (default): Adam on the rows touched this step only; the others keep their weights
 * and moments (TF's LazyAdam). The cost follows the ~3k touched rows, not V.
 * 'dense': Adam over every row each step, exactly train.ts's optimizer (for comparisons).
 */
export type RowUpdates = 'lazy' | 'dense';

export interface FusedTrainerOptions {
  /** Streams per step and the longest step (bptt). */
  batch: number;
  bptt: number;
  /** Draws the shared sample set of each step; null trains with the full softmax. */
  sampler: UnigramSampler | null;
  samples?: number;
  clip?: number;
  /** Seeds the dropout masks. */
  seed?: number;
  rowUpdates?: RowUpdates;
}

/** A set of negatives for one step, as UnigramSampler.sample returns it. */
export interface SampleSet {
  ids: Int32Array;
  tries: number;
}

interface Param {
  name: string;
  size: number;
  x: number;
  m: number;
  v: number;
  g: number;
}

interface LayerParams {
  kernel: Param; // [in, 4H]
  recurrent: Param; // [H, 4H]
  bias: Param; // [4H]
  input: number; // in
  packedU: number; // U packed for h·U
  packedUT: number; // U^T packed for dZ·U^T
}

/** Activation buffers for `batch` streams and up to `steps` steps (training adds gradients). */
interface Workspace {
  batch: number;
  steps: number;
  ids: number;
  targets: number;
  /** Layer inputs after dropout: xs[0] the embedded ids [N, E], xs[l] layer l-1's output [N, H]; xs[L] feeds the softmax. */
  xs: number[];
  masks: number[];
  /** Per layer: gates [N, 4H] (activations, then dZ), h [(T+1)·B, H] and c [(T+1)·B, H] (block 0 = the carried state), tanh(c) [N, H]. */
  z: number[];
  h: number[];
  c: number[];
  tc: number[];
  // Training only:
  dTop: number;
  dBelow: number;
  dhNext: number;
  dcNext: number;
}

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;
const EVAL_ROWS = 128;

export class FusedLstmTrainer {
  readonly hyper: LstmHyper;
  private readonly kern: LstmTrainKernels;
  private readonly k: LstmTrainExports;
  private readonly L: number;
  private readonly E: number;
  private readonly H: number;
  private readonly V: number;
  private readonly embedding: Param;
  private readonly layers: LayerParams[] = [];
  /** Output rows [V, H]: the embedding when tied, else dense/kernel transposed. */
  private readonly out: Param;
  private readonly outBias: Param;
  private readonly dense: Param[];
  // Touched-row sets: embedding rows (inputs, and targets + samples when tied), output rows.
  private readonly embFlags: number;
  private readonly embList: number;
  private embCount = 0;
  private readonly outFlags: number;
  private readonly outList: number;
  private outCount = 0;
  private readonly posOf: number;
  private readonly train: Workspace;
  private evalSpace: Workspace | null = null;
  private readonly S: number;
  private readonly sampleIds: number;
  private readonly sampleAdj: number;
  private readonly targetAdj: number;
  private readonly logits: number;
  private readonly dTrue: number;
  private readonly colSum: number;
  private readonly ws: number;
  private readonly dWs: number;
  private scratchB = 0;
  private scratchBBytes = 0;
  private packedFresh = false;
  private t = 0;
  private readonly clip: number;
  private readonly rowUpdates: RowUpdates;
  private readonly sampler: UnigramSampler | null;

  constructor(hyper: LstmHyper, weights: NamedWeight[], opts: FusedTrainerOptions) {
    validateHyper(hyper);
    this.hyper = { ...hyper };
    const { vocabSize: V, embedDim: E, hiddenDim: H, layers: L } = hyper;
    this.V = V;
    this.E = E;
    this.H = H;
    this.L = L;
    this.clip = opts.clip ?? 0.25;
    this.rowUpdates = opts.rowUpdates ?? 'lazy';
    this.sampler = opts.sampler;
    this.kern = new LstmTrainKernels();
    this.k = this.kern.k;
    const kern = this.kern;
    const values = checkedWeights(hyper, weights);
    const param = (name: string, size: number, init: Float32Array): Param => {
      const p = { name, size, x: kern.alloc(size * 4), m: kern.alloc(size * 4), v: kern.alloc(size * 4), g: kern.alloc(size * 4) };
      kern.f32(p.x, size).set(init);
      return p;
    };
    this.embedding = param('embedding/embeddings', V * E, values.get('embedding/embeddings')!);
    for (let l = 0; l < L; l++) {
      const n = l === 0 ? 'lstm' : `lstm_${l}`;
      const input = l === 0 ? E : H;
      this.layers.push({
        kernel: param(`${n}/kernel`, input * 4 * H, values.get(`${n}/kernel`)!),
        recurrent: param(`${n}/recurrent_kernel`, H * 4 * H, values.get(`${n}/recurrent_kernel`)!),
        bias: param(`${n}/bias`, 4 * H, values.get(`${n}/bias`)!),
        input,
        packedU: kern.alloc(H * roundUp(4 * H, 8) * 4),
        packedUT: kern.alloc(4 * H * roundUp(H, 8) * 4),
      });
    }
    this.out = hyper.tied ? this.embedding : param('dense/kernel', V * H, transpose(values.get('dense/kernel')!, H, V));
    this.outBias = param('dense/bias', V, values.get('dense/bias')!);
    this.dense = this.layers.flatMap((l) => [l.kernel, l.recurrent, l.bias]);
    this.embFlags = kern.alloc(V);
    this.embList = kern.alloc(V * 4);
    this.outFlags = kern.alloc(V);
    this.outList = kern.alloc(V * 4);
    this.posOf = kern.alloc(V * 4);
    kern.i32(this.posOf, V).fill(-1);

    const S = opts.sampler ? Math.min(opts.samples ?? 2048, V) : V;
    this.S = S;
    const B = opts.batch;
    const T = opts.bptt;
    const N = B * T;
    this.sampleIds = kern.alloc(S * 4);
    this.sampleAdj = kern.alloc(S * 4);
    this.targetAdj = kern.alloc(N * 4);
    this.logits = kern.alloc(N * S * 4);
    this.dTrue = kern.alloc(N * 4);
    this.colSum = kern.alloc(S * 4);
    this.ws = kern.alloc(S * H * 4);
    this.dWs = kern.alloc(S * H * 4);
    // GEMM scratch: A blocks of 128 x 256 floats, B as large as the largest packed operand.
    this.k.setGemmScratch(kern.alloc(128 * 256 * 4), 0, kern.alloc(128));
    this.train = this.workspace(B, T, true);
    this.k.setSeed((opts.seed ?? 1) >>> 0);
  }

  /** Streams per step. */
  get batch(): number {
    return this.train.batch;
  }

  /** Bytes of WebAssembly memory in use (weights, moments, activations, scratch). */
  get memoryBytes(): number {
    return this.kern.bytesUsed;
  }

  /**
   * One training step over `inputs` / `targets` (time-major, [T·B], T <= bptt): forward,
   * sampled-softmax loss, backward, clip, Adam with learning rate `lr`. Returns the mean loss.
   * The recurrent state carries over to the next step (resetState() starts streams afresh).
   */
  step(inputs: Int32Array, targets: Int32Array, lr: number, sample?: SampleSet): number {
    const loss = this.forwardBackward(inputs, targets, sample);
    this.update(lr);
    return loss;
  }

  /**
   * The gradients of one step's mean loss (before clipping), by weight name in saved layouts
   * (dense/kernel [H, V]; for a tied model the output rows' share is in the embedding's), without
   * updating anything but the carried state. For gradient checks.
   */
  gradients(inputs: Int32Array, targets: Int32Array, sample?: SampleSet): { loss: number; grads: Map<string, Float32Array> } {
    const loss = this.forwardBackward(inputs, targets, sample);
    const grads = new Map<string, Float32Array>();
    for (const p of [this.embedding, ...this.dense, ...(this.hyper.tied ? [] : [this.out]), this.outBias]) {
      const g = this.kern.f32(p.g, p.size);
      grads.set(p.name, p === this.out && !this.hyper.tied ? transpose(g, this.V, this.H) : g.slice());
      g.fill(0);
    }
    this.clearTouched();
    return { loss, grads };
  }

  /** Starts every stream from a zero state (the next epoch). */
  resetState(): void {
    const { batch: B } = this.train;
    for (let l = 0; l < this.L; l++) {
      this.kern.f32(this.train.h[l], B * this.H).fill(0);
      this.kern.f32(this.train.c[l], B * this.H).fill(0);
    }
  }

  /** Copies of all weights in LstmModel's names and layouts (tied: dense/kernel = embedding^T). */
  weights(): NamedWeight[] {
    const { V, H } = this;
    return weightSpecs(this.hyper).map((s) => {
      let values: Float32Array;
      if (s.name === 'dense/kernel') values = transpose(this.kern.f32(this.out.x, V * H), V, H);
      else values = this.kern.f32(this.paramByName(s.name).x, s.shape.reduce((a, b) => a * b, 1)).slice();
      return { name: s.name, shape: s.shape.slice(), values };
    });
  }

  /**
   * Exact full-softmax perplexity of `ids`, `batch` contiguous columns with the state carried
   * through each (the layout of train.ts's evaluatePerplexity; more columns run faster, the state
   * restarting at each column's start). Leaves the training state alone.
   */
  evaluate(ids: Int32Array, opts: { batch?: number; bptt?: number } = {}): { ppl: number; tokens: number } {
    if (ids.length < 2) throw new Error(`Perplexity needs at least 2 tokens, got ${ids.length}`);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= this.V) throw new Error(`Evaluation id ${ids[i]} at position ${i} is outside the vocabulary (0..${this.V - 1})`);
    }
    const bptt = opts.bptt ?? 35;
    const b = Math.max(1, Math.min(opts.batch ?? 32, Math.floor(ids.length / 2)));
    if (!this.evalSpace || this.evalSpace.batch !== b || this.evalSpace.steps < bptt) this.evalSpace = this.workspace(b, bptt, false);
    const w = this.evalSpace;
    for (let l = 0; l < this.L; l++) {
      this.kern.f32(w.h[l], b * this.H).fill(0);
      this.kern.f32(w.c[l], b * this.H).fill(0);
    }
    const { V, H } = this;
    // The output layer [H, V] packed once for every chunk's logits.
    const packedOut = this.evalPackedOut();
    this.k.packB(this.out.x, H, 1, H, V, packedOut);
    this.packRecurrent();
    const { data, rows } = batchify(ids, b);
    const logits = this.evalLogits();
    let total = 0;
    let count = 0;
    for (let i = 0; i < rows - 1; i += bptt) {
      const n = Math.min(bptt, rows - 1 - i);
      const N = n * b;
      this.kern.i32(w.ids, N).set(data.subarray(i * b, (i + n) * b));
      this.kern.i32(w.targets, N).set(data.subarray((i + 1) * b, (i + 1 + n) * b));
      this.forward(w, n, 0);
      const top = w.xs[this.L];
      for (let r0 = 0; r0 < N; r0 += EVAL_ROWS) {
        const r = Math.min(EVAL_ROWS, N - r0);
        this.k.gemmPacked(r, V, H, top + r0 * H * 4, H, 0, packedOut, logits, V, 0);
        total += this.k.softmaxNll(logits, r, V, this.outBias.x, w.targets + r0 * 4) as number;
      }
      count += N;
      this.carryState(w, n);
    }
    return { ppl: Math.exp(total / count), tokens: count };
  }

  // ---- the step ----

  private forwardBackward(inputs: Int32Array, targets: Int32Array, sample?: SampleSet): number {
    const w = this.train;
    const B = w.batch;
    if (inputs.length !== targets.length || inputs.length % B !== 0) throw new Error(`step: ${inputs.length} inputs and ${targets.length} targets for ${B} streams`);
    const T = inputs.length / B;
    if (T < 1 || T > w.steps) throw new Error(`step: ${T} steps, expected 1..${w.steps}`);
    const N = T * B;
    this.kern.i32(w.ids, N).set(inputs);
    this.kern.i32(w.targets, N).set(targets);
    this.packRecurrent();
    this.forward(w, T, this.hyper.dropout);
    const loss = this.sampledSoftmax(w, N, sample);
    this.backward(w, T);
    this.carryState(w, T);
    return loss / N;
  }

  /** Embedding, dropout, every layer over T steps; xs[L] ends up holding the softmax's input. */
  private forward(w: Workspace, T: number, dropout: number): void {
    const { k, kern, E, H } = this;
    const B = w.batch;
    const N = T * B;
    k.gatherRows(this.embedding.x, w.ids, N, E, w.xs[0]);
    if (dropout > 0) {
      k.dropoutMask(w.masks[0], N * E, dropout);
      k.mulInPlace(w.xs[0], w.masks[0], N * E);
    }
    for (let l = 0; l < this.L; l++) {
      const p = this.layers[l];
      const z = w.z[l];
      const F = 4 * H;
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
      } else kern.f32(w.xs[l + 1], N * H).set(kern.f32(outputs, N * H));
    }
  }

  /** Loss summed over rows; leaves d(mean loss)/d(xs[L]) in w.dTop and the output rows' gradients accumulated. */
  private sampledSoftmax(w: Workspace, N: number, given?: SampleSet): number {
    const { k, kern, H } = this;
    const top = w.xs[this.L];
    const targets = kern.i32(w.targets, N);
    const posOf = kern.i32(this.posOf, this.V);
    const bias = kern.f32(this.outBias.x, this.V);
    let S: number;
    if (this.sampler) {
      const sample = given ?? this.sampler.sample(this.S);
      S = sample.ids.length;
      if (S > this.S) throw new Error(`step: ${S} samples, at most ${this.S}`);
      kern.i32(this.sampleIds, S).set(sample.ids);
      const sampleQ = this.sampler.logExpected(sample.ids, sample.tries);
      const adj = kern.f32(this.sampleAdj, S);
      for (let j = 0; j < S; j++) adj[j] = bias[sample.ids[j]] - sampleQ[j];
      kern.f32(this.targetAdj, N).set(this.sampler.logExpected(targets, sample.tries).map((q) => -q));
    } else {
      // The full softmax as a "sample" of every word with no correction: the target's own
      // column is masked as an accidental hit and scored as the true logit instead.
      S = this.V;
      const ids = kern.i32(this.sampleIds, S);
      for (let j = 0; j < S; j++) ids[j] = j;
      kern.f32(this.sampleAdj, S).set(bias);
      kern.f32(this.targetAdj, N).fill(0);
    }
    const ids = kern.i32(this.sampleIds, S);
    for (let j = 0; j < S; j++) posOf[ids[j]] = j;
    k.gatherRows(this.out.x, this.sampleIds, S, H, this.ws);
    this.gemm(N, S, H, top, H, 0, this.ws, H, 1, this.logits, S, 0);
    const loss = k.sampledSoftmaxRows(this.logits, N, S, top, H, this.out.x, this.outBias.x, w.targets, this.targetAdj, this.sampleAdj, this.posOf, this.dTrue) as number;
    for (let j = 0; j < S; j++) posOf[ids[j]] = -1;
    // Bias: column sums of dLogits into the sampled ids.
    kern.f32(this.colSum, S).fill(0);
    k.addColumnSums(this.colSum, this.logits, N, S);
    k.scatterAddRows(this.outBias.g, this.sampleIds, S, 1, this.colSum);
    // d xs[L] = dLogits · Ws, plus the true logits' share (targetGradients).
    this.gemm(N, H, S, this.logits, S, 0, this.ws, H, 0, w.dTop, H, 0);
    k.targetGradients(top, w.dTop, this.out.x, this.out.g, this.outBias.g, w.targets, this.dTrue, N, H);
    // dWs = dLogits^T · xs[L], scattered to the sampled rows.
    this.gemm(S, H, N, this.logits, S, 1, top, H, 0, this.dWs, H, 0);
    k.scatterAddRows(this.out.g, this.sampleIds, S, H, this.dWs);
    this.outCount = k.touchRows(this.sampleIds, S, this.outFlags, this.outList, this.outCount) as number;
    this.outCount = k.touchRows(w.targets, N, this.outFlags, this.outList, this.outCount) as number;
    if (this.hyper.tied) {
      this.embCount = k.touchRows(this.sampleIds, S, this.embFlags, this.embList, this.embCount) as number;
      this.embCount = k.touchRows(w.targets, N, this.embFlags, this.embList, this.embCount) as number;
    }
    return loss;
  }

  /** Back through the layers and time from w.dTop; accumulates every weight's gradient. */
  private backward(w: Workspace, T: number): void {
    const { k, kern, E, H } = this;
    const B = w.batch;
    const N = T * B;
    const F = 4 * H;
    const dropout = this.hyper.dropout;
    let dOut = w.dTop;
    let dIn = w.dBelow;
    for (let l = this.L - 1; l >= 0; l--) {
      const p = this.layers[l];
      const z = w.z[l];
      if (dropout > 0) k.mulInPlace(dOut, w.masks[l + 1], N * H);
      kern.f32(w.dhNext, B * H).fill(0);
      kern.f32(w.dcNext, B * H).fill(0);
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
      [dOut, dIn] = [dIn, dOut];
    }
    // dOut now holds d(embedded ids after dropout).
    if (dropout > 0) k.mulInPlace(dOut, w.masks[0], N * E);
    k.scatterAddRows(this.embedding.g, w.ids, N, E, dOut);
    this.embCount = k.touchRows(w.ids, N, this.embFlags, this.embList, this.embCount) as number;
  }

  /** Clip by global norm, then Adam: dense for the LSTM, lazy (or dense) for the rows. */
  private update(lr: number): void {
    const { k, E, H, V } = this;
    let sq = 0;
    for (const p of this.dense) sq += k.sumSquares(p.g, p.size) as number;
    sq += k.sumSquaresRows(this.embedding.g, this.embList, this.embCount, E) as number;
    if (!this.hyper.tied) sq += k.sumSquaresRows(this.out.g, this.outList, this.outCount, H) as number;
    sq += k.sumSquaresRows(this.outBias.g, this.outList, this.outCount, 1) as number;
    const norm = Math.sqrt(sq);
    const scale = this.clip > 0 && norm > this.clip ? this.clip / norm : 1;
    this.t++;
    const step = (lr * Math.sqrt(1 - B2 ** this.t)) / (1 - B1 ** this.t);
    for (const p of this.dense) k.adamDense(p.x, p.m, p.v, p.g, p.size, scale, step, B1, B2, EPS);
    const rows: [Param, number, number, number, number][] = [[this.embedding, E, this.embList, this.embCount, this.embFlags]];
    if (!this.hyper.tied) rows.push([this.out, H, this.outList, this.outCount, this.outFlags]);
    rows.push([this.outBias, 1, this.outList, this.outCount, this.outFlags]);
    for (const [p, width, list, count, flags] of rows) {
      if (this.rowUpdates === 'lazy') k.adamRows(p.x, p.m, p.v, p.g, list, count, width, flags, scale, step, B1, B2, EPS);
      else k.adamDense(p.x, p.m, p.v, p.g, V * width, scale, step, B1, B2, EPS);
    }
    this.clearTouched();
    this.packedFresh = false;
  }

  private clearTouched(): void {
    const { kern, V } = this;
    const emb = kern.u8(this.embFlags, V);
    for (const id of kern.i32(this.embList, this.embCount)) emb[id] = 0;
    const out = kern.u8(this.outFlags, V);
    for (const id of kern.i32(this.outList, this.outCount)) out[id] = 0;
    this.embCount = 0;
    this.outCount = 0;
  }

  /** The last step's final (h, c) becomes block 0: the next chunk's initial state. */
  private carryState(w: Workspace, T: number): void {
    const n = w.batch * this.H;
    for (let l = 0; l < this.L; l++) {
      for (const buf of [w.h[l], w.c[l]]) {
        const a = this.kern.f32(buf, (T + 1) * n);
        a.copyWithin(0, T * n, (T + 1) * n);
      }
    }
  }

  /** U and U^T of every layer packed for the per-step GEMMs, once per weight update. */
  private packRecurrent(): void {
    if (this.packedFresh) return;
    const F = 4 * this.H;
    for (const p of this.layers) {
      this.k.packB(p.recurrent.x, F, 0, this.H, F, p.packedU);
      this.k.packB(p.recurrent.x, F, 1, F, this.H, p.packedUT);
    }
    this.packedFresh = true;
  }

  /** C (+)= op(A) · op(B) with B packed into scratch (grown to the largest operand seen). */
  private gemm(M: number, N: number, K: number, A: number, lda: number, transA: number, B: number, ldb: number, transB: number, C: number, ldc: number, acc: number): void {
    const bytes = K * roundUp(N, 8) * 4;
    if (bytes > this.scratchBBytes) {
      this.scratchB = this.kern.alloc(bytes);
      this.scratchBBytes = bytes;
    }
    this.k.packB(B, ldb, transB, K, N, this.scratchB);
    this.k.gemmPacked(M, N, K, A, lda, transA, this.scratchB, C, ldc, acc);
  }

  private workspace(B: number, T: number, training: boolean): Workspace {
    const { kern, E, H, L } = this;
    const N = B * T;
    const f = (n: number) => kern.alloc(n * 4);
    const xs = [f(N * E)];
    const masks = training ? [f(N * E)] : [];
    const z: number[] = [], h: number[] = [], c: number[] = [], tc: number[] = [];
    for (let l = 0; l < L; l++) {
      xs.push(f(N * H));
      if (training) masks.push(f(N * H));
      z.push(f(N * 4 * H));
      h.push(f((T + 1) * B * H));
      c.push(f((T + 1) * B * H));
      tc.push(f(N * H));
    }
    const wide = Math.max(E, H);
    return {
      batch: B,
      steps: T,
      ids: f(N),
      targets: f(N),
      xs,
      masks,
      z,
      h,
      c,
      tc,
      dTop: training ? f(N * wide) : 0,
      dBelow: training ? f(N * wide) : 0,
      dhNext: training ? f(B * H) : 0,
      dcNext: training ? f(B * H) : 0,
    };
  }

  private evalPackedOutAt = 0;
  private evalPackedOut(): number {
    return (this.evalPackedOutAt ||= this.kern.alloc(this.H * roundUp(this.V, 8) * 4));
  }

  private evalLogitsAt = 0;
  private evalLogits(): number {
    return (this.evalLogitsAt ||= this.kern.alloc(EVAL_ROWS * this.V * 4));
  }

  private paramByName(name: string): Param {
    const all = [this.embedding, ...this.dense, this.outBias, ...(this.hyper.tied ? [] : [this.out])];
    const p = all.find((x) => x.name === name);
    if (!p) throw new Error(`No LSTM weight named '${name}'`);
    return p;
  }
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** [rows, cols] row-major -> [cols, rows]. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** The weights by name, checked against the hyper-parameters' shapes (as LstmModel.fromWeights). */
function checkedWeights(hyper: LstmHyper, weights: NamedWeight[]): Map<string, Float32Array> {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const values = new Map<string, Float32Array>();
  for (const s of weightSpecs(hyper)) {
    if (hyper.tied && s.name === 'dense/kernel') continue;
    const w = byName.get(s.name);
    if (!w) throw new Error(`LSTM weight '${s.name}' is missing`);
    const size = s.shape.reduce((a, b) => a * b, 1);
    if (w.values.length !== size) throw new Error(`LSTM weight '${s.name}' has ${w.values.length} values, expected ${size} ([${s.shape}])`);
    values.set(s.name, w.values);
  }
  return values;
}
