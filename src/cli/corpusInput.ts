// The text a `train` run learns from: the files and folders named on the command line,
// read with the corpus rules, tokenized and split 90/10 into training and validation ids.
import * as fsp from 'node:fs/promises';
import { readCorpus, type Corpus } from '../engine/corpus';
import { buildDataset, splitFile, type Dataset } from '../engine/dataset';
import type { Vocab } from '../engine/vocab';
import { createTokenizer } from '../engine/tokenizer';
import type { Tokenizer, TokenizerKind } from '../engine/types';
import { reason } from './files';
import { fmt, UserError, type Output } from './output';

export interface TrainingText {
  tokenizer: Tokenizer;
  dataset: Dataset;
  /** What was read, for meta.json's `corpus`. */
  summary: Record<string, unknown>;
}

export interface TrainingTextOptions {
  tokenizer: TokenizerKind;
  minCount?: number;
  maxVocab?: number;
  /** Files in folders larger than this are skipped (files named explicitly are always read). */
  maxFileBytes?: number;
  /** Encode with this vocabulary instead of building one (resuming a model). */
  vocab?: Vocab;
}

export async function readTrainingText(roots: string[], opts: TrainingTextOptions, out: Output): Promise<TrainingText> {
  const files: string[] = [];
  const folders: string[] = [];
  for (const root of roots) {
    const stat = await fsp.stat(root).catch((err) => {
      throw new UserError(`cannot read ${root}: ${reason(err)}`);
    });
    (stat.isDirectory() ? folders : files).push(root);
  }
  const t0 = Date.now();
  const parts: Corpus[] = [];
  if (files.length) parts.push(await readCorpus(files, { maxFileBytes: Number.MAX_SAFE_INTEGER }));
  if (folders.length) parts.push(await readCorpus(folders, { maxFileBytes: opts.maxFileBytes }));
  const texts = parts.flatMap((c) => c.files);
  const skipped: Record<string, number> = {};
  for (const c of parts) for (const [r, n] of Object.entries(c.counts)) if (n > 0) skipped[r] = (skipped[r] ?? 0) + n;
  const bytes = parts.reduce((n, c) => n + c.bytes, 0);
  const skippedText = Object.entries(skipped).map(([r, n]) => `${n} ${r}`).join(', ');
  if (texts.length === 0) {
    throw new UserError(`no text files to train on in ${roots.join(', ')}${skippedText ? ` (skipped: ${skippedText})` : ''}`);
  }
  const tokenizer = createTokenizer(opts.tokenizer);
  let dataset: Dataset;
  try {
    dataset = opts.vocab ? datasetWithVocab(texts, tokenizer, opts.vocab) : buildDataset(texts, tokenizer, { minCount: opts.minCount, maxVocab: opts.maxVocab });
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const summary = {
    roots,
    files: texts.length,
    bytes,
    skipped,
    tokens: dataset.tokens,
    trainTokens: dataset.train.length,
    validTokens: dataset.valid.length,
    seconds: (Date.now() - t0) / 1000,
  };
  out.progress(
    { event: 'corpus', files: texts.length, bytes, skipped, tokens: dataset.tokens, vocab: dataset.vocab.size },
    `read ${fmt(texts.length)} file(s), ${fmt(bytes)} bytes${skippedText ? ` (skipped ${skippedText})` : ''}: ` +
      `${fmt(dataset.train.length)} training + ${fmt(dataset.valid.length)} validation tokens, vocabulary ${fmt(dataset.vocab.size)}`,
  );
  return { tokenizer, dataset, summary };
}

/** The same 90/10 split as buildDataset, encoded with an existing vocabulary. */
function datasetWithVocab(files: { text: string }[], tokenizer: Tokenizer, vocab: Vocab): Dataset {
  const train: string[] = [];
  const valid: string[] = [];
  for (const f of files) {
    const parts = splitFile(f.text, tokenizer);
    for (const t of parts.train) train.push(t);
    for (const t of parts.valid) valid.push(t);
  }
  if (train.length < 2) throw new Error(`too little training text: ${train.length} token(s)`);
  return { vocab, train: vocab.encode(train), valid: vocab.encode(valid), tokens: train.length + valid.length };
}
