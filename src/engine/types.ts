// The engine's shared contracts. Every engine module codes against these, so the
// server, the CLI and the benchmarks can combine models without knowing their insides.

export type TokenizerKind = 'whitespace' | 'code';

/** How embedding neighbours are measured (neighbours, the map, the protocol). */
export type Metric = 'cosine' | 'euclidean';

/** Special tokens. `<eos>` ends a line in the whitespace tokenizer (WikiText convention). */
export const UNK = '<unk>';
export const EOS = '<eos>';

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** All tokens of a text, in order. whitespace: each line's words then `<eos>`. */
  tokenize(text: string): string[];
  /** Text for tokens. For `code` this is the exact inverse: detokenize(tokenize(t)) === t. */
  detokenize(tokens: string[]): string;
  /**
   * Tokens of the text before a cursor. When the text ends inside a word or identifier,
   * that incomplete piece is returned as `partial` (and left out of `tokens`), so a
   * completion can require the next token to start with it and insert only the rest.
   */
  prefix(text: string): { tokens: string[]; partial: string };
}

/**
 * A next-token model with immutable states: advancing never mutates the state it is
 * given, so states can be cached per document prefix and shared by beam hypotheses.
 * LSTM, Kneser-Ney n-gram and their interpolation all implement it.
 */
export interface LanguageModel<S = unknown> {
  readonly vocabSize: number;
  /** State at the start of a text. */
  initialState(): S;
  /** State after feeding one more token id. */
  advance(state: S, tokenId: number): S;
  /** Optional fast path: the state after ids[start..end), as advance token by token would
   *  give (within float rounding); see advanceRange in decode/advanceRange.ts. */
  advanceMany?(state: S, ids: ArrayLike<number>, start: number, end: number): S;
  /** Natural-log probabilities of every vocabulary id as the next token; length vocabSize. */
  logProbs(state: S): Float32Array;
  /**
   * Optional fast path for decoding: the same distribution as probabilities, without the
   * per-word logarithms. The result is scratch owned by the model: read it before calling
   * `probs` on this model again.
   */
  probs?(state: S): NextTokenProbs;
}

/** The next-token distribution as `LanguageModel.probs` returns it. */
export interface NextTokenProbs {
  /** Probability of every id (length vocabSize); exp(logProbs(state)[id]) up to float32 rounding. */
  readonly p: Float64Array;
  /** logProbs(state)[id], bit for bit (so a decision between near-ties can be made exactly). */
  exactLogProb(id: number): number;
}

/** Progress of a training run, emitted as it goes. */
export interface TrainProgress {
  event: 'progress';
  /** Optimiser steps done and planned (planned = budget-based estimate). */
  step: number;
  totalSteps: number;
  epoch: number;
  /** 0..1 of the budget (epochs or minutes, whichever ends first). */
  fraction: number;
  loss: number;
  tokensPerSecond: number;
  etaSeconds: number;
  /** Present when a validation pass ran at this step. */
  validPpl?: number;
}

export interface TrainResult {
  event: 'done';
  backend: string;
  vocab: number;
  tokens: number;
  seconds: number;
  valid_ppl: number | null;
  /** True when the run stopped because it was cancelled (the model is still the best so far). */
  cancelled?: boolean;
}

/** The complete model a stopped run left in its folder (saves are atomic: never a partial one). */
export interface KeptModel {
  dir: string;
  createdAt: string;
  /** Saved by the run that stopped (its last checkpoint), or there before it (the previous model). */
  fromThisRun: boolean;
  /** meta.json's status: 'training' for a checkpoint, 'done', 'cancelled'. */
  status: string;
  step: number | null;
  validPpl: number | null;
}

/** Metadata saved beside every model (meta.json). */
export interface ModelMeta {
  format: 'wordlens-model';
  /** Bumped when the folder layout changes incompatibly; loaders refuse newer versions. */
  version: number;
  kind: 'lstm' | 'skipgram' | 'vectors';
  tokenizer: TokenizerKind;
  /** Hyper-parameters: vocabSize, embedDim, hiddenDim, layers, tied, ... */
  hyper: Record<string, number | string | boolean>;
  /** Measured results: valid_ppl, tokens, seconds, backend, ... */
  metrics: Record<string, number | string | null>;
  /** What was read: files, tokens, skipped counts by reason. */
  corpus: Record<string, unknown>;
  /** Training curve: one entry per logged step. */
  curve?: CurvePoint[];
  /** The cache mixture fitted on the held-out text at training (absent in older folders). */
  cache?: CacheSettings;
  createdAt: string;
}

/** How the document and recent-files caches mix with the model (engine/decode/cacheMixture.ts). */
export interface CacheSettings {
  /** Order of the cache n-grams. */
  order: number;
  /** Per bucket, [model, document, recent], fitted by EM on held-out text. */
  weights: [number, number, number][];
  /** The open decoder's confidence stop (complete's minTokenProb). */
  minTokenProb: number;
}

/** One logged step of a training run: the smoothed loss, and the validation perplexity when measured. */
export interface CurvePoint {
  step: number;
  loss: number;
  validPpl?: number;
}

/** A named weight matrix, row-major. Names follow TF.js layers (e.g. `lstm/kernel`). */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Hyper-parameters of the LSTM language model (saved in meta.hyper). */
export interface LstmHyper {
  vocabSize: number;
  embedDim: number;
  hiddenDim: number;
  layers: number;
  /** Output layer shares the embedding matrix (requires embedDim === hiddenDim). */
  tied: boolean;
  dropout: number;
}

/** vocab.json: words in id order (specials first, then by descending count). */
export interface VocabJSON {
  words: string[];
  counts: number[];
}
