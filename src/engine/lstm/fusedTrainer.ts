// The fused training path: the whole LSTM language model's training step (embedding gather,
// dropout, LSTM forward and backward through time, sampled softmax, gradient-norm clipping,
// Adam) runs in one WebAssembly module (kernels/assembly/lstmTrain.ts) over weights, moments,
// activations and gradients kept in its memory, instead of TF.js ops with tensor round trips.
// Same model and semantics as lstm.ts + train.ts (Keras weight layout, gate order i, f, g, o;
// inverted dropout on the embedding and on every layer's output; truncated BPTT carrying
// (h, c) across steps; sampledSoftmax.ts's sampler and logQ correction), so its weights() load
// into LstmModel and save as before. The embedding and output rows are updated lazily: only
// rows with a gradient this step (inputs, targets, samples) move (see RowUpdates).
import type { Worker } from 'node:worker_threads';
import type { LstmHyper, NamedWeight } from '../types';
import { LstmTrainKernels } from '../kernels/lstmTrainKernels';
import { kernelModule } from '../kernels/wasmModule';
import { FusedReplica, type ParamAddr, type ReplicaLayout, type WorkspaceAddr } from './fusedReplica';
import { CTL, OP, startReplicaWorker, waitFor } from './fusedWorker';
import { validateHyper, weightSpecs } from './lstm';
import type { UnigramSampler } from './sampledSoftmax';
import { batchify } from './batches';
import { throwIfStopped } from '../stop';

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
  /** Threads sharing each step's streams (data-parallel, gradients summed): 1 (default) or more. */
  threads?: number;
  /** Streams evaluate() runs at once (default 32). */
  evalBatch?: number;
  /** Most time steps an evaluation block runs (default bptt; fewer when a block's output layer would exceed EVAL_BLOCK_MACS). */
  evalSteps?: number;
}

/** A set of negatives for one step, as UnigramSampler.sample returns it. */
export interface SampleSet {
  ids: Int32Array;
  tries: number;
}

interface Param extends ParamAddr {
  name: string;
  m: number;
  v: number;
}

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;
const EVAL_ROWS = 128;
/** Vocabulary columns per evaluation slice (128 × 1,024 logits: 512 KB, in L2 at any V); a multiple of 8 (packed panels). */
const EVAL_COLS = 1024;
/** Output-layer multiply-adds of one evaluation block (~2 GFLOP): tokenScores sees a stop within a fraction of a second at any V. */
const EVAL_BLOCK_MACS = 2 ** 30;

export class FusedLstmTrainer {
  readonly hyper: LstmHyper;
  private readonly kern: LstmTrainKernels;
  private readonly V: number;
  private readonly E: number;
  private readonly H: number;
  private readonly params: Param[] = [];
  private readonly replicas: FusedReplica[] = [];
  private readonly workers: Worker[] = [];
  /** Streams of each replica: [first, count] (training) and the same for evaluation. */
  private readonly trainSplit: [number, number][];
  private readonly evalSplit: [number, number][];
  private readonly ctl: number;
  private gen = 0;
  private workersReady = false;
  private readonly maxSamples: number;
  private packedFresh = false;
  private t = 0;
  private readonly clip: number;
  private readonly rowUpdates: RowUpdates;
  private readonly sampler: UnigramSampler | null;
  private disposed = false;

  constructor(hyper: LstmHyper, weights: NamedWeight[], opts: FusedTrainerOptions) {
    validateHyper(hyper);
    this.hyper = { ...hyper };
    const { vocabSize: V, embedDim: E, hiddenDim: H, layers: L } = hyper;
    this.V = V;
    this.E = E;
    this.H = H;
    this.clip = opts.clip ?? 0.25;
    this.rowUpdates = opts.rowUpdates ?? 'lazy';
    this.sampler = opts.sampler;
    const threads = Math.max(1, Math.min(opts.threads ?? 1, opts.batch));
    this.kern = new LstmTrainKernels();
    const kern = this.kern;
    const f32 = (n: number) => kern.alloc(n * 4);
    const values = checkedWeights(hyper, weights);
    const param = (name: string, size: number, init: Float32Array): Param => {
      const p = { name, size, x: f32(size), m: f32(size), v: f32(size), g: f32(size) };
      kern.f32(p.x, size).set(init);
      this.params.push(p);
      return p;
    };
    const embedding = param('embedding/embeddings', V * E, values.get('embedding/embeddings')!);
    const layers = [];
    for (let l = 0; l < L; l++) {
      const n = l === 0 ? 'lstm' : `lstm_${l}`;
      const input = l === 0 ? E : H;
      layers.push({
        kernel: param(`${n}/kernel`, input * 4 * H, values.get(`${n}/kernel`)!),
        recurrent: param(`${n}/recurrent_kernel`, H * 4 * H, values.get(`${n}/recurrent_kernel`)!),
        bias: param(`${n}/bias`, 4 * H, values.get(`${n}/bias`)!),
        input,
        packedU: f32(H * roundUp(4 * H, 8)),
        packedUT: f32(4 * H * roundUp(H, 8)),
      });
    }
    const out = hyper.tied ? embedding : param('dense/kernel', V * H, transpose(values.get('dense/kernel')!, H, V));
    const outBias = param('dense/bias', V, values.get('dense/bias')!);

    const S = opts.sampler ? Math.min(opts.samples ?? 2048, V) : V;
    this.maxSamples = S;
    const shared = { sampleIds: f32(S), sampleAdj: f32(S), posOf: f32(V), ws: f32(S * H), packedOut: f32(H * roundUp(V, 8)) };
    kern.i32(shared.posOf, V).fill(-1);
    this.ctl = kern.alloc(CTL.bytes);
    const split = (batch: number): [number, number][] =>
      Array.from({ length: threads }, (_, r) => [Math.floor((batch * r) / threads), Math.floor((batch * (r + 1)) / threads) - Math.floor((batch * r) / threads)]);
    this.trainSplit = split(opts.batch);
    const evalBatch = Math.max(threads, opts.evalBatch ?? 32);
    this.evalSplit = split(evalBatch);
    const evalSteps = Math.max(1, Math.min(opts.evalSteps ?? opts.bptt, Math.floor(EVAL_BLOCK_MACS / (evalBatch * V * H))));
    for (let r = 0; r < threads; r++) {
      // Replica 0 accumulates into the weights' own gradient buffers; the others into theirs.
      const own = (p: ParamAddr): ParamAddr => (r === 0 ? p : { x: p.x, g: f32(p.size), size: p.size });
      const Br = this.trainSplit[r][1];
      const N = Br * opts.bptt;
      const layout: ReplicaLayout = {
        V, E, H, L, tied: hyper.tied, dropout: hyper.dropout,
        seed: r === 0 ? (opts.seed ?? 1) : ((opts.seed ?? 1) + Math.imul(r, 0x9e3779b9)) >>> 0,
        embedding: own(embedding),
        layers: [],
        out: embedding as ParamAddr,
        outBias: own(outBias),
        ...shared,
        counts: f32(2),
        embFlags: kern.alloc(V),
        embList: f32(V),
        outFlags: kern.alloc(V),
        outList: f32(V),
        targetAdj: f32(N),
        logits: f32(N * S),
        evalLogits: f32(EVAL_ROWS * Math.min(V, EVAL_COLS)),
        evalRows: EVAL_ROWS,
        evalCols: EVAL_COLS,
        evalState: kern.alloc(EVAL_ROWS * 16),
        evalScores: kern.alloc(this.evalSplit[r][1] * evalSteps * 8),
        dTrue: f32(N),
        colSum: f32(S),
        dWs: f32(S * H),
        gemmA: f32(128 * 256),
        // The largest B operand any of the replica's GEMMs packs.
        gemmB: f32(Math.max(Math.max(E, H) * 4 * H, H * roundUp(S, 8), S * roundUp(H, 8), N * 4 * H, 4 * H * roundUp(Math.max(E, H), 8))),
        tile: f32(32),
        train: this.workspace(Br, opts.bptt, true),
        evaluation: this.workspace(this.evalSplit[r][1], evalSteps, false),
      };
      layout.layers = layers.map((x) => ({ ...x, kernel: own(x.kernel), recurrent: own(x.recurrent), bias: own(x.bias) }));
      layout.out = hyper.tied ? layout.embedding : own(out);
      if (r === 0) this.replicas.push(new FusedReplica(kern.k as never, kern.memory, layout));
      else this.workers.push(startReplicaWorker(kernelModule('lstmTrain'), kern.memory, layout, this.ctl));
      this.layouts.push(layout);
    }
  }

  private readonly layouts: ReplicaLayout[] = [];

  /** Threads sharing each step. */
  get threads(): number {
    return this.layouts.length;
  }

  /** Streams per step. */
  get batch(): number {
    return this.trainSplit.reduce((a, [, n]) => a + n, 0);
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
    for (const p of this.params) {
      const g = this.kern.f32(p.g, p.size);
      grads.set(p.name, p.name === 'dense/kernel' ? transpose(g, this.V, this.H) : g.slice());
      g.fill(0);
    }
    this.clearTouched();
    return { loss, grads };
  }

  /** Starts every stream from a zero state (the next epoch). */
  resetState(): void {
    this.replicas[0].resetState(this.layouts[0].train);
    if (this.workers.length) this.onWorkers(OP.resetTrain, 0, 0, 0, () => {});
  }

  /** Copies of all weights in LstmModel's names and layouts (tied: dense/kernel = embedding^T). */
  weights(): NamedWeight[] {
    const { V, H } = this;
    const out = this.layouts[0].out;
    return weightSpecs(this.hyper).map((s) => {
      let values: Float32Array;
      if (s.name === 'dense/kernel') values = transpose(this.kern.f32(out.x, V * H), V, H);
      else values = this.kern.f32(this.paramByName(s.name).x, s.shape.reduce((a, b) => a * b, 1)).slice();
      return { name: s.name, shape: s.shape.slice(), values };
    });
  }

  /** Stops the worker threads. The trainer is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.workers.length) {
      const c = this.kern.i32(this.ctl, CTL.bytes / 4);
      // A worker not yet up misses the stop word; terminate() ends it either way.
      c[CTL.op] = OP.stop;
      Atomics.store(c, CTL.gen, ++this.gen);
      Atomics.notify(c, CTL.gen);
      for (const w of this.workers) void w.terminate();
    }
  }

  /**
   * Exact full-softmax perplexity of `ids`, in evalBatch contiguous columns with the state
   * carried through each (the layout of train.ts's evaluatePerplexity; more columns run faster,
   * the state restarting at each column's start). Leaves the training state alone.
   */
  evaluate(ids: Int32Array, opts: { bptt?: number } = {}): { ppl: number; tokens: number } {
    let total = 0;
    let count = 0;
    for (const block of this.evalBlocks(ids, opts.bptt)) {
      total += block.nll;
      count += block.n * block.b;
    }
    return { ppl: Math.exp(total / count), tokens: count };
  }

  /**
   * evaluate()'s scores token by token, as lstmTokenScores (evaluate.ts) returns them: the
   * log-probability of each predicted token and its index in `ids`. Yields to the event loop
   * between blocks, so `signal` (AbortError) and `onProgress` are seen as on the TF.js path.
   */
  async tokenScores(
    ids: Int32Array,
    opts: { signal?: AbortSignal; onProgress?: (tokensDone: number, tokens: number) => void } = {},
  ): Promise<{ logProbs: Float64Array; positions: Int32Array }> {
    let logProbs = new Float64Array(0);
    let positions = new Int32Array(0);
    let done = 0;
    throwIfStopped(opts.signal);
    for (const { i, n, b, rows, split } of this.evalBlocks(ids)) {
      if (done === 0) {
        logProbs = new Float64Array((rows - 1) * b);
        positions = new Int32Array((rows - 1) * b);
      }
      split.forEach(([first, count], r) => {
        const s = new Float64Array(this.kern.memory.buffer, this.layouts[r].evalScores, n * count);
        for (let t = 0; t < n; t++) {
          for (let j = 0; j < count; j++) {
            logProbs[done + t * b + first + j] = s[t * count + j];
            positions[done + t * b + first + j] = (first + j) * rows + i + t + 1;
          }
        }
      });
      done += n * b;
      opts.onProgress?.(done, logProbs.length);
      await new Promise<void>((resolve) => setImmediate(resolve));
      throwIfStopped(opts.signal);
    }
    return { logProbs, positions };
  }

  /** Runs evaluation one block of steps at a time; each row's score is in its replica's evalScores until the next block. */
  private *evalBlocks(ids: Int32Array, maxSteps?: number) {
    this.checkAlive();
    if (ids.length < 2) throw new Error(`Perplexity needs at least 2 tokens, got ${ids.length}`);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= this.V) throw new Error(`Evaluation id ${ids[i]} at position ${i} is outside the vocabulary (0..${this.V - 1})`);
    }
    const steps = this.layouts[0].evaluation!.steps;
    const bptt = Math.min(maxSteps ?? steps, steps);
    let b = this.evalSplit.reduce((a, [, n]) => a + n, 0);
    let split = this.evalSplit;
    let layouts = this.layouts;
    let mainSpace = this.layouts[0].evaluation!;
    if (Math.floor(ids.length / 2) < b) {
      // Too few ids for every stream: fewer streams (as evaluatePerplexity), on this thread alone,
      // in the first rows of its evaluation buffers.
      b = Math.max(1, Math.min(this.evalSplit[0][1], Math.floor(ids.length / 2)));
      split = [[0, b]];
      layouts = [this.layouts[0]];
      mainSpace = { ...mainSpace, batch: b };
    }
    this.kern.k.packB(this.layouts[0].out.x, this.H, 1, this.H, this.V, this.layouts[0].packedOut);
    this.packRecurrent();
    this.replicas[0].resetState(mainSpace);
    const threaded = layouts.length > 1;
    if (threaded) this.onWorkers(OP.resetEval, 0, 0, 0, () => {});
    const { data, rows } = batchify(ids, b);
    for (let i = 0; i < rows - 1; i += bptt) {
      const n = Math.min(bptt, rows - 1 - i);
      layouts.forEach((layout, r) => {
        const w = r === 0 ? mainSpace : layout.evaluation!;
        this.placeColumns(data.subarray(i * b, (i + n) * b), b, split[r], w.ids);
        this.placeColumns(data.subarray((i + 1) * b, (i + 1 + n) * b), b, split[r], w.targets);
      });
      let nll = 0;
      const main = () => (nll += this.replicas[0].evalStep(n, mainSpace));
      if (threaded) {
        const others = this.onWorkers(OP.evaluate, n, 0, 0, main); // runs main() too
        nll += others;
      } else main();
      yield { i, n, b, rows, split, nll };
    }
  }

  // ---- the step ----

  private forwardBackward(inputs: Int32Array, targets: Int32Array, given?: SampleSet): number {
    this.checkAlive();
    const B = this.batch;
    const k = this.kern.k;
    if (inputs.length !== targets.length || inputs.length % B !== 0) throw new Error(`step: ${inputs.length} inputs and ${targets.length} targets for ${B} streams`);
    const T = inputs.length / B;
    const maxT = this.layouts[0].train.steps;
    if (T < 1 || T > maxT) throw new Error(`step: ${T} steps, expected 1..${maxT}`);
    const N = T * B;
    const lay = this.layouts[0];
    // The shared sample set: ids, bias - logQ, positions; the sampled output rows gathered once.
    const bias = this.kern.f32(lay.outBias.x, this.V);
    let S: number;
    let tries = 0;
    if (this.sampler) {
      const sample = given ?? this.sampler.sample(this.maxSamples);
      S = sample.ids.length;
      tries = sample.tries;
      if (S > this.maxSamples) throw new Error(`step: ${S} samples, at most ${this.maxSamples}`);
      this.kern.i32(lay.sampleIds, S).set(sample.ids);
      const q = this.sampler.logExpected(sample.ids, tries);
      const adj = this.kern.f32(lay.sampleAdj, S);
      for (let j = 0; j < S; j++) adj[j] = bias[sample.ids[j]] - q[j];
    } else {
      // The full softmax as a "sample" of every word with no correction: the target's own
      // column is masked as an accidental hit and scored as the true logit instead.
      S = this.V;
      const all = this.kern.i32(lay.sampleIds, S);
      for (let j = 0; j < S; j++) all[j] = j;
      this.kern.f32(lay.sampleAdj, S).set(bias);
    }
    const ids = this.kern.i32(lay.sampleIds, S);
    const posOf = this.kern.i32(lay.posOf, this.V);
    for (let j = 0; j < S; j++) posOf[ids[j]] = j;
    k.gatherRows(lay.out.x, lay.sampleIds, S, this.H, lay.ws);
    this.packRecurrent();
    this.layouts.forEach((layout, r) => {
      const split = this.trainSplit[r];
      this.placeColumns(inputs, B, split, layout.train.ids);
      const y = this.placeColumns(targets, B, split, layout.train.targets);
      const adj = this.kern.f32(layout.targetAdj, y.length);
      if (this.sampler) adj.set(this.sampler.logExpected(y, tries).map((q) => -q));
      else adj.fill(0);
    });
    let loss = 0;
    const main = () => (loss += this.replicas[0].trainStep(T, S, N));
    if (this.workers.length) {
      const others = this.onWorkers(OP.train, T, S, N, main); // runs main() too
      loss += others;
    }
    else main();
    for (let j = 0; j < S; j++) posOf[ids[j]] = -1;
    this.reduceGradients();
    return loss / N;
  }

  /** Copies columns [first, first+count) of a time-major [T, B] array into `at` ([T, count]); returns them. */
  private placeColumns(src: Int32Array, B: number, [first, count]: [number, number], at: number): Int32Array {
    const T = src.length / B;
    const dst = this.kern.i32(at, T * count);
    for (let t = 0; t < T; t++) dst.set(src.subarray(t * B + first, t * B + first + count), t * count);
    return dst;
  }

  /** Runs `op` on the worker replicas while `main` runs here; returns the workers' summed results. */
  private onWorkers(op: number, steps: number, samples: number, rows: number, main: () => void): number {
    const c = this.kern.i32(this.ctl, CTL.bytes / 4);
    const result = new Float64Array(this.kern.memory.buffer, this.ctl + CTL.result, 1);
    if (this.workers.length > 1) throw new Error('fused trainer: more than 2 threads is not implemented');
    // The worker reads the control word once it is up: it must not move before then.
    if (!this.workersReady) {
      waitFor(c, CTL.ready, this.workers.length, 120_000, 'start');
      this.workersReady = true;
    }
    c[CTL.op] = op;
    c[CTL.steps] = steps;
    c[CTL.samples] = samples;
    c[CTL.rows] = rows;
    const gen = ++this.gen;
    Atomics.store(c, CTL.gen, gen);
    Atomics.notify(c, CTL.gen);
    main();
    waitFor(c, CTL.done, gen, 600_000, 'finish a step');
    if (c[CTL.error]) throw new Error('fused trainer: the worker thread failed');
    return result[0];
  }

  /** Folds the other replicas' gradients and touched rows into replica 0's. */
  private reduceGradients(): void {
    const k = this.kern.k;
    const dst = this.layouts[0];
    const dc = this.kern.i32(dst.counts, 2);
    for (const src of this.layouts.slice(1)) {
      src.layers.forEach((l, i) => {
        for (const key of ['kernel', 'recurrent', 'bias'] as const) k.addAndClear(dst.layers[i][key].g, l[key].g, l[key].size);
      });
      const sc = this.kern.i32(src.counts, 2);
      dc[0] = k.mergeRows(dst.embedding.g, src.embedding.g, this.E, src.embList, sc[0], src.embFlags, dst.embFlags, dst.embList, dc[0]) as number;
      if (!this.hyper.tied) dc[1] = k.mergeRows(dst.out.g, src.out.g, this.H, src.outList, sc[1], src.outFlags, dst.outFlags, dst.outList, dc[1]) as number;
      dc[1] = k.mergeRows(dst.outBias.g, src.outBias.g, 1, src.outList, sc[1], src.outFlags, dst.outFlags, dst.outList, dc[1]) as number;
      sc[0] = 0;
      sc[1] = 0;
    }
  }

  /** Clip by global norm, then Adam: dense for the LSTM, lazy (or dense) for the rows. */
  private update(lr: number): void {
    const k = this.kern.k;
    const { E, H, V } = this;
    const lay = this.layouts[0];
    const [embCount, outCount] = this.kern.i32(lay.counts, 2);
    const dense = lay.layers.flatMap((l) => [l.kernel, l.recurrent, l.bias]).map((p) => this.params.find((q) => q.x === p.x)!);
    let sq = 0;
    for (const p of dense) sq += k.sumSquares(p.g, p.size) as number;
    sq += k.sumSquaresRows(lay.embedding.g, lay.embList, embCount, E) as number;
    if (!this.hyper.tied) sq += k.sumSquaresRows(lay.out.g, lay.outList, outCount, H) as number;
    sq += k.sumSquaresRows(lay.outBias.g, lay.outList, outCount, 1) as number;
    const norm = Math.sqrt(sq);
    const scale = this.clip > 0 && norm > this.clip ? this.clip / norm : 1;
    this.t++;
    const step = (lr * Math.sqrt(1 - B2 ** this.t)) / (1 - B1 ** this.t);
    for (const p of dense) k.adamDense(p.x, p.m, p.v, p.g, p.size, scale, step, B1, B2, EPS);
    const byX = (a: ParamAddr) => this.params.find((q) => q.x === a.x)!;
    const rows: [Param, number, number, number, number][] = [[byX(lay.embedding), E, lay.embList, embCount, lay.embFlags]];
    if (!this.hyper.tied) rows.push([byX(lay.out), H, lay.outList, outCount, lay.outFlags]);
    rows.push([byX(lay.outBias), 1, lay.outList, outCount, lay.outFlags]);
    for (const [p, width, list, count, flags] of rows) {
      if (this.rowUpdates === 'lazy') k.adamRows(p.x, p.m, p.v, p.g, list, count, width, flags, scale, step, B1, B2, EPS);
      else k.adamDense(p.x, p.m, p.v, p.g, V * width, scale, step, B1, B2, EPS);
    }
    this.clearTouched();
    this.packedFresh = false;
  }

  private clearTouched(): void {
    const { kern, V } = this;
    const lay = this.layouts[0];
    const counts = kern.i32(lay.counts, 2);
    const emb = kern.u8(lay.embFlags, V);
    for (const id of kern.i32(lay.embList, counts[0])) emb[id] = 0;
    const out = kern.u8(lay.outFlags, V);
    for (const id of kern.i32(lay.outList, counts[1])) out[id] = 0;
    counts[0] = 0;
    counts[1] = 0;
  }

  /** U and U^T of every layer packed for the per-step GEMMs, once per weight update. */
  private packRecurrent(): void {
    if (this.packedFresh) return;
    const F = 4 * this.H;
    for (const p of this.layouts[0].layers) {
      this.kern.k.packB(p.recurrent.x, F, 0, this.H, F, p.packedU);
      this.kern.k.packB(p.recurrent.x, F, 1, F, this.H, p.packedUT);
    }
    this.packedFresh = true;
  }

  private workspace(B: number, T: number, training: boolean): WorkspaceAddr {
    const { kern, E, H } = this;
    const L = this.hyper.layers;
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
      batch: B, steps: T, ids: f(N), targets: f(N), xs, masks, z, h, c, tc,
      dTop: training ? f(N * wide) : 0,
      dBelow: training ? f(N * wide) : 0,
      dhNext: training ? f(B * H) : 0,
      dcNext: training ? f(B * H) : 0,
    };
  }

  private paramByName(name: string): Param {
    const p = this.params.find((x) => x.name === name);
    if (!p) throw new Error(`No LSTM weight named '${name}'`);
    return p;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('This fused trainer was disposed');
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
