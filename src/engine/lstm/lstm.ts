// The language model: Embedding -> LSTM (1-2 layers) -> Dense + softmax, written as fused
// TF.js ops (one matMul for all four gates: measured ~1.2 s/step vs ~1.5 s for patched
// tfjs-layers and ~9 s for stock layers). Weights keep TF.js-layers names and Keras layouts
// (gate order i, f, c, o), so store.ts can save them as a layers model.
import * as tf from '@tensorflow/tfjs';
import type { LanguageModel, LstmHyper, NamedWeight, NextTokenProbs } from '../types';
import { bestTwo, nearTieMargin, rankNearTies, type PickOptions } from '../decode/greedy';
import { ExpSum } from '../kernels/expSum';
import { Int8Logits, INT8_MIN_WEIGHTS } from '../kernels/int8Logits';
import { lstmLayer } from './lstmLayer';
import { LstmServingKernel } from './servingKernel';
import { mulberry32, uniformArray } from '../prng';

/** An immutable recurrent state: per layer the hidden and cell vectors (plain arrays, no tensors). */
export interface LstmState {
  readonly h: readonly Float32Array[];
  readonly c: readonly Float32Array[];
}

/** Recurrent state of a batch as tensors (training and evaluation). */
export type TensorState = {
  h: tf.Tensor2D[];
  c: tf.Tensor2D[];
};

interface LayerVars {
  kernel: tf.Variable; // [in, 4H]
  recurrent: tf.Variable; // [H, 4H]
  bias: tf.Variable; // [4H]
}

export function validateHyper(h: LstmHyper): void {
  const int = (name: keyof LstmHyper, min: number) => {
    const v = h[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new Error(`LSTM hyper-parameter ${name} must be an integer >= ${min}, got ${String(v)}`);
    }
  };
  int('vocabSize', 2);
  int('embedDim', 1);
  int('hiddenDim', 1);
  int('layers', 1);
  if (h.layers > 4) throw new Error(`LSTM layers must be 1-4, got ${h.layers}`);
  if (!(h.dropout >= 0 && h.dropout < 1)) throw new Error(`LSTM dropout must be in [0, 1), got ${h.dropout}`);
  if (h.tied && h.embedDim !== h.hiddenDim) {
    throw new Error(`A tied LSTM needs embedDim === hiddenDim, got ${h.embedDim} and ${h.hiddenDim}`);
  }
}

const layerName = (l: number) => (l === 0 ? 'lstm' : `lstm_${l}`);

/** The weight names and shapes a model with these hyper-parameters has, in save order. */
export function weightSpecs(h: LstmHyper): { name: string; shape: number[] }[] {
  const specs = [{ name: 'embedding/embeddings', shape: [h.vocabSize, h.embedDim] }];
  for (let l = 0; l < h.layers; l++) {
    const input = l === 0 ? h.embedDim : h.hiddenDim;
    specs.push({ name: `${layerName(l)}/kernel`, shape: [input, 4 * h.hiddenDim] });
    specs.push({ name: `${layerName(l)}/recurrent_kernel`, shape: [h.hiddenDim, 4 * h.hiddenDim] });
    specs.push({ name: `${layerName(l)}/bias`, shape: [4 * h.hiddenDim] });
  }
  specs.push({ name: 'dense/kernel', shape: [h.hiddenDim, h.vocabSize] });
  specs.push({ name: 'dense/bias', shape: [h.vocabSize] });
  return specs;
}

export class LstmModel implements LanguageModel<LstmState> {
  readonly vocabSize: number;
  private readonly embedding: tf.Variable; // [V, E]
  private readonly layers: LayerVars[];
  private readonly denseKernel: tf.Variable | null; // [H, V]; null when tied
  private readonly denseBias: tf.Variable; // [V]
  /** [H, V] output kernel for inference; for a tied model a cached transpose of the embedding. */
  private outKernelCache: tf.Tensor2D | null = null;
  /** Batch-1 inference copies, rebuilt after weight changes (see inference()). */
  private inferenceCache: InferenceCache | null = null;
  private logProbsCache = new WeakMap<LstmState, Float32Array>();
  private expSum: ExpSum | null | undefined;
  private probsScratch: ProbsScratch | null = null;
  /** WORDLENS_SERVING_KERNEL=tfjs: the TF.js path in a whole process (a baseline for LSP benchmarks). */
  private kernelMode: 'auto' | 'tfjs' = process.env.WORDLENS_SERVING_KERNEL === 'tfjs' ? 'tfjs' : 'auto';
  private disposed = false;

  private constructor(
    readonly hyper: LstmHyper,
    values: Map<string, Float32Array>,
  ) {
    this.vocabSize = hyper.vocabSize;
    const spec = new Map(weightSpecs(hyper).map((s) => [s.name, s.shape]));
    const v = (name: string) => tf.tidy(() => tf.variable(tf.tensor(values.get(name)!, spec.get(name)!), true, undefined, 'float32'));
    this.embedding = v('embedding/embeddings');
    this.layers = [];
    for (let l = 0; l < hyper.layers; l++) {
      const n = layerName(l);
      this.layers.push({ kernel: v(`${n}/kernel`), recurrent: v(`${n}/recurrent_kernel`), bias: v(`${n}/bias`) });
    }
    this.denseKernel = hyper.tied ? null : v('dense/kernel');
    this.denseBias = v('dense/bias');
  }

  /** A freshly initialised model (PyTorch-style uniform init, forget-gate bias 1 as Keras). */
  static create(hyper: LstmHyper, seed = 1): LstmModel {
    validateHyper(hyper);
    const rand = mulberry32(seed);
    const values = new Map<string, Float32Array>();
    const H = hyper.hiddenDim;
    const k = 1 / Math.sqrt(H);
    for (const s of weightSpecs(hyper)) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (s.name === 'embedding/embeddings' || s.name === 'dense/kernel') values.set(s.name, uniformArray(n, 0.1, rand));
      else if (s.name === 'dense/bias') values.set(s.name, new Float32Array(n));
      else if (s.name.endsWith('/bias')) {
        const b = new Float32Array(n);
        b.fill(1, H, 2 * H); // forget gate starts open: gradients flow through time early on
        values.set(s.name, b);
      } else values.set(s.name, uniformArray(n, k, rand));
    }
    return new LstmModel(hyper, values);
  }

  /** A model from saved weights; throws a clear Error on a missing or misshaped weight. */
  static fromWeights(hyper: LstmHyper, weights: NamedWeight[]): LstmModel {
    validateHyper(hyper);
    const byName = new Map(weights.map((w) => [w.name, w]));
    const values = new Map<string, Float32Array>();
    for (const s of weightSpecs(hyper)) {
      if (hyper.tied && s.name === 'dense/kernel') continue; // derived from the embedding
      const w = byName.get(s.name);
      if (!w) throw new Error(`LSTM weight '${s.name}' is missing (have: ${[...byName.keys()].join(', ') || 'none'})`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      if (w.shape.length !== s.shape.length || w.shape.some((d, i) => d !== s.shape[i]) || w.values.length !== size) {
        throw new Error(
          `LSTM weight '${s.name}' has shape [${w.shape}] (${w.values.length} values), expected [${s.shape}] for ` +
            `vocabSize ${hyper.vocabSize}, embedDim ${hyper.embedDim}, hiddenDim ${hyper.hiddenDim}`,
        );
      }
      values.set(s.name, w.values);
    }
    return new LstmModel(hyper, values);
  }

  /** Copies of all weights with TF.js-layers names; a tied model also emits `dense/kernel` = embedding^T. */
  weights(): NamedWeight[] {
    this.checkAlive();
    return weightSpecs(this.hyper).map((s) => {
      const t = s.name === 'dense/kernel' ? this.outKernel() : this.variableByName(s.name);
      // A copy: on some backends dataSync() is the live storage, and callers may transfer it.
      return { name: s.name, shape: s.shape.slice(), values: (t.dataSync() as Float32Array).slice() };
    });
  }

  /** The trainable variables (the tied output layer shares the embedding). */
  trainableVariables(): tf.Variable[] {
    const vars = [this.embedding];
    for (const l of this.layers) vars.push(l.kernel, l.recurrent, l.bias);
    if (this.denseKernel) vars.push(this.denseKernel);
    vars.push(this.denseBias);
    return vars;
  }

  /** Overwrite all weights in place (restoring a best-so-far snapshot). */
  assignWeights(weights: NamedWeight[]): void {
    const byName = new Map(weights.map((w) => [w.name, w]));
    for (const s of weightSpecs(this.hyper)) {
      if (this.hyper.tied && s.name === 'dense/kernel') continue;
      const w = byName.get(s.name);
      if (!w) throw new Error(`LSTM weight '${s.name}' is missing`);
      const v = this.variableByName(s.name);
      tf.tidy(() => v.assign(tf.tensor(w.values, s.shape)));
    }
    this.weightsChanged();
  }

  /** Call after the variables changed (an optimiser step): drops derived inference tensors. */
  weightsChanged(): void {
    this.outKernelCache?.dispose();
    this.outKernelCache = null;
    if (this.inferenceCache) this.inferenceCache.kernels.forEach((k) => k.dispose());
    this.inferenceCache = null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.weightsChanged();
    for (const v of this.trainableVariables()) v.dispose();
  }

  // ---- single-token path (batch 1, immutable plain-array states) ----

  initialState(): LstmState {
    const z = () => new Float32Array(this.hyper.hiddenDim);
    return { h: this.layers.map(z), c: this.layers.map(z) };
  }

  advance(state: LstmState, tokenId: number): LstmState {
    this.checkAlive();
    this.checkToken(tokenId);
    const kernel = this.servingKernel();
    if (kernel) return kernel.step(state, tokenId);
    // Batch 1 is dominated by per-kernel overhead: one matMul per layer on the backend
    // ([x, h] · [K; U]), the bias and gate arithmetic in plain loops (measured in bench/step.ts).
    const { embedDim: E, hiddenDim: H } = this.hyper;
    const cache = this.inference();
    let x = cache.embedding.subarray(tokenId * E, tokenId * E + E);
    const h: Float32Array[] = [];
    const c: Float32Array[] = [];
    for (let l = 0; l < this.layers.length; l++) {
      const xh = new Float32Array(x.length + H);
      xh.set(x);
      xh.set(state.h[l], x.length);
      const a = tf.tensor2d(xh, [1, xh.length]);
      const zt = tf.matMul(a, cache.kernels[l]);
      const z = zt.dataSync() as Float32Array;
      a.dispose();
      zt.dispose();
      const b = cache.biases[l];
      const cPrev = state.c[l];
      const hl = new Float32Array(H);
      const cl = new Float32Array(H);
      for (let j = 0; j < H; j++) {
        const i = sigmoid(z[j] + b[j]);
        const f = sigmoid(z[H + j] + b[H + j]);
        const g = Math.tanh(z[2 * H + j] + b[2 * H + j]);
        const o = sigmoid(z[3 * H + j] + b[3 * H + j]);
        cl[j] = f * cPrev[j] + i * g;
        hl[j] = o * Math.tanh(cl[j]);
      }
      h.push(hl);
      c.push(cl);
      x = hl;
    }
    return { h, c };
  }

  /**
   * The state after ids[start..end): on the serving kernel one GEMM projects all the inputs,
   * then the recurrence runs with no output layer in between (a cold read); otherwise steps.
   */
  advanceMany(state: LstmState, ids: ArrayLike<number>, start = 0, end = ids.length): LstmState {
    this.checkAlive();
    for (let i = start; i < end; i++) this.checkToken(ids[i]);
    const kernel = this.servingKernel();
    if (kernel) return start < end ? kernel.read(state, ids, start, end) : state;
    for (let i = start; i < end; i++) state = this.advance(state, ids[i]);
    return state;
  }

  /** Log-probabilities of the next token (exact softmax of the serving logits, see
   *  logitsInto). Returns a fresh copy each call. */
  logProbs(state: LstmState): Float32Array {
    this.checkAlive();
    let cached = this.logProbsCache.get(state);
    const kernel = cached ? null : this.servingKernel();
    if (kernel) {
      cached = kernel.logProbs(state.h[state.h.length - 1]);
      this.logProbsCache.set(state, cached);
    } else if (!cached) {
      cached = new Float32Array(this.vocabSize);
      const lse = this.logSumExp(cached, this.logitsInto(state, cached));
      for (let v = 0; v < cached.length; v++) cached[v] -= lse;
      this.logProbsCache.set(state, cached);
    }
    return cached.slice();
  }

  /**
   * The same distribution as probabilities (decoding's fast path): the logits and the exp pass
   * of logProbs, without its subtract pass and copies. Scratch buffers, reused by the next call.
   */
  probs(state: LstmState): NextTokenProbs {
    const s = this.scratch();
    const max = this.logitsInto(state, s.logits);
    const logits = s.logits;
    const p = s.p;
    let sum = 0;
    for (let v = 0; v < logits.length; v++) sum += p[v] = Math.exp(logits[v] - max);
    s.lse = this.logSumExp(logits, max); // exactly logProbs's, for exactLogProb
    const inv = 1 / sum;
    for (let v = 0; v < p.length; v++) p[v] *= inv;
    return s;
  }

  /**
   * Greedy decoding's pick, exactly argmax(logProbs(state)) (see greedy.ts): the largest
   * logit, without the exp pass, unless a near-tie needs logProbs's exact values.
   */
  greedy(state: LstmState, opts: PickOptions): number {
    const s = this.scratch();
    s.lse = NaN; // the logits are overwritten: an earlier probs() result is void
    const logits = s.logits;
    const max = this.logitsInto(state, logits);
    // A NaN or infinite logit makes every logProbs value NaN (or -Infinity): nothing to pick.
    if (!Number.isFinite(max)) return -1;
    const { best, p1, p2 } = bestTwo(logits, opts, -Infinity);
    if (best < 0) return -1;
    // |logit - lse| <= (max - logit) + log V bounds the float32 rounding of logProbs's values.
    const margin = nearTieMargin(max - p1 + Math.log(logits.length));
    if (p1 - p2 > margin) return best;
    const lse = this.logSumExp(logits, max);
    return rankNearTies(logits, p1 - margin, opts, (id) => Math.fround(logits[id] - lse));
  }

  /**
   * The output layer's logits into `out` (float32, bias added) and their max (over the sums
   * before float32 rounding), for logProbs, probs and greedy alike. Large output layers
   * (>= INT8_MIN_WEIGHTS) run as int8 (int8Logits.ts: a quarter of the bytes per step; logits
   * within a few hundredths); smaller ones, and the batched path, stay float32.
   */
  private logitsInto(state: LstmState, out: Float32Array): number {
    this.checkAlive();
    const top = state.h[state.h.length - 1];
    const kernel = this.servingKernel();
    if (kernel) {
      const max = kernel.logits(top);
      out.set(kernel.logitsView);
      return max;
    }
    const cache = this.inference();
    if (this.servingOutput === 'int8') return cache.int8!.logits(top, cache.outBias, out);
    const a = tf.tensor2d(top, [1, this.hyper.hiddenDim]);
    const t = tf.matMul(a, this.outKernel());
    out.set(t.dataSync() as Float32Array);
    a.dispose();
    t.dispose();
    const bias = cache.outBias;
    let max = -Infinity;
    for (let v = 0; v < out.length; v++) max = Math.max(max, (out[v] += bias[v]));
    return max;
  }

  /** log Σ exp(logits): the one normaliser of logProbs, probs and greedy (SIMD where there is). */
  private logSumExp(logits: Float32Array, max: number): number {
    if (this.expSum === undefined) {
      try {
        this.expSum = new ExpSum(this.vocabSize);
      } catch {
        this.expSum = null;
      }
    }
    let sum = 0;
    if (this.expSum) sum = this.expSum.sum(logits, max);
    else for (let v = 0; v < logits.length; v++) sum += Math.exp(logits[v] - max);
    return max + Math.log(sum);
  }

  /** Keeps batch-1 steps on the float32 output layer ('float32'), or lets large ones use int8
   *  ('auto', the default). For comparisons (bench/step.ts). */
  setServingOutput(mode: 'auto' | 'float32'): void {
    const cache = this.inference();
    cache.int8 = mode === 'float32' ? null : undefined;
    cache.kernel = undefined;
    this.logProbsCache = new WeakMap();
  }

  /** Serves batch-1 steps on the wasm serving kernel when the backend is wasm ('auto', the
   *  default), or on TF.js ops, the reference ('tfjs'). For comparisons and tests. */
  setServingKernel(mode: 'auto' | 'tfjs'): void {
    this.kernelMode = mode;
    this.inference().kernel = undefined;
    this.logProbsCache = new WeakMap();
  }

  /** What serves batch-1 steps: the wasm serving kernel or TF.js ops (see setServingKernel). */
  get servingPath(): 'kernel' | 'tfjs' {
    return this.servingKernel() ? 'kernel' : 'tfjs';
  }

  private servingKernel(): LstmServingKernel | null {
    const cache = this.inference();
    if (cache.kernel === undefined) cache.kernel = this.kernelMode === 'auto' && tf.getBackend() === 'wasm' ? this.buildKernel() : null;
    return cache.kernel;
  }

  private buildKernel(): LstmServingKernel | null {
    const { vocabSize: V, embedDim: E, hiddenDim: H } = this.hyper;
    const data = (t: tf.Tensor) => t.dataSync() as Float32Array;
    // As logitsInto: int8 when large, unless setServingOutput('float32') chose float32.
    const int8 = this.inference().int8 !== null && H * V >= INT8_MIN_WEIGHTS;
    try {
      return new LstmServingKernel(
        {
          embedding: this.inference().embedding,
          layers: this.layers.map((l) => ({ kernel: data(l.kernel), recurrent: data(l.recurrent), bias: data(l.bias) })),
          outKernel: data(this.outKernel()),
          outBias: this.inference().outBias,
        },
        V, E, H, int8,
      );
    } catch (e) {
      // No WebAssembly SIMD here (CompileError), or no room for the weights (RangeError):
      // the TF.js path. A kernel that was not built still throws (npm run build).
      if (e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError || e instanceof RangeError) return null;
      throw e;
    }
  }

  /** How a batch-1 step computes the output layer (see logitsInto). */
  get servingOutput(): 'int8' | 'float32' {
    const kernel = this.servingKernel();
    if (kernel) return kernel.int8Output ? 'int8' : 'float32';
    const cache = this.inference();
    if (cache.int8 === undefined) cache.int8 = this.buildInt8();
    return cache.int8 ? 'int8' : 'float32';
  }

  private buildInt8(): Int8Logits | null {
    const H = this.hyper.hiddenDim;
    if (H * this.vocabSize < INT8_MIN_WEIGHTS) return null;
    try {
      return new Int8Logits(this.outKernel().dataSync() as Float32Array, H, this.vocabSize);
    } catch {
      return null; // no WebAssembly SIMD here: the float32 matMul
    }
  }

  private scratch(): ProbsScratch {
    return (this.probsScratch ??= new ProbsScratch(this.vocabSize));
  }

  // ---- batched path (training and evaluation) ----

  zeroState(batch: number): TensorState {
    const z = () => tf.zeros([batch, this.hyper.hiddenDim]) as tf.Tensor2D;
    return { h: this.layers.map(z), c: this.layers.map(z) };
  }

  /**
   * Runs T steps for B streams. `ids` is time-major: ids[t * B + b]. Returns the top layer's
   * outputs [T*B, H] (same order) and the final state. Dropout only when `dropout` > 0.
   */
  forward(ids: Int32Array, steps: number, batch: number, state: TensorState, dropout = 0): { hidden: tf.Tensor2D; state: TensorState } {
    this.checkAlive();
    if (ids.length !== steps * batch) throw new Error(`forward: ${ids.length} ids for ${steps} steps x ${batch} streams`);
    let input = tf.gather(this.embedding, tf.tensor1d(ids, 'int32')) as tf.Tensor2D;
    if (dropout > 0) input = tf.dropout(input, dropout) as tf.Tensor2D;
    const next: TensorState = { h: [], c: [] };
    for (let l = 0; l < this.layers.length; l++) {
      const { kernel, recurrent, bias } = this.layers[l];
      // The input projection of all steps at once: one large matMul instead of T small ones.
      const xw = tf.add(tf.matMul(input, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
      const H = this.hyper.hiddenDim;
      const seq = lstmLayer(xw, recurrent as tf.Tensor2D, state.h[l].dataSync() as Float32Array, state.c[l].dataSync() as Float32Array, steps, batch);
      input = tf.slice(seq, [0, 0], [steps * batch, H]);
      next.h.push(tf.slice(seq, [(steps - 1) * batch, 0], [batch, H]));
      next.c.push(tf.slice(seq, [steps * batch, 0], [batch, H]));
      if (dropout > 0) input = tf.dropout(input, dropout) as tf.Tensor2D;
    }
    return { hidden: input, state: next };
  }

  /** Full-softmax logits [N, V] of hidden rows [N, H]. */
  outputLogits(hidden: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(hidden, this.outKernel()), this.denseBias) as tf.Tensor2D;
  }

  /** Output weights differentiable for training: rows [N,H] + biases [N] of `ids` (targets). */
  outputRows(ids: tf.Tensor1D): { w: tf.Tensor2D; b: tf.Tensor1D } {
    const w = this.denseKernel
      ? (tf.transpose(tf.gather(this.denseKernel, ids, 1)) as tf.Tensor2D)
      : (tf.gather(this.embedding, ids) as tf.Tensor2D);
    return { w, b: tf.gather(this.denseBias, ids) as tf.Tensor1D };
  }

  /** Output weights differentiable for training: columns [H,S] + biases [S] of `ids` (samples). */
  outputColumns(ids: tf.Tensor1D): { w: tf.Tensor2D; b: tf.Tensor1D } {
    const w = this.denseKernel
      ? (tf.gather(this.denseKernel, ids, 1) as tf.Tensor2D)
      : (tf.transpose(tf.gather(this.embedding, ids)) as tf.Tensor2D);
    return { w, b: tf.gather(this.denseBias, ids) as tf.Tensor1D };
  }

  /** Full-softmax output kernel [H, V] usable inside gradient tapes (tied: embedding^T). */
  trainableOutKernel(): tf.Tensor2D {
    return this.denseKernel ? (this.denseKernel as tf.Tensor2D) : (tf.transpose(this.embedding) as tf.Tensor2D);
  }

  trainableOutBias(): tf.Tensor1D {
    return this.denseBias as tf.Tensor1D;
  }

  /**
   * Plain-array embedding (slicing one row of the tensor costs milliseconds on wasm), biases,
   * and per layer the stacked kernel [K; U] so a step is one matMul.
   */
  private inference(): InferenceCache {
    if (!this.inferenceCache) {
      this.inferenceCache = {
        embedding: (this.embedding.dataSync() as Float32Array).slice(),
        kernels: this.layers.map((l) => tf.keep(tf.tidy(() => tf.concat([l.kernel, l.recurrent], 0) as tf.Tensor2D))),
        biases: this.layers.map((l) => (l.bias.dataSync() as Float32Array).slice()),
        outBias: (this.denseBias.dataSync() as Float32Array).slice(),
      };
    }
    return this.inferenceCache;
  }

  private outKernel(): tf.Tensor2D {
    if (this.denseKernel) return this.denseKernel as tf.Tensor2D;
    // Materialised once: a transposed matMul per step is many times slower on wasm.
    this.outKernelCache ??= tf.keep(tf.transpose(this.embedding) as tf.Tensor2D);
    return this.outKernelCache;
  }

  private variableByName(name: string): tf.Variable {
    if (name === 'embedding/embeddings') return this.embedding;
    if (name === 'dense/bias') return this.denseBias;
    if (name === 'dense/kernel' && this.denseKernel) return this.denseKernel;
    const m = /^lstm(?:_(\d+))?\/(kernel|recurrent_kernel|bias)$/.exec(name);
    if (m) {
      const layer = this.layers[m[1] ? Number(m[1]) : 0];
      if (layer) return m[2] === 'kernel' ? layer.kernel : m[2] === 'bias' ? layer.bias : layer.recurrent;
    }
    throw new Error(`No LSTM weight named '${name}'`);
  }

  private checkToken(tokenId: number): void {
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= this.vocabSize) {
      throw new Error(`Token id ${tokenId} is outside the vocabulary (0..${this.vocabSize - 1})`);
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('This LSTM model was disposed');
  }
}

class ProbsScratch implements NextTokenProbs {
  readonly logits: Float32Array;
  readonly p: Float64Array;
  lse = 0;
  constructor(V: number) {
    this.logits = new Float32Array(V);
    this.p = new Float64Array(V);
  }
  /** What logProbs stores: float32(logit - lse). */
  exactLogProb(id: number): number {
    return Math.fround(this.logits[id] - this.lse);
  }
}

interface InferenceCache {
  embedding: Float32Array;
  kernels: tf.Tensor2D[];
  biases: Float32Array[];
  outBias: Float32Array;
  /** The int8 output layer; null when float32 is used, undefined until first needed. */
  int8?: Int8Logits | null;
  /** The wasm serving kernel; null when TF.js ops serve, undefined until first needed. */
  kernel?: LstmServingKernel | null;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
