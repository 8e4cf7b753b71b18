// `wordlens train --model skipgram`: skip-gram embeddings (gensim sg=1's algorithm, with the
// recipe below), saved as an embedding-only model.
import { initBackend } from '../engine/kernels/backend';
import { trainSkipgram } from '../engine/embeddings/skipgram';
import { MODEL_FORMAT_VERSION, saveModel } from '../engine/io/store';
import { UNK, type ModelMeta, type TrainResult } from '../engine/types';
import { corpusEvent } from '../engine/pipeline/pipeline';
import { readTrainingText, type TrainingText } from '../engine/text/trainingText';
import type { TokenizerKind } from '../engine/types';
import { reportCorpus } from './trainLstm';
import { fmt, UserError, type Output } from './output';
import { onInterrupt } from './interrupt';

/**
 * The default recipe, chosen by WordSim-353 sweeps on WikiText-2 (bench/skipgram.ts, means over
 * 3 seeds, 1 thread): the gensim anchor's dim 200, 10 negatives, min count 3 and sample 1e-3, but
 * a window of 10 (20 epochs: 0.337 vs 0.272 at window 5; WordSim mixes relatedness with
 * similarity) and more epochs (window 5: 0.307 at 40 epochs vs 0.272 at 20; window 10: 0.22 at
 * 10). The budget caps the run and the learning rate then reaches its minimum at the budget;
 * the epochs keep a small corpus from being passed over thousands of times.
 */
export const SKIPGRAM_RECIPE = { dim: 200, window: 10, negative: 10, sample: 1e-3, epochs: 40, minutes: 2 } as const;

export interface SkipgramRun {
  roots: string[];
  tokenizer: TokenizerKind;
  maxVocab?: number;
  maxFileBytes?: number;
  outDir: string;
  minutes?: number;
  epochs?: number;
  dim?: number;
  seed?: number;
  minCount: number;
}

export async function trainSkipgramModel(run: SkipgramRun, out: Output): Promise<void> {
  const t0 = Date.now();
  const backend = await initBackend();
  const text: TrainingText = await readTrainingText(run.roots, { tokenizer: run.tokenizer, maxVocab: run.maxVocab, maxFileBytes: run.maxFileBytes }).catch(
    (error: Error) => {
      throw error.name === 'PipelineError' ? new UserError(error.message) : error;
    },
  );
  reportCorpus(corpusEvent(text), out);
  const { dataset, tokenizer } = text;
  const vocab = dataset.vocab.toJSON();
  const { window, negative, sample } = SKIPGRAM_RECIPE;
  const dim = run.dim ?? SKIPGRAM_RECIPE.dim;
  // One thread: measured on 2 cores, 2 Hogwild threads give 1.5x the words/s at window 10 but
  // scored lower in the same 2 minutes (0.316 ± 0.011 vs 0.341 ± 0.030, 3 seeds each; window 5,
  // 40 epochs: 0.276 vs 0.307), and one thread is deterministic for a seed and leaves a core free.
  const threads = 1;
  const abort = new AbortController();
  const stopListening = onInterrupt(out, () => abort.abort(), 'stopping: saving the embeddings trained so far');
  let result;
  try {
    result = await trainSkipgram(dataset.train, vocab.words.length, vocab.counts, {
      dim, window, negative, sample, minCount: run.minCount, seed: run.seed ?? 1, threads,
      eosId: dataset.vocab.eosId >= 0 ? dataset.vocab.eosId : undefined,
      // The epochs plan the learning-rate decay; the budget only cuts a slow run short (the
      // rate then reaches its minimum at the budget instead).
      epochs: run.epochs ?? SKIPGRAM_RECIPE.epochs,
      minutes: run.minutes ?? (run.epochs === undefined ? SKIPGRAM_RECIPE.minutes : undefined),
      signal: abort.signal,
      onProgress: (p) =>
        out.progress(
          { event: 'progress', ...p },
          `epoch ${p.epoch} ${Math.round(p.fraction * 100)}%  ${fmt(Math.round(p.wordsPerSecond))} words/s` +
            (p.loss === undefined ? '' : `  loss ${fmt(p.loss)}`),
        ),
    });
  } finally {
    stopListening();
  }
  // Words under the minimum count were not trained: like gensim, they leave the vocabulary.
  // `<unk>` stays as row 0 so the vocabulary keeps its convention.
  const kept = vocab.words.map((_, i) => i).filter((i) => i === 0 || vocab.counts[i] >= run.minCount);
  const matrix = new Float32Array(kept.length * dim);
  kept.forEach((row, i) => matrix.set(result.embeddings.subarray(row * dim, (row + 1) * dim), i * dim));
  const seconds = (Date.now() - t0) / 1000;
  const meta: ModelMeta = {
    format: 'wordlens-model',
    version: MODEL_FORMAT_VERSION,
    kind: 'skipgram',
    tokenizer: tokenizer.kind,
    hyper: { vocabSize: kept.length, embedDim: dim, window, negative, sample, minCount: run.minCount },
    metrics: {
      backend, seconds, epochs: result.epochs, words: result.words, loss: result.loss,
      status: result.cancelled ? 'cancelled' : 'done',
    },
    corpus: text.summary,
    createdAt: new Date().toISOString(),
  };
  if (vocab.words[0] !== UNK) throw new Error(`vocabulary must start with ${UNK}`);
  await saveModel(run.outDir, {
    meta,
    vocab: { words: kept.map((i) => vocab.words[i]), counts: kept.map((i) => vocab.counts[i]) },
    weights: [{ name: 'embedding/embeddings', shape: [kept.length, dim], values: matrix }],
  });
  const done: TrainResult = { event: 'done', backend, vocab: kept.length, tokens: result.words, seconds, valid_ppl: null };
  if (result.cancelled) done.cancelled = true;
  out.result(
    done,
    `${result.cancelled ? 'stopped early; saved' : 'saved'} skip-gram embeddings of ${fmt(kept.length)} words (dim ${dim}) to ${run.outDir} ` +
      `in ${fmt(seconds, 3)} s (${fmt(result.epochs, 3)} epochs, ${backend})`,
  );
}
