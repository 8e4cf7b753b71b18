// Training loop for the LSTM (truncated BPTT over batchified columns, as PyTorch's
// word_language_model), with a wall-clock budget, cancellation, validation and resume. It
// composes a TrainStepper (one step: tfjsTrainStepper.ts), the learning-rate schedule
// (learningRate.ts) and the best-on-validation checkpoints (bestCheckpoint.ts).
import { initBackend } from '../kernels/backend';
import { batchify, checkIds } from './batches';
import { BestCheckpoint, type TrainCheckpoint } from './bestCheckpoint';
import { LearningRateSchedule } from './learningRate';
import { LstmModel } from './lstm';
import type { OptimizerKind } from './optimizer';
import { perplexityAsync, yieldToEvents } from './perplexity';
import { stopRequested } from '../stop';
import { mulberry32 } from '../prng';
import { UnigramSampler } from './sampledSoftmax';
import { createTfjsTrainStepper } from './tfjsTrainStepper';
import type { TrainStepperFactory } from './trainStepper';
import type { CurvePoint, LstmHyper, NamedWeight, TrainProgress, TrainResult } from '../types';

// Still importable from here, where tests and benches have always found them.
export { evaluatePerplexity } from './perplexity';
export type { TrainCheckpoint } from './bestCheckpoint';

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
  /** The implementation of one training step (default: TF.js, tfjsTrainStepper.ts). */
  stepper?: TrainStepperFactory;
  /** Called as each validation pass starts (`final`: the one after the last step), e.g. to report the phase. */
  onValidation?: (final: boolean) => void;
}

export interface TrainOutcome {
  model: LstmModel;
  result: TrainResult;
  curve: CurvePoint[];
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
  const samples = opts.samples ?? D.samples;
  const sampled = samples > 0 && samples < data.vocabSize;
  const validEvery = (opts.validEverySeconds ?? D.validEverySeconds) * 1000;
  const progressEvery = (opts.progressEverySeconds ?? 1) * 1000;
  const seed = opts.seed ?? 1;
  const signal = opts.signal;

  const model = opts.resume ? LstmModel.fromWeights(hyper, opts.resume.weights) : LstmModel.create(hyper, seed);
  const sampler = sampled ? UnigramSampler.fromIds(data.train, data.vocabSize, opts.samplerAlpha ?? D.samplerAlpha, mulberry32(seed + 7)) : null;
  const stepper = (opts.stepper ?? createTfjsTrainStepper)(model, {
    batch,
    dropout: hyper.dropout,
    clip: opts.clip ?? D.clip,
    optimizer: opts.optimizer ?? D.optimizer,
    sampled: sampler ? { sampler, samples } : null,
  });
  const schedule = new LearningRateSchedule(opts.lr ?? (opts.optimizer === 'sgd' ? 20 : D.lr), opts.decayFrom ?? D.decayFrom);
  const checkpoints = new BestCheckpoint(opts.onCheckpoint, opts.resume?.validPpl ?? null);
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
  let lastValidAt = t0;
  let lastProgressAt = 0;
  let lossEma = NaN;
  let cancelled = false;
  const curve: CurvePoint[] = [];

  const fraction = () => Math.min(1, Math.max((now() - t0) / budgetMs, (step - firstStep) / (stepsPerEpoch * (epochs - firstStep / stepsPerEpoch))));
  // The last 10% of a time budget skips validations: the final one follows anyway.
  const nearEnd = () => now() - t0 >= 0.9 * budgetMs;
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
  /** Resolves to whether the weights are the best so far. */
  const validate = async (final = false): Promise<boolean> => {
    lastValidAt = now();
    if (!hasValid) return false;
    opts.onValidation?.(final);
    stepper.syncModel();
    const r = await perplexityAsync(model, data.valid, 10, bptt, signal);
    if (!r) return false; // aborted mid-pass
    progress(r.ppl);
    return checkpoints.validated(r.ppl, step, () => stepper.weights());
  };

  try {
    let pos = (step % stepsPerEpoch) * bptt;
    outer: while (epoch < epochs) {
      for (; pos < rows - 1; pos += bptt) {
        if (stopRequested(signal)) {
          cancelled = true;
          break outer;
        }
        if (now() - t0 >= budgetMs) break outer;
        const n = Math.min(bptt, rows - 1 - pos);
        const x = cols.subarray(pos * batch, (pos + n) * batch);
        const y = cols.subarray((pos + 1) * batch, (pos + 1 + n) * batch);
        const loss = await stepper.step(x, y, n, schedule.at(fraction()));
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
      stepper.resetState();
      if (epoch < epochs && !nearEnd() && !stopRequested(signal)) {
        // The anchor's plateau rule on top of the budget schedule.
        if (!(await validate()) && hasValid && checkpoints.bestPpl !== null) schedule.plateaued();
      }
    }
    if (!cancelled && !stopRequested(signal)) await validate(true);
    // A stop during any validation (the final one included) is a cancel, never a finished run.
    if (stopRequested(signal)) cancelled = true;
    stepper.syncModel();
  } finally {
    stepper.dispose();
  }
  // Keep the best-on-validation weights (the last ones may have started to overfit).
  const keep = checkpoints.weightsToKeep(cancelled);
  if (keep) model.assignWeights(keep);
  const result: TrainResult = {
    event: 'done',
    backend,
    vocab: data.vocabSize,
    tokens,
    seconds: (Date.now() - wall0) / 1000,
    valid_ppl: checkpoints.bestPpl,
  };
  if (cancelled) result.cancelled = true;
  return { model, result, curve };
}
