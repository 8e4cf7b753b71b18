// Text -> token ids with the anchors' held-out split: in every file, the last `validShare`
// of its lines is validation text (cut = int(lines * (1 - share)), as split_train in
// ../shared/anchors/anchor_torch_lm.py); the vocabulary comes from the training part alone.
import type { Tokenizer } from '../types';
import { splitLines } from './tokenizer';
import { Vocab, type VocabOptions } from './vocab';
import { throwIfStopped } from '../stop';
import { pastDeadline, type Deadline } from './deadline';

export interface DatasetOptions {
  /** Tokens seen fewer times in training text map to `<unk>` (default 1: none). */
  minCount?: number;
  /** Cap on the vocabulary size, specials included (default: no cap). */
  maxVocab?: number;
  /** Share of each file's lines held out for validation, 0 <= share < 1 (default 0.1). */
  validShare?: number;
  /** Tokenizing tens of megabytes takes seconds: stop (AbortError) when this is aborted. */
  signal?: AbortSignal;
  /** Tokenize no file after this (once there is training text): the files not reached are left out, `files` says which were kept. */
  deadline?: Deadline;
}

export interface Dataset {
  vocab: Vocab;
  train: Int32Array;
  valid: Int32Array;
  /** All tokens read: train.length + valid.length. */
  tokens: number;
  /**
   * Per file, in stream order: how many of `train`'s ids are its own, and its held-out tokens
   * as text (words outside the vocabulary kept). The live n-gram removes a file's own part when
   * it is edited; the cache mixture's weights are fitted on the held-out parts file by file.
   */
  files: DatasetFile[];
}

export interface DatasetFile {
  path: string;
  trainTokens: number;
  valid: string[];
}

/**
 * Every file's split, concatenated in order: the training and held-out token streams. Past
 * the deadline the remaining files are left out (`files` lists those tokenized).
 */
export function splitFiles(
  files: { path: string; text: string }[],
  tokenizer: Tokenizer,
  validShare = 0.1,
  signal?: AbortSignal,
  deadline?: Deadline,
): { train: string[]; valid: string[]; files: DatasetFile[] } {
  const train: string[] = [];
  const valid: string[] = [];
  const out: DatasetFile[] = [];
  for (const f of files) {
    throwIfStopped(signal);
    if (train.length > 0 && pastDeadline(deadline)) break; // some training text first: a model needs it
    const parts = splitFile(f.text, tokenizer, validShare);
    for (const t of parts.train) train.push(t);
    for (const t of parts.valid) valid.push(t);
    out.push({ path: f.path, trainTokens: parts.train.length, valid: parts.valid });
  }
  return { train, valid, files: out };
}

/** The line index where validation starts, computed exactly as the anchors do (float then truncate). */
export function splitIndex(lineCount: number, validShare = 0.1): number {
  return Math.trunc(lineCount * (1 - validShare));
}

/** Tokens of one file's training and validation parts. */
export function splitFile(text: string, tokenizer: Tokenizer, validShare = 0.1): { train: string[]; valid: string[] } {
  if (tokenizer.kind === 'whitespace') {
    // Per line, so an empty part yields no tokens (tokenize('') would yield one <eos>).
    const lines = splitLines(text);
    const cut = splitIndex(lines.length, validShare);
    const tok = (ls: string[]) => ls.flatMap((l) => tokenizer.tokenize(l));
    return { train: tok(lines.slice(0, cut)), valid: tok(lines.slice(cut)) };
  }
  // Reversible tokenizers split the raw text just before the line break that ends the last
  // training line, so the validation part starts with that newline (+ indent) token.
  const breaks = [...text.matchAll(/\r\n|\r|\n/g)];
  const cut = splitIndex(breaks.length + 1, validShare);
  const at = cut === 0 ? 0 : cut - 1 < breaks.length ? breaks[cut - 1].index! : text.length;
  const part = (s: string) => (s === '' ? [] : tokenizer.tokenize(s));
  return { train: part(text.slice(0, at)), valid: part(text.slice(at)) };
}

export function buildDataset(
  files: { path: string; text: string }[],
  tokenizer: Tokenizer,
  opts: DatasetOptions = {},
): Dataset {
  const validShare = opts.validShare ?? 0.1;
  if (!(validShare >= 0 && validShare < 1)) throw new Error(`validShare must be in [0, 1), got ${opts.validShare}`);
  if (files.length === 0) throw new Error('No files to build a dataset from (the corpus is empty)');
  const { train, valid, files: split } = splitFiles(files, tokenizer, validShare, opts.signal, opts.deadline);
  if (train.length === 0) {
    throw new Error(
      `No training text: the ${files.length} file(s) hold ${valid.length} token(s), all in the held-out last ` +
        `${Math.round(validShare * 100)}% of their lines (kept for validation). Add more text.`,
    );
  }
  const vocab = Vocab.build(train, { minCount: opts.minCount, maxSize: opts.maxVocab, signal: opts.signal });
  return { vocab, train: vocab.encode(train, opts.signal), valid: vocab.encode(valid, opts.signal), tokens: train.length + valid.length, files: split };
}

/**
 * Indices (ascending) of items whose sizes total at most `max`, one at least: every k-th item
 * (k from the total, so they spread over the list), then any others that still fit.
 */
export function spreadPick(sizes: readonly number[], max: number): number[] {
  const total = sizes.reduce((n, x) => n + x, 0);
  if (total <= max) return sizes.map((_, i) => i);
  const stride = Math.max(1, Math.ceil(total / Math.max(max, 1)));
  const picked = new Set<number>();
  let sum = 0;
  const take = (i: number) => {
    if (picked.size > 0 && sum + sizes[i] > max) return;
    picked.add(i);
    sum += sizes[i];
  };
  for (let i = 0; i < sizes.length; i += stride) take(i);
  for (let i = 0; i < sizes.length; i++) if (!picked.has(i)) take(i);
  return [...picked].sort((x, y) => x - y);
}

/**
 * The dataset cut to files spread over it whose training tokens total at most
 * `maxTrainTokens` (spreadPick), so every model of a run counts the same files (the live
 * n-gram removes a file's own counts on edit). With `rebuild`, the vocabulary is built again
 * from the kept training text (a smaller softmax for what was kept; words already `<unk>`
 * stay so); without, it stays and ids keep their meaning (a resumed model's vocabulary).
 */
export function subsetDataset(d: Dataset, maxTrainTokens: number, rebuild?: VocabOptions): Dataset {
  const keep = spreadPick(d.files.map((f) => f.trainTokens), maxTrainTokens);
  if (keep.length === d.files.length) return d;
  const at = { train: [0], valid: [0] };
  for (const f of d.files) {
    at.train.push(at.train[at.train.length - 1] + f.trainTokens);
    at.valid.push(at.valid[at.valid.length - 1] + f.valid.length);
  }
  const gather = (ids: Int32Array, starts: number[]) => {
    const out = new Int32Array(keep.reduce((n, i) => n + starts[i + 1] - starts[i], 0));
    let o = 0;
    for (const i of keep) {
      out.set(ids.subarray(starts[i], starts[i + 1]), o);
      o += starts[i + 1] - starts[i];
    }
    return out;
  };
  const ids = { train: gather(d.train, at.train), valid: gather(d.valid, at.valid) };
  const files = keep.map((i) => d.files[i]);
  const tokens = ids.train.length + ids.valid.length;
  if (!rebuild) return { vocab: d.vocab, ...ids, tokens, files };
  const words = (a: Int32Array) => Array.from(a, (id) => d.vocab.word(id));
  const trainWords = words(ids.train);
  const vocab = Vocab.build(trainWords, rebuild);
  return { vocab, train: vocab.encode(trainWords, rebuild.signal), valid: vocab.encode(words(ids.valid), rebuild.signal), tokens, files };
}

/** Ids of another text under a vocabulary (for evaluating a file). */
export function encodeText(text: string, tokenizer: Tokenizer, vocab: Vocab): Int32Array {
  return vocab.encode(tokenizer.tokenize(text));
}
