// What a training run (pipeline.ts) is asked, what it reports as it goes and what it
// returns; shared by its halves (fit.ts, save.ts), the worker job, the CLI and the server.
import type { BackendName } from '../kernels/backend';
import { summarizeSkipped } from '../text/corpus';
import type { TrainingText } from '../text/trainingText';
import type { CacheSettings, KeptModel, TokenizerKind, TrainProgress, TrainResult, VocabJSON } from '../types';

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
  /** LSTM dropout (default: defaultDropout of the corpus size and width). */
  dropout?: number;
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
  /** Seconds between validations during training (default: DEFAULT_TRAINING's, plus every epoch end). */
  validEverySeconds?: number;
  /** Validate and fit λ on all the validation text even under a time budget (slower; default: a subsample when all would not fit). */
  validateAll?: boolean;
}

/**
 * The phases of a run, in order ('validate' and 'save' recur during 'train'). Each polls for
 * a stop at least every 250 ms of work; a stopped run's result names the one it stopped in.
 */
const PIPELINE_PHASES = ['read', 'tokenize', 'ngram', 'train', 'validate', 'save', 'final-validation', 'fit'] as const;
export type PipelinePhase = (typeof PIPELINE_PHASES)[number];

/** What a run reports as it goes; every field of each event is JSON-serialisable. */
export type PipelineEvent =
  /** A phase starts (the one before it has ended). */
  | { event: 'phase'; phase: PipelinePhase }
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
  /** Validation tokens valid_ppl was computed on, and whether they are a subsample (a time budget too short for all). */
  valid_tokens?: number;
  valid_sampled?: boolean;
  /** Reading and the n-gram used the time budget: the LSTM trained on a minimal share of it. */
  lstm_budget_minimal?: boolean;
  /** What the time budget left out of the workspace (reading, tokenizing or the n-gram's share ran out), in words for the user. */
  budget_cut?: string;
  /** When cancelled: the complete model left in outDir (null: none). */
  kept?: KeptModel | null;
  /** When cancelled: the phase the stop was seen in. */
  stoppedIn?: PipelinePhase;
  /** When cancelled: the run did not stop by itself within pipelineJob's STOP_GRACE_MS (a unit of work that polls no stop) and its worker was ended. */
  forced?: boolean;
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
