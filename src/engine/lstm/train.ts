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
import { TrainBudget } from './trainBudget';
import { sampleValidation, type ValidationSample } from './validationSample';
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
    dropout: 0.2, // the anchor's value; runs that know their corpus use defaultDropout below
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
  validEverySeconds: 300, // plus every epoch end: a full-softmax pass over WikiText's 22k validation tokens measured ~20 CPU-s on TF.js, ~5 on the fused kernels (bench/eval-speed.ts)
};

/**
 * Dropout for a model `width` wide trained on `trainTokens` tokens: the more passes a budget
 * makes over the text, the more it must be regularised. Measured on WikiText-2 (195,890 tokens,
 * 5 minutes, 10-16 passes; best validation ppl): width 200: 0.2 -> 208.1, 0.4 -> 197.0,
 * 0.5 -> 200.1; width 300: 0.5 -> 191.9, 0.6 -> 190.3. So the most is width / 500 (0.4 at 200),
 * within [0.2, 0.6]. Code workspaces of millions of tokens get one or two passes in minutes and
 * keep the anchor's 0.2: the rule falls log-linearly from the most at 500k tokens to 0.2 at 5M.
 */
export function defaultDropout(trainTokens: number, width: number): number {
  const most = Math.min(0.6, Math.max(0.2, width / 500));
  const t = Math.min(1, Math.max(0, Math.log10(Math.max(1, trainTokens) / 5e5)));
  return Math.round((most + (0.2 - most) * t) * 100) / 100;
}

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
  /**
   * ms the caller needs after trainLstm returns (λ fit, save), given the measured full-softmax
   * rate (tokens per ms) and the validation sample's size: the loop ends that much earlier.
   */
  reserveAfterMs?: (tokensPerMs: number, sampleTokens: number) => number;
  /** Share of a time budget validation during training may use (default 0.1). */
  validShare?: number;
  /** Validate on all the validation text even under a time budget (the reserve still counts it). */
  validateAll?: boolean;
  /** Called as each validation pass starts (`final`: the one after the last step), e.g. to report the phase. */
  onValidation?: (final: boolean) => void;
}

export interface TrainOutcome {
  model: LstmModel;
  result: TrainResult;
  curve: CurvePoint[];
  /** What validation scored (a fixed subsample under a time budget) and the measured full-softmax rate; null without validation text. */
  validation: { sample: ValidationSample; tokensPerSecond: number } | null;
}

/** Trains an LSTM language model; see TrainOptions. Never leaves tensors behind except the returned model. */
export async function trainLstm(data: TrainData, opts: TrainOptions = {}): Promise<TrainOutcome> {
  const backend = await initBackend();
  const D = DEFAULT_TRAINING;
  const width = opts.hyper?.hiddenDim ?? D.hyper.hiddenDim;
  const hyper: LstmHyper = { vocabSize: data.vocabSize, ...D.hyper, dropout: defaultDropout(data.train.length, width), ...opts.hyper };
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

  const wall0 = Date.now();
  // Setting up (the model, the trainer, the rate probe) takes seconds each at a large vocabulary:
  // a stop between them returns at once, with no step taken and nothing to keep.
  const stoppedBeforeSteps = (model: LstmModel): TrainOutcome => ({
    model,
    result: { event: 'done', backend, vocab: data.vocabSize, tokens: 0, seconds: (Date.now() - wall0) / 1000, valid_ppl: opts.resume?.validPpl ?? null, cancelled: true },
    curve: [],
    validation: null,
  });
  const model = opts.resume ? LstmModel.fromWeights(hyper, opts.resume.weights) : LstmModel.create(hyper, seed);
  if (stopRequested(signal)) return stoppedBeforeSteps(model);
  const sampler = sampled ? UnigramSampler.fromIds(data.train, data.vocabSize, opts.samplerAlpha ?? D.samplerAlpha, mulberry32(seed + 7)) : null;
  const stepper = (opts.stepper ?? createTfjsTrainStepper)(model, {
    batch,
    dropout: hyper.dropout,
    clip: opts.clip ?? D.clip,
    optimizer: opts.optimizer ?? D.optimizer,
    sampled: sampler ? { sampler, samples } : null,
  });
  if (stopRequested(signal)) {
    stepper.dispose();
    return stoppedBeforeSteps(model);
  }
  const schedule = new LearningRateSchedule(opts.lr ?? (opts.optimizer === 'sgd' ? 20 : D.lr), opts.decayFrom ?? D.decayFrom);
  const checkpoints = new BestCheckpoint(opts.onCheckpoint, opts.resume?.validPpl ?? null);
  const { data: cols, rows } = batchify(data.train, batch);
  const stepsPerEpoch = Math.ceil((rows - 1) / bptt);
  const hasValid = data.valid.length >= 2;

  const now = opts.clock ?? Date.now;
  const t0 = now();
  const budgetMs = minutes * 60_000;
  const budget = new TrainBudget({ budgetMs, validShare: opts.validShare, reserveAfterMs: opts.reserveAfterMs });
  let step = opts.resume?.step ?? 0;
  const firstStep = step;
  let epoch = Math.floor(step / stepsPerEpoch);
  let tokens = 0;
  let lastValidAt = t0;
  let lastProgressAt = 0;
  let lossEma = NaN;
  let cancelled = false;
  const curve: CurvePoint[] = [];

  const fraction = () => Math.min(1, Math.max((now() - t0) / budget.loopEndMs(), (step - firstStep) / (stepsPerEpoch * (epochs - firstStep / stepsPerEpoch))));
  // The last 10% of a time budget skips validations: the final one follows anyway.
  const nearEnd = () => now() - t0 >= 0.9 * budget.loopEndMs();
  const mayValidate = () => !nearEnd() && budget.mayValidate(now() - t0);
  const progress = (validPpl?: number) => {
    const elapsed = (now() - t0) / 1000;
    const rate = tokens / Math.max(elapsed, 1e-3);
    const stepsPerSec = (step - firstStep) / Math.max(elapsed, 1e-3);
    const byEpochs = Number.isFinite(epochs) ? Math.round(epochs * stepsPerEpoch) : Infinity;
    const byTime = Number.isFinite(budgetMs) ? Math.round(step + stepsPerSec * Math.max(0, budget.loopEndMs() / 1000 - elapsed)) : Infinity;
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
  // Under a time budget the full-softmax rate is measured first, and validation scores a fixed
  // subsample sized from it (all of the text when that fits).
  // Validation runs where the steps run: the fused stepper scores its own weights (no copy).
  const evaluate = (ids: Int32Array, sig?: AbortSignal) => {
    if (stepper.evaluate) return stepper.evaluate(ids, sig);
    stepper.syncModel();
    return perplexityAsync(model, ids, 10, bptt, sig);
  };
  const sample = hasValid ? sampleValidation(data.valid, budget.bounded ? await probeRate(evaluate, model.vocabSize, data.valid, budget, now, opts.validateAll, signal) : data.valid.length, 10, seed) : null;
  if (stopRequested(signal)) {
    stepper.dispose();
    return stoppedBeforeSteps(model);
  }
  /** Resolves to whether the weights are the best so far. */
  const validate = async (final = false): Promise<boolean> => {
    lastValidAt = now();
    if (!sample) return false;
    opts.onValidation?.(final);
    const started = now();
    const r = await evaluate(sample.ids, signal);
    if (!r) return false; // aborted mid-pass
    budget.measured(r.tokens, now() - started, !final);
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
        if (budget.shouldStop(now() - t0, step - firstStep)) break outer;
        const n = Math.min(bptt, rows - 1 - pos);
        const x = cols.subarray(pos * batch, (pos + n) * batch);
        const y = cols.subarray((pos + 1) * batch, (pos + 1 + n) * batch);
        const stepStart = now();
        const loss = await stepper.step(x, y, n, schedule.at(fraction()));
        budget.stepTook(now() - stepStart);
        if (!Number.isFinite(loss)) throw new Error(`Training diverged at step ${step} (loss ${loss}); try a lower learning rate`);
        lossEma = Number.isNaN(lossEma) ? loss : 0.95 * lossEma + 0.05 * loss;
        step++;
        tokens += y.length;
        if (now() - lastProgressAt >= progressEvery) progress();
        if (now() - lastValidAt >= validEvery && mayValidate()) await validate();
        await yieldToEvents();
      }
      pos = 0;
      epoch++;
      stepper.resetState();
      if (epoch < epochs && mayValidate() && !stopRequested(signal)) {
        // The anchor's plateau rule on top of the budget schedule.
        if (!(await validate()) && hasValid && checkpoints.bestPpl !== null) schedule.plateaued();
      }
    }
    if (!cancelled && !stopRequested(signal)) await validate(true);
    // A stop during any validation (the final one included) is a cancel, never a finished run.
    if (stopRequested(signal)) cancelled = true;
    // Copying the weights back takes seconds at a large vocabulary; a stopped run's last weights
    // are not kept (its best validated ones are, below), so a stop does not wait for the copy.
    if (!cancelled) stepper.syncModel();
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
  const validation = sample ? { sample, tokensPerSecond: 1000 * budget.tokensPerMs } : null;
  return { model, result, curve, validation };
}

/**
 * Times a short full-softmax pass of `evaluate` (validation's own path; ~4M logits: big enough
 * that fixed costs do not hide the rate; after an untimed pass of the same shape, which grows
 * the heap and warms the kernels) to learn the rate validation runs at; returns how many
 * validation tokens a pass may score.
 */
async function probeRate(
  evaluate: (ids: Int32Array, signal?: AbortSignal) => Promise<{ ppl: number; tokens: number } | null>,
  vocabSize: number,
  valid: Int32Array,
  budget: TrainBudget,
  now: () => number,
  all = false,
  signal?: AbortSignal,
): Promise<number> {
  const rows = Math.max(2, Math.min(35, Math.floor((1 << 22) / (10 * vocabSize))));
  const probe = valid.subarray(0, Math.min(valid.length, 10 * (rows + 1)));
  if (probe.length < 20) return valid.length;
  await evaluate(probe, signal);
  const started = now();
  const r = await evaluate(probe, signal);
  if (r) budget.measured(r.tokens, now() - started, false);
  return budget.sampleTokens(valid.length, all);
}
