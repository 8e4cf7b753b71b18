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
import type { Deadline } from './deadline';

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
  /** A time budget's shares: no file is read after `read`, none tokenized after `tokenize` (one of each at least). */
  deadlines?: { read?: Deadline; tokenize?: Deadline };
}

export interface TrainingText {
  tokenizer: Tokenizer;
  dataset: Dataset;
  files: number;
  bytes: number;
  counts: Record<SkipReason, number>;
  /** What was read, for meta.json's `corpus`. */
  summary: Record<string, unknown>;
  /** Set when a deadline left part of the text out: what the model saw, in words for the user. */
  cut?: string;
}

export async function readTrainingText(roots: string[], opts: TrainingTextOptions): Promise<TrainingText> {
  const t0 = Date.now();
  const files: string[] = [];
  const folders: string[] = [];
  // A root that cannot be stat'ed goes to readCorpus, which names the problem.
  for (const root of roots) ((await fsp.stat(root).then((s) => s.isFile(), () => false)) ? files : folders).push(root);
  const read = (list: string[], maxFileBytes?: number) =>
    readCorpus(list, { include: opts.include, exclude: opts.exclude, maxFileBytes, signal: opts.signal, deadline: opts.deadlines?.read }).catch((error: Error) => {
      // A missing or unreadable folder is the user's to fix, not an internal failure.
      if (error.name === 'AbortError') throw error;
      throw new PipelineError(error.message);
    });
  const parts: Corpus[] = [];
  if (files.length) parts.push(await read(files, Number.MAX_SAFE_INTEGER));
  if (folders.length) parts.push(await read(folders, opts.maxFileBytes));
  const texts = parts.flatMap((c) => c.files);
  const readStopped = parts.some((c) => c.stoppedAt === 'deadline');
  const counts = Object.fromEntries(SKIP_REASONS.map((r) => [r, parts.reduce((n, c) => n + c.counts[r], 0)])) as Record<SkipReason, number>;
  const bytes = parts.reduce((n, c) => n + c.bytes, 0);
  if (texts.length === 0) {
    throw new PipelineError(`No text files to train on in ${roots.join(', ')} (skipped: ${summarizeSkipped(counts)}).`);
  }
  const tokenizer = createTokenizer(opts.tokenizer);
  opts.onTokenizing?.();
  let dataset: Dataset;
  const deadline = opts.deadlines?.tokenize;
  try {
    dataset = opts.vocab
      ? datasetWithVocab(texts, tokenizer, opts.vocab, opts.signal, deadline)
      : buildDataset(texts, tokenizer, { minCount: opts.minCount, maxVocab: opts.maxVocab, signal: opts.signal, deadline });
  } catch (error) {
    if (isStopError(error)) throw error;
    throw new PipelineError((error as Error).message);
  }
  const cut = describeCut(readStopped, texts, dataset.files.length, bytes);
  const summary = {
    roots,
    files: texts.length,
    bytes,
    ...(cut ? { filesTokenized: dataset.files.length, cut } : {}),
    skipped: counts,
    tokens: dataset.tokens,
    trainTokens: dataset.train.length,
    validTokens: dataset.valid.length,
    seconds: (Date.now() - t0) / 1000,
  };
  return { tokenizer, dataset, files: texts.length, bytes, counts, summary, ...(cut ? { cut } : {}) };
}

/** What the budget left out of the text, or undefined when nothing was. */
function describeCut(readStopped: boolean, texts: { text: string }[], tokenized: number, bytes: number): string | undefined {
  if (!readStopped && tokenized === texts.length) return undefined;
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const parts: string[] = [];
  if (readStopped) parts.push(`reading stopped at the time budget's share after ${texts.length.toLocaleString('en-US')} file(s) (${mb(bytes)}); the rest of the workspace was not read`);
  if (tokenized < texts.length) {
    const chars = (list: { text: string }[]) => list.reduce((n, f) => n + f.text.length, 0);
    const share = chars(texts.slice(0, tokenized)) / Math.max(1, chars(texts));
    parts.push(`tokenizing stopped at the time budget's share after ${tokenized.toLocaleString('en-US')} of the ${texts.length.toLocaleString('en-US')} file(s) read (${Math.round(100 * share)}% of their text)`);
  }
  return `the model saw part of the text: ${parts.join('; ')}`;
}

/** The same 90/10 split as buildDataset, encoded with an existing vocabulary. */
function datasetWithVocab(files: { path: string; text: string }[], tokenizer: Tokenizer, vocab: Vocab, signal?: AbortSignal, deadline?: Deadline): Dataset {
  const { train, valid, files: split } = splitFiles(files, tokenizer, undefined, signal, deadline);
  if (train.length < 2) throw new Error(`too little training text: ${train.length} token(s)`);
  return { vocab, train: vocab.encode(train, signal), valid: vocab.encode(valid, signal), tokens: train.length + valid.length, files: split };
}
