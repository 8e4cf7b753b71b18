// Training loop for the LSTM (truncated BPTT over batchified columns, as PyTorch's
// word_language_model), with a wall-clock budget, cancellation, best-on-validation weights,
// checkpoints and resume; and exact full-softmax perplexity.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../kernels/backend';
import { LstmModel, type TensorState } from './lstm';
import { createOptimizer, type OptimizerKind } from './optimizer';
import { mulberry32 } from '../prng';
import { UnigramSampler, sampledSoftmaxLoss } from './sampledSoftmax';
import { softmaxCrossEntropy } from './softmax';
import type { LstmHyper, NamedWeight, TrainProgress, TrainResult } from '../types';

/**
 * Defaults for a CPU budget of minutes. Measured with bench/train.ts and CPU-time profiles
 * on WikiText-2 (V=12,950, wasm, a 2-core machine shared with other jobs); where a value
 * was not swept, the comment says what it rests on.
 */
export const DEFAULT_TRAINING = {
  hyper: {
    embedDim: 200, // the anchor's size (not swept); equal to hiddenDim so the output can be tied
    hiddenDim: 200, // the anchor's size (not swept)
    layers: 1, // measured: a 2nd layer costs 1.3x CPU per step; within minutes tokens seen matter more
    tied: true, // halves the parameters (the output layer is 2.6M of them); regularises small corpora
    dropout: 0.2, // the anchor's value: a 200k-token corpus overfits within a few epochs
  } satisfies Omit<LstmHyper, 'vocabSize'>,
  minutes: 5, // the budget a user waits for before results are useful
  batch: 32, // more streams per step = bigger, more efficient matMuls (B=64: same tokens/s, half the updates)
  bptt: 35, // the anchor's truncation length
  optimizer: 'adam' as OptimizerKind, // not swept against the anchor's SGD lr 20 here; Adam is the usual choice for few steps
  lr: 0.003, // Adam, decayed below (not swept)
  clip: 0.25, // the anchor's gradient-norm clip
  samples: 2048, // sampled softmax: measured 4.4x fewer CPU ms per step than the full softmax at 1,024; 2,048 halves the estimate's variance for ~11% more
  samplerAlpha: 0.75, // unigram^0.75 proposal (word2vec's): frequent words often, rare ones still drawn
  decayFrom: 0.5, // linear learning-rate decay to 10% over the budget's second half: budget-aware annealing
  validEverySeconds: 300, // plus every epoch end: a full-softmax pass over WikiText's 22k validation tokens measured ~20 CPU-s, 7% of a 5-minute budget
};

export interface TrainData {
  train: Int32Array;
  valid: Int32Array;
  vocabSize: number;
}

export interface TrainCheckpoint {
  weights: NamedWeight[];
  step: number;
  validPpl: number | null;
}

export interface TrainOptions {
  hyper?: Partial<LstmHyper>;
  /** Wall-clock budget; training stops at the budget or after `epochs`, whichever first. */
  minutes?: number;
  epochs?: number;
  batch?: number;
  bptt?: number;
  lr?: number;
  optimizer?: OptimizerKind;
  clip?: number;
  /** Sampled-softmax negatives per step; 0 (or >= vocabSize) trains with the full softmax. */
  samples?: number;
  samplerAlpha?: number;
  decayFrom?: number;
  validEverySeconds?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  onCheckpoint?: (c: TrainCheckpoint) => Promise<void> | void;
  /** Continue from a checkpoint: weights, and the step count to continue from. */
  resume?: { weights: NamedWeight[]; step: number; validPpl?: number | null };
  /**
   * Milliseconds clock for the budget (default Date.now). Benchmarks on a shared machine pass
   * a CPU-time clock so the budget means what it would on an idle machine.
   */
  clock?: () => number;
  /** Seconds between progress events (default 1). */
  progressEverySeconds?: number;
}

export interface CurvePoint {
  step: number;
  loss: number;
  validPpl?: number;
}

export interface TrainOutcome {
  model: LstmModel;
  result: TrainResult;
  curve: CurvePoint[];
}

/** Lays ids out as `batch` contiguous columns, time-major: out[t * batch + b] = ids[b * rows + t]. */
export function batchify(ids: Int32Array, batch: number): { data: Int32Array; rows: number } {
  const rows = Math.floor(ids.length / batch);
  const data = new Int32Array(rows * batch);
  for (let b = 0; b < batch; b++) for (let t = 0; t < rows; t++) data[t * batch + b] = ids[b * rows + t];
  return { data, rows };
}

function checkIds(ids: Int32Array, vocabSize: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= vocabSize) throw new Error(`${what} id ${ids[i]} at position ${i} is outside the vocabulary (0..${vocabSize - 1})`);
  }
}

function replaceState(old: TensorState, next: TensorState): TensorState {
  for (const t of [...old.h, ...old.c]) t.dispose();
  return next;
}

/** Sum of target -log p over one chunk; disposes nothing it was given. */
function chunkLoss(model: LstmModel, x: Int32Array, y: Int32Array, steps: number, batch: number, state: TensorState) {
  return tf.tidy(() => {
    const out = model.forward(x, steps, batch, state);
    const logits = model.outputLogits(out.hidden);
    const v = logits.shape[1];
    const idx = new Int32Array(y.length);
    for (let i = 0; i < y.length; i++) idx[i] = i * v + y[i];
    const target = tf.gather(logits.reshape([-1]), tf.tensor1d(idx, 'int32'));
    const nll = tf.sum(tf.sub(tf.logSumExp(logits, 1), target));
    for (const t of [...out.state.h, ...out.state.c]) tf.keep(t);
    return { nll, state: out.state };
  });
}

/** Yields (to let messages and abort signals through) between chunks of work. */
const yieldToEvents = () => new Promise<void>((r) => setImmediate(r));

/**
 * Exact perplexity (full softmax) of `ids`, the state carried through each of `batch`
 * contiguous columns as the anchor's evaluate() (batch 10). Returns null when aborted.
 */
async function perplexityAsync(model: LstmModel, ids: Int32Array, batch = 10, bptt = 35, signal?: AbortSignal) {
  if (ids.length < 2) throw new Error(`Perplexity needs at least 2 tokens, got ${ids.length}`);
  checkIds(ids, model.vocabSize, 'Evaluation');
  const b = Math.max(1, Math.min(batch, Math.floor(ids.length / 2)));
  const { data, rows } = batchify(ids, b);
  let state = model.zeroState(b);
  let total = 0;
  let count = 0;
  try {
    for (let i = 0; i < rows - 1; i += bptt) {
      if (signal?.aborted) return null;
      const n = Math.min(bptt, rows - 1 - i);
      const x = data.subarray(i * b, (i + n) * b);
      const y = data.subarray((i + 1) * b, (i + 1 + n) * b);
      const r = chunkLoss(model, x, y, n, b, state);
      state = replaceState(state, r.state);
      total += (await r.nll.data())[0];
      r.nll.dispose();
      count += y.length;
      if (signal) await yieldToEvents();
    }
  } finally {
    replaceState(state, { h: [], c: [] });
  }
  return { ppl: Math.exp(total / count), tokens: count };
}

/** Exact full-softmax perplexity of `ids`, state carried through (as the anchor's evaluate()). */
export async function evaluatePerplexity(model: LstmModel, ids: Int32Array, opts: { batch?: number; bptt?: number } = {}) {
  return (await perplexityAsync(model, ids, opts.batch, opts.bptt))!;
}

/** Trains an LSTM language model; see TrainOptions. Never leaves tensors behind except the returned model. */
export async function trainLstm(data: TrainData, opts: TrainOptions = {}): Promise<TrainOutcome> {
  const backend = await initBackend();
  const D = DEFAULT_TRAINING;
  const hyper: LstmHyper = { vocabSize: data.vocabSize, ...D.hyper, ...opts.hyper };
  if (hyper.vocabSize !== data.vocabSize) throw new Error(`hyper.vocabSize ${hyper.vocabSize} differs from the data's ${data.vocabSize}`);
  checkIds(data.train, data.vocabSize, 'Training');
  checkIds(data.valid, data.vocabSize, 'Validation');
  if (data.train.length < 2) throw new Error(`Too little training text: ${data.train.length} token(s), need at least 2`);
  const epochs = opts.epochs ?? Infinity;
  const minutes = opts.minutes ?? (opts.epochs === undefined ? D.minutes : Infinity);
  if (!(minutes > 0)) throw new Error(`minutes must be positive, got ${opts.minutes}`);
  if (!(epochs > 0)) throw new Error(`epochs must be positive, got ${opts.epochs}`);
  const bptt = opts.bptt ?? D.bptt;
  const batch = Math.max(1, Math.min(opts.batch ?? D.batch, Math.floor(data.train.length / 2)));
  const lr0 = opts.lr ?? (opts.optimizer === 'sgd' ? 20 : D.lr);
  const clip = opts.clip ?? D.clip;
  const decayFrom = opts.decayFrom ?? D.decayFrom;
  const samples = opts.samples ?? D.samples;
  const sampled = samples > 0 && samples < data.vocabSize;
  const validEvery = (opts.validEverySeconds ?? D.validEverySeconds) * 1000;
  const progressEvery = (opts.progressEverySeconds ?? 1) * 1000;
  const seed = opts.seed ?? 1;
  const signal = opts.signal;

  const model = opts.resume ? LstmModel.fromWeights(hyper, opts.resume.weights) : LstmModel.create(hyper, seed);
  const vars = model.trainableVariables();
  const optimizer = createOptimizer(opts.optimizer ?? D.optimizer, vars);
  const sampler = sampled ? UnigramSampler.fromIds(data.train, data.vocabSize, opts.samplerAlpha ?? D.samplerAlpha, mulberry32(seed + 7)) : null;
  const { data: cols, rows } = batchify(data.train, batch);
  const stepsPerEpoch = Math.ceil((rows - 1) / bptt);
  const hasValid = data.valid.length >= 2;

  const now = opts.clock ?? Date.now;
  const wall0 = Date.now();
  const t0 = now();
  const budgetMs = minutes * 60_000;
  let step = opts.resume?.step ?? 0;
  const firstStep = step;
  let epoch = Math.floor(step / stepsPerEpoch);
  let tokens = 0;
  let best: { ppl: number; weights: NamedWeight[] } | null = null;
  let lastValidPpl: number | null = opts.resume?.validPpl ?? null;
  let plateau = 1;
  let lastValidAt = t0;
  let lastProgressAt = 0;
  let lossEma = NaN;
  let cancelled = false;
  const curve: CurvePoint[] = [];

  const fraction = () => Math.min(1, Math.max((now() - t0) / budgetMs, (step - firstStep) / (stepsPerEpoch * (epochs - firstStep / stepsPerEpoch))));
  // The last 10% of a time budget skips validations: the final one follows anyway.
  const nearEnd = () => now() - t0 >= 0.9 * budgetMs;
  const lrNow = () => {
    const f = fraction();
    const decay = f <= decayFrom ? 1 : 1 - 0.9 * Math.min(1, (f - decayFrom) / (1 - decayFrom));
    return lr0 * plateau * decay;
  };
  const progress = (validPpl?: number) => {
    const elapsed = (now() - t0) / 1000;
    const rate = tokens / Math.max(elapsed, 1e-3);
    const stepsPerSec = (step - firstStep) / Math.max(elapsed, 1e-3);
    const byEpochs = Number.isFinite(epochs) ? Math.round(epochs * stepsPerEpoch) : Infinity;
    const byTime = Number.isFinite(budgetMs) ? Math.round(step + stepsPerSec * Math.max(0, budgetMs / 1000 - elapsed)) : Infinity;
    const totalSteps = Math.max(step, Math.min(byEpochs, byTime));
    const p: TrainProgress = {
      event: 'progress',
      step,
      totalSteps,
      epoch,
      fraction: fraction(),
      loss: lossEma,
      tokensPerSecond: rate,
      etaSeconds: stepsPerSec > 0 ? Math.max(0, (totalSteps - step) / stepsPerSec) : 0,
    };
    if (validPpl !== undefined) p.validPpl = validPpl;
    curve.push(validPpl === undefined ? { step, loss: lossEma } : { step, loss: lossEma, validPpl });
    opts.onProgress?.(p);
    lastProgressAt = now();
  };
  const validate = async (): Promise<boolean> => {
    lastValidAt = now();
    if (!hasValid) return false;
    const r = await perplexityAsync(model, data.valid, 10, bptt, signal);
    if (!r) return false; // aborted mid-pass
    const improved = !best || r.ppl < best.ppl;
    if (improved) best = { ppl: r.ppl, weights: model.weights() };
    lastValidPpl = r.ppl;
    progress(r.ppl);
    await opts.onCheckpoint?.({ weights: model.weights(), step, validPpl: r.ppl });
    return improved;
  };

  let state = model.zeroState(batch);
  try {
    let pos = (step % stepsPerEpoch) * bptt;
    outer: while (epoch < epochs) {
      for (; pos < rows - 1; pos += bptt) {
        if (signal?.aborted) {
          cancelled = true;
          break outer;
        }
        if (now() - t0 >= budgetMs) break outer;
        const n = Math.min(bptt, rows - 1 - pos);
        const x = cols.subarray(pos * batch, (pos + n) * batch);
        const y = cols.subarray((pos + 1) * batch, (pos + 1 + n) * batch);
        const sample = sampler?.sample(samples);
        const next: { state?: TensorState } = {};
        const lossValue = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const out = model.forward(x, n, batch, state, hyper.dropout);
            next.state = { h: out.state.h.map((t) => tf.keep(t)), c: out.state.c.map((t) => tf.keep(t)) };
            if (sampler && sample) {
              const target = model.outputRows(tf.tensor1d(y, 'int32'));
              const neg = model.outputColumns(tf.tensor1d(sample.ids, 'int32'));
              return sampledSoftmaxLoss(out.hidden, target.w, target.b, neg.w, neg.b, y, sample, sampler);
            }
            const logits = tf.add(tf.matMul(out.hidden, model.trainableOutKernel()), model.trainableOutBias()) as tf.Tensor2D;
            return softmaxCrossEntropy(logits, y);
          }, vars);
          const list = vars.map((v) => grads[v.name]);
          // Clip by global norm without a sync: scale = clip / max(norm, clip).
          const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
          const scale = tf.div(clip, tf.maximum(norm, clip));
          optimizer.apply(list.map((g) => tf.mul(g, scale)), lrNow());
          return value;
        });
        model.weightsChanged();
        // The next step starts from this step's final state (truncated backprop).
        state = replaceState(state, next.state!);
        const loss = (await lossValue.data())[0];
        lossValue.dispose();
        if (!Number.isFinite(loss)) throw new Error(`Training diverged at step ${step} (loss ${loss}); try a lower learning rate`);
        lossEma = Number.isNaN(lossEma) ? loss : 0.95 * lossEma + 0.05 * loss;
        step++;
        tokens += y.length;
        if (now() - lastProgressAt >= progressEvery) progress();
        if (now() - lastValidAt >= validEvery && !nearEnd()) await validate();
        await yieldToEvents();
      }
      pos = 0;
      epoch++;
      state = replaceState(state, model.zeroState(batch));
      if (epoch < epochs && !nearEnd() && !signal?.aborted) {
        // The anchor's plateau rule on top of the budget schedule.
        if (!(await validate()) && hasValid && best) plateau /= 4;
      }
    }
    if (!cancelled && !signal?.aborted) await validate();
    else cancelled = true;
  } finally {
    replaceState(state, { h: [], c: [] });
    optimizer.dispose();
  }
  const chosen = best as { ppl: number; weights: NamedWeight[] } | null;
  // Keep the best-on-validation weights (the last ones may have started to overfit).
  if (chosen && chosen.ppl < (lastValidPpl ?? Infinity)) model.assignWeights(chosen.weights);
  else if (chosen && cancelled) model.assignWeights(chosen.weights);
  const result: TrainResult = {
    event: 'done',
    backend,
    vocab: data.vocabSize,
    tokens,
    seconds: (Date.now() - wall0) / 1000,
    valid_ppl: chosen ? chosen.ppl : null,
  };
  if (cancelled) result.cancelled = true;
  return { model, result, curve };
}
