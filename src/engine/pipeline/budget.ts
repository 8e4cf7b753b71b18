// The wall-clock promise of a training run (`train --minutes M`, the extension's
// trainingBudgetMinutes): everything — reading, tokenizing, n-gram, LSTM, validation, λ fit,
// save — inside the budget. Reading and the n-gram are spent first; the LSTM loop gets what is
// left (a minimal share when nothing is, and the result says so) and ends early enough for the
// λ fit and the final save, estimated here from measured rates and sizes.
import { lstmParameters } from '../lstm/memoryBudget';
import type { LstmHyper } from '../types';

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

/** Minutes for the LSTM loop after `elapsedMs` of the run; `minimal` when the phases before it used (nearly) all of it. */
export function lstmMinutes(budgetMs: number, elapsedMs: number): { minutes: number; minimal: boolean } {
  if (!Number.isFinite(budgetMs)) return { minutes: Infinity, minimal: false };
  const left = budgetMs - elapsedMs;
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
