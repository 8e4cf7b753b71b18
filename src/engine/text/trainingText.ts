// The text a training run learns from, for the pipeline and the CLI's skip-gram: the files
// and folders named, read with the corpus rules, tokenized and split 90/10 into training
// and validation ids (with a saved vocabulary when resuming).
import * as fsp from 'node:fs/promises';
import { readCorpus, SKIP_REASONS, summarizeSkipped, type Corpus, type SkipReason } from './corpus';
import { buildDataset, splitFiles, type Dataset } from './dataset';
import { createTokenizer } from './tokenizer';
import type { Tokenizer, TokenizerKind } from '../types';
import type { Vocab } from './vocab';
import { isStopError, throwIfStopped } from '../stop';

/** A mistake in what was asked (nothing to train on, a model that cannot be resumed): its message is for the user as is. */
export class PipelineError extends Error {
  override name = 'PipelineError';
}

export interface TrainingTextOptions {
  tokenizer: TokenizerKind;
  include?: string[];
  exclude?: string[];
  /** Files inside folders larger than this are skipped; files named explicitly are always read. */
  maxFileBytes?: number;
  minCount?: number;
  maxVocab?: number;
  /** Encode with this vocabulary instead of building one (resuming a model). */
  vocab?: Vocab;
  signal?: AbortSignal;
  /** Called when the files are read and tokenizing starts. */
  onTokenizing?: () => void;
}

export interface TrainingText {
  tokenizer: Tokenizer;
  dataset: Dataset;
  files: number;
  bytes: number;
  counts: Record<SkipReason, number>;
  /** What was read, for meta.json's `corpus`. */
  summary: Record<string, unknown>;
}

export async function readTrainingText(roots: string[], opts: TrainingTextOptions): Promise<TrainingText> {
  const t0 = Date.now();
  const files: string[] = [];
  const folders: string[] = [];
  // A root that cannot be stat'ed goes to readCorpus, which names the problem.
  for (const root of roots) ((await fsp.stat(root).then((s) => s.isFile(), () => false)) ? files : folders).push(root);
  const read = (list: string[], maxFileBytes?: number) =>
    readCorpus(list, { include: opts.include, exclude: opts.exclude, maxFileBytes, signal: opts.signal }).catch((error: Error) => {
      // A missing or unreadable folder is the user's to fix, not an internal failure.
      if (error.name === 'AbortError') throw error;
      throw new PipelineError(error.message);
    });
  const parts: Corpus[] = [];
  if (files.length) parts.push(await read(files, Number.MAX_SAFE_INTEGER));
  if (folders.length) parts.push(await read(folders, opts.maxFileBytes));
  const texts = parts.flatMap((c) => c.files);
  const counts = Object.fromEntries(SKIP_REASONS.map((r) => [r, parts.reduce((n, c) => n + c.counts[r], 0)])) as Record<SkipReason, number>;
  const bytes = parts.reduce((n, c) => n + c.bytes, 0);
  if (texts.length === 0) {
    throw new PipelineError(`No text files to train on in ${roots.join(', ')} (skipped: ${summarizeSkipped(counts)}).`);
  }
  const tokenizer = createTokenizer(opts.tokenizer);
  opts.onTokenizing?.();
  let dataset: Dataset;
  try {
    dataset = opts.vocab
      ? datasetWithVocab(texts, tokenizer, opts.vocab, opts.signal)
      : buildDataset(texts, tokenizer, { minCount: opts.minCount, maxVocab: opts.maxVocab, signal: opts.signal });
  } catch (error) {
    if (isStopError(error)) throw error;
    throw new PipelineError((error as Error).message);
  }
  const summary = {
    roots,
    files: texts.length,
    bytes,
    skipped: counts,
    tokens: dataset.tokens,
    trainTokens: dataset.train.length,
    validTokens: dataset.valid.length,
    seconds: (Date.now() - t0) / 1000,
  };
  return { tokenizer, dataset, files: texts.length, bytes, counts, summary };
}

/** The same 90/10 split as buildDataset, encoded with an existing vocabulary. */
function datasetWithVocab(files: { path: string; text: string }[], tokenizer: Tokenizer, vocab: Vocab, signal?: AbortSignal): Dataset {
  const { train, valid, files: split } = splitFiles(files, tokenizer, undefined, signal);
  if (train.length < 2) throw new Error(`too little training text: ${train.length} token(s)`);
  return { vocab, train: vocab.encode(train, signal), valid: vocab.encode(valid, signal), tokens: train.length + valid.length, files: split };
}
