// The whole training run, shared by the CLI and the language server: corpus → dataset →
// Kneser-Ney n-gram (instant, saved beside the LSTM) → LSTM with checkpoints of the best
// weights → mixture weight λ fitted on the validation text → atomic save. It reports
// through callbacks and stops on an AbortSignal, keeping the best model so far.
import { initBackend, type BackendName } from './backend';
import { readCorpus, summarizeSkipped, type Corpus } from './corpus';
import { buildDataset } from './dataset';
import { lstmTokenScores, perplexityOf, scoresAt } from './evaluate';
import { fitLambdaFromLogProbs } from './interpolate';
import { estimateTrainingBytes, formatBytes, WASM_HEAP_BYTES, WASM_USABLE_BYTES } from './memoryBudget';
import { NgramModel } from './ngram';
import { MODEL_FORMAT_VERSION, saveModel } from './store';
import { createTokenizer } from './tokenizer';
import { DEFAULT_TRAINING, trainLstm } from './train';
import type { LstmHyper, ModelMeta, NamedWeight, TokenizerKind, TrainProgress, TrainResult } from './types';

export const NGRAM_ORDER = 5;

export interface PipelineRequest {
  /** Folders (or files) to read. */
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
}

/** What a run reports as it goes; every field of each event is JSON-serialisable. */
export type PipelineEvent =
  | { event: 'corpus'; files: number; bytes: number; skipped: string; tokens: number; vocab: number }
  | { event: 'ngram'; order: number; validPpl: number | null }
  | TrainProgress
  | { event: 'checkpoint'; step: number; validPpl: number | null }
  | { event: 'interpolation'; lambda: number; validPpl: number; validPplLstm: number; validPplNgram: number };

export interface PipelineResult extends TrainResult {
  outDir: string;
  /** False when cancelled before any weights were worth keeping: outDir was left as it was. */
  saved: boolean;
}

/** A mistake in what was asked (nothing to train on): its message is for the user as is. */
export class PipelineError extends Error {
  override name = 'PipelineError';
}

export async function runPipeline(
  req: PipelineRequest,
  onEvent: (e: PipelineEvent) => void = () => undefined,
  signal?: AbortSignal,
): Promise<PipelineResult> {
  const t0 = Date.now();
  const backend = await initBackend(req.backend);

  const corpus: Corpus = await readCorpus(req.roots, {
    include: req.include,
    exclude: req.exclude,
    maxFileBytes: req.maxFileBytes,
    signal,
  }).catch((error: Error) => {
    // A missing or unreadable folder is the user's to fix, not an internal failure.
    if (error.name === 'AbortError') throw error;
    throw new PipelineError(error.message);
  });
  const skipped = summarizeSkipped(corpus.counts);
  if (corpus.files.length === 0) {
    throw new PipelineError(`No text files to train on in ${req.roots.join(', ')} (skipped: ${skipped}).`);
  }
  const tokenizer = createTokenizer(req.tokenizer);
  let dataset;
  try {
    dataset = buildDataset(corpus.files, tokenizer, { minCount: req.minCount, maxVocab: req.maxVocab });
  } catch (error) {
    throw new PipelineError((error as Error).message);
  }
  const V = dataset.vocab.size;
  if (V < 3) throw new PipelineError(`The text has only ${V} distinct token(s); a language model needs more variety.`);
  onEvent({ event: 'corpus', files: corpus.files.length, bytes: corpus.bytes, skipped, tokens: dataset.tokens, vocab: V });
  const summary = {
    roots: req.roots,
    files: corpus.files.length,
    bytes: corpus.bytes,
    skipped: corpus.counts,
    tokens: dataset.tokens,
    trainTokens: dataset.train.length,
    validTokens: dataset.valid.length,
  };

  const hasValid = dataset.valid.length >= 2;
  const ngram = NgramModel.build(dataset.train, V, NGRAM_ORDER);
  const ngramBytes = ngram.serialize();
  const ngramPpl = hasValid ? ngram.perplexity(dataset.valid) : null;
  onEvent({ event: 'ngram', order: NGRAM_ORDER, validPpl: ngramPpl });

  const hyper: LstmHyper = {
    vocabSize: V,
    ...DEFAULT_TRAINING.hyper,
    ...(req.dim ? { embedDim: req.dim, hiddenDim: req.dim } : {}),
    ...(req.layers ? { layers: req.layers } : {}),
  };
  if (backend !== 'tensorflow') {
    // Running out of the wasm heap mid-training shows as "memory access out of bounds": refuse up front.
    const D = DEFAULT_TRAINING;
    const need = estimateTrainingBytes(hyper, { batch: D.batch, bptt: D.bptt, samples: D.samples });
    if (need > WASM_USABLE_BYTES) {
      throw new PipelineError(
        `A model of ${V.toLocaleString('en-US')} words and width ${hyper.hiddenDim} needs about ${formatBytes(need)} to train, ` +
          `more than the ${formatBytes(WASM_HEAP_BYTES)} the ${backend} backend can use. Choose a smaller model size ` +
          '(wordlens.modelSize; --dim in the CLI) or train on fewer files (wordlens.exclude).',
      );
    }
  }
  const vocab = dataset.vocab.toJSON();
  const metaFor = (metrics: ModelMeta['metrics'], curve?: ModelMeta['curve']): ModelMeta => ({
    format: 'wordlens-model',
    version: MODEL_FORMAT_VERSION,
    kind: 'lstm',
    tokenizer: req.tokenizer,
    hyper: { ...hyper },
    metrics: { backend, ngram_order: NGRAM_ORDER, valid_ppl_ngram: ngramPpl, ...metrics },
    corpus: summary,
    ...(curve ? { curve } : {}),
    createdAt: new Date().toISOString(),
  });
  const save = (weights: NamedWeight[], meta: ModelMeta) => saveModel(req.outDir, { meta, vocab, weights, ngram: ngramBytes });

  // Checkpoints keep the best weights so far (λ a neutral 0.5 until fitted), so a crash or a
  // cancel leaves a complete, usable model folder.
  let savedPpl = Infinity;
  const { model, result, curve } = await trainLstm(
    { train: dataset.train, valid: dataset.valid, vocabSize: V },
    {
      hyper,
      minutes: req.minutes,
      epochs: req.epochs,
      seed: req.seed,
      signal,
      onProgress: onEvent,
      onCheckpoint: async (c) => {
        const ppl = c.validPpl ?? Infinity;
        if (ppl >= savedPpl && savedPpl !== Infinity) return;
        savedPpl = ppl;
        await save(c.weights, metaFor({ status: 'training', step: c.step, valid_ppl_lstm: c.validPpl, lambda: 0.5 }));
        onEvent({ event: 'checkpoint', step: c.step, validPpl: c.validPpl });
      },
    },
  );
  try {
    let lambda = 0.5;
    let validPpl: number | null = null;
    let lstmPpl: number | null = result.valid_ppl;
    // A cancelled run skips the fit (it reads all validation text) and keeps λ = 0.5.
    if (hasValid && !result.cancelled) {
      const scores = await lstmTokenScores(model, dataset.valid);
      const fit = fitLambdaFromLogProbs(scores.logProbs, scoresAt(ngram, dataset.valid, scores.positions));
      lambda = fit.lambda;
      validPpl = fit.ppl;
      lstmPpl = perplexityOf(scores.logProbs);
      onEvent({ event: 'interpolation', lambda, validPpl: fit.ppl, validPplLstm: fit.pplA, validPplNgram: fit.pplB });
    }
    const seconds = (Date.now() - t0) / 1000;
    const base = { event: 'done' as const, backend, vocab: V, tokens: result.tokens, seconds, outDir: req.outDir };
    if (result.cancelled && savedPpl === Infinity) {
      // Stopped before the first checkpoint: an untrained LSTM must not replace the model there.
      return { ...base, valid_ppl: null, cancelled: true, saved: false };
    }
    await save(
      model.weights(),
      metaFor(
        {
          status: result.cancelled ? 'cancelled' : 'done',
          valid_ppl: validPpl,
          valid_ppl_lstm: lstmPpl,
          lambda,
          tokens: result.tokens,
          seconds,
          train_seconds: result.seconds,
        },
        curve,
      ),
    );
    const done: PipelineResult = { ...base, valid_ppl: validPpl, saved: true };
    if (result.cancelled) done.cancelled = true;
    return done;
  } finally {
    model.dispose();
  }
}
