// What a training run (pipeline.ts) is asked, what it reports as it goes and what it
// returns; shared by its halves (fit.ts, save.ts), the worker job, the CLI and the server.
import type { BackendName } from '../kernels/backend';
import { summarizeSkipped } from '../text/corpus';
import type { TrainingText } from '../text/trainingText';
import type { CacheSettings, TokenizerKind, TrainProgress, TrainResult, VocabJSON } from '../types';

export interface PipelineRequest {
  /** Folders (or files: those are read whatever their size) to read. */
  roots: string[];
  include?: string[];
  exclude?: string[];
  tokenizer: TokenizerKind;
  /** The model folder to write (replaced atomically, checkpoints included). */
  outDir: string;
  minutes?: number;
  epochs?: number;
  /** Embedding = hidden size. */
  dim?: number;
  layers?: number;
  seed?: number;
  minCount?: number;
  maxVocab?: number;
  maxFileBytes?: number;
  /** TF.js backend to prefer (default: automatic). */
  backend?: BackendName;
  /**
   * Continue the LSTM in outDir: its tokenizer, vocabulary and hyper-parameters win over the
   * options above; epochs/minutes mean more training; only a better model replaces it.
   */
  resume?: boolean;
  /**
   * Fit λ even after a cancel (the CLI, where a second Ctrl-C quits). Otherwise a cancelled
   * run skips the fit, which reads all validation text, and keeps λ = 0.5.
   */
  fitAfterCancel?: boolean;
}

/** What a run reports as it goes; every field of each event is JSON-serialisable. */
export type PipelineEvent =
  | {
      event: 'corpus';
      files: number;
      bytes: number;
      skipped: string;
      /** Skipped files by reason (reasons with none left out). */
      skippedCounts: Record<string, number>;
      tokens: number;
      trainTokens: number;
      validTokens: number;
      vocab: number;
    }
  | { event: 'ngram'; order: number; validPpl: number | null; seconds: number }
  | TrainProgress
  | { event: 'checkpoint'; step: number; validPpl: number | null }
  | { event: 'fitting' }
  | { event: 'interpolation'; lambda: number; validPpl: number; validPplLstm: number; validPplNgram: number }
  /** Something went wrong that training survives (a checkpoint that could not be written). */
  | { event: 'warning'; message: string };

/**
 * The n-gram half of a run, servable at once: posted right after the n-gram is built, minutes
 * before the LSTM's first checkpoint (the server serves it meanwhile).
 */
export interface NgramSnapshot {
  tokenizer: TokenizerKind;
  vocab: VocabJSON;
  /** NgramModel.serialize() of the training stream. */
  ngram: Uint8Array;
  validPpl: number | null;
  /** Each file's own training ids, in stream order: the n-gram counted them concatenated (for LiveNgramModel.over). */
  files: { path: string; ids: Int32Array }[];
  cache: CacheSettings;
}

export interface PipelineResult extends TrainResult {
  outDir: string;
  /** False when cancelled before this run's first checkpoint with a model already in outDir: it was left as it was. */
  saved: boolean;
}

export type CorpusEvent = Extract<PipelineEvent, { event: 'corpus' }>;

/** The `corpus` event for what was read. */
export function corpusEvent(text: TrainingText): CorpusEvent {
  const { dataset } = text;
  return {
    event: 'corpus',
    files: text.files,
    bytes: text.bytes,
    skipped: summarizeSkipped(text.counts),
    skippedCounts: Object.fromEntries(Object.entries(text.counts).filter(([, n]) => n > 0)),
    tokens: dataset.tokens,
    trainTokens: dataset.train.length,
    validTokens: dataset.valid.length,
    vocab: dataset.vocab.size,
  };
}
