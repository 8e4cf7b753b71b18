// The wall-clock promise of a training run (`train --minutes M`, the extension's
// trainingBudgetMinutes): everything — reading, tokenizing, n-gram, LSTM, validation, λ fit,
// save — inside the budget. Reading and tokenizing stop at their shares of it, the n-gram
// counts what its measured rate allows before its own; the LSTM loop gets what is left (a
// minimal share when nothing is, and the result says so) and ends early enough for the λ fit
// and the final save, estimated here from measured rates and sizes. What a share leaves out
// is stated in the run's result and meta.
import { lstmParameters } from '../lstm/memoryBudget';
import type { Deadline } from '../text/deadline';
import type { LstmHyper } from '../types';

/**
 * Shares of the budget, from the run's start, by which no more files are read, none more
 * tokenized, and the n-gram is built. Reading 44 MB of code took ~3 s and tokenizing it ~5 s
 * at load 2 (twice that and more under load 10–20), the 5-gram over its 6.3M tokens 11–35 s:
 * at a minute those alone were the budget. The LSTM keeps at least the rest after NGRAM_BY.
 */
export const READ_BY = 0.12;
export const TOKENIZE_BY = 0.25;
export const NGRAM_BY = 0.4;
/** Training tokens the n-gram's rate is measured on before a capped build (its build is ~linear in tokens). */
export const NGRAM_PROBE_TOKENS = 100_000;
/** Held-out tokens the cache mixture's weights are fitted on under a time budget (678k took ~13 s at load 6). */
export const CACHE_FIT_TOKENS = 50_000;
/** Bytes of weights set up per ms before the loop's clock starts (model init, the fused stepper's packing: ~4 s for 122 MB at load 6). */
export const ASSUMED_SETUP_BYTES_PER_MS = 30_000;

/** The LSTM's share of the budget when reading and the n-gram leave less: a few steps still train it. */
export const MINIMAL_LSTM_SHARE = 0.05;
/** Write rate assumed for the final save before a checkpoint was timed (bytes per ms: 20 MB/s, fsync included). */
export const ASSUMED_SAVE_BYTES_PER_MS = 20_000;
/** Validation tokens the n-gram's reported perplexity is computed on under a time budget (~1 s at code's V). */
export const NGRAM_VALID_TOKENS = 50_000;
/** Slack on every estimate: rates measured on a busy machine wander. */
export const ESTIMATE_SLACK = 1.25;

/** The run's budget in ms: `minutes`, or 5 minutes unless epochs alone bound it (then none). */
export function runBudgetMs(minutes: number | undefined, epochs: number | undefined, defaultMinutes: number): number {
  return (minutes ?? (epochs === undefined ? defaultMinutes : Infinity)) * 60_000;
}

/** The read and tokenize deadlines of a run started at `t0` on `now`'s clock (none without a budget). */
export function textDeadlines(budgetMs: number, t0: number, now: () => number = Date.now): { read?: Deadline; tokenize?: Deadline } {
  if (!Number.isFinite(budgetMs)) return {};
  return { read: { at: t0 + READ_BY * budgetMs, now }, tokenize: { at: t0 + TOKENIZE_BY * budgetMs, now } };
}

/**
 * Training tokens the n-gram may count so that its build ends by NGRAM_BY of the budget, at
 * the rate a probe build measured (probeTokens in probeMs), with ESTIMATE_SLACK; all of them
 * when they fit, the probe's count at least.
 */
export function ngramTokenCap(p: { trainTokens: number; probeTokens: number; probeMs: number; budgetMs: number; elapsedMs: number }): number {
  if (!Number.isFinite(p.budgetMs)) return p.trainTokens;
  const leftMs = NGRAM_BY * p.budgetMs - p.elapsedMs;
  const fits = Math.floor((leftMs * p.probeTokens) / Math.max(p.probeMs, 1) / ESTIMATE_SLACK);
  return Math.min(p.trainTokens, Math.max(p.probeTokens, fits));
}

/** Estimated ms of setting up the LSTM before its loop's clock starts (weights initialised, packed for the stepper). */
export function lstmSetupMs(h: LstmHyper): number {
  return (ESTIMATE_SLACK * savedWeightBytes(h)) / ASSUMED_SETUP_BYTES_PER_MS;
}

/**
 * Minutes for the LSTM loop after `elapsedMs` of the run and `setupMs` of setting it up;
 * `minimal` when the phases before it used (nearly) all of it.
 */
export function lstmMinutes(budgetMs: number, elapsedMs: number, setupMs = 0): { minutes: number; minimal: boolean } {
  if (!Number.isFinite(budgetMs)) return { minutes: Infinity, minimal: false };
  const left = budgetMs - elapsedMs - setupMs;
  const floor = MINIMAL_LSTM_SHARE * budgetMs;
  return left > floor ? { minutes: left / 60_000, minimal: false } : { minutes: floor / 60_000, minimal: true };
}

export interface AfterLoopCosts {
  hyper: LstmHyper;
  /** Bytes saved besides the weights (n-gram, vocabulary). */
  fixedBytes: number;
  /** ms the n-gram took to score its validation tokens (the λ fit scores the sample's: no more). */
  ngramScoreMs: number;
  /** ms the last save took (0: none yet, the size-based estimate is used). */
  lastSaveMs: () => number;
}

/** Bytes of a saved model's weights: a tied model's folder holds dense/kernel too (TF.js layers has no tying). */
export function savedWeightBytes(h: LstmHyper): number {
  return 4 * (lstmParameters(h) + (h.tied ? h.hiddenDim * h.vocabSize : 0));
}

/**
 * What follows the loop besides the final validation pass: that pass's checkpoint save (the
 * folder then holds this run's model should the run stop during the fit), the λ fit (the LSTM
 * scores the validation sample once more at the measured full-softmax rate, the n-gram scores
 * it), and the final save. For TrainOptions.reserveAfterMs.
 */
export function afterLoopReserve(c: AfterLoopCosts): (tokensPerMs: number, sampleTokens: number) => number {
  const bytes = savedWeightBytes(c.hyper) + c.fixedBytes;
  return (tokensPerMs, sampleTokens) => {
    const lstm = tokensPerMs > 0 ? sampleTokens / tokensPerMs : 0;
    const saved = c.lastSaveMs();
    const save = saved > 0 ? saved : bytes / ASSUMED_SAVE_BYTES_PER_MS;
    return ESTIMATE_SLACK * (lstm + c.ngramScoreMs + 2 * save);
  };
}
