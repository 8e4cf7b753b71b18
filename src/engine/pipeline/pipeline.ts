// The whole training run, shared by the CLI (`wordlens train --model lstm`) and the language
// server, run in a worker thread by pipelineJob.ts: corpus → dataset → Kneser-Ney n-gram
// (instant, saved beside the LSTM) → LSTM with checkpoints of the best weights → mixture
// weight λ fitted on the validation text → atomic save. It reports through callbacks and
// stops on an AbortSignal, keeping the best model so far.
import { initBackend, type BackendName } from '../kernels/backend';
import { summarizeSkipped } from '../text/corpus';
import { lstmTokenScores, perplexityOf, scoresAt } from '../lstm/evaluate';
import { fitLambdaFromLogProbs } from '../decode/interpolate';
import { estimateTrainingBytes, formatBytes, WASM_HEAP_BYTES, WASM_USABLE_BYTES } from '../lstm/memoryBudget';
import { NgramModel } from '../ngram/ngram';
import { loadModel, MODEL_FORMAT_VERSION, readModelMeta, saveModel } from '../io/store';
import { LstmModel } from '../lstm/lstm';
import { DEFAULT_TRAINING, evaluatePerplexity, trainLstm, type TrainCheckpoint } from '../lstm/train';
import { PipelineError, readTrainingText, type TrainingText } from '../text/trainingText';
import type { LstmHyper, ModelMeta, NamedWeight, TokenizerKind, TrainProgress, TrainResult } from '../types';
import { Vocab } from '../text/vocab';

export { PipelineError } from '../text/trainingText';

export const NGRAM_ORDER = 5;

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

/** A saved LSTM to continue. */
interface ResumeFrom {
  meta: ModelMeta;
  vocab: Vocab;
  weights: NamedWeight[];
}

async function openForResume(dir: string): Promise<ResumeFrom> {
  const saved = await loadModel(dir);
  if (saved.meta.kind !== 'lstm') throw new PipelineError(`cannot resume: ${dir} holds ${saved.meta.kind} embeddings, not an LSTM`);
  return { meta: saved.meta, vocab: Vocab.fromJSON(saved.vocab), weights: saved.weights };
}

export async function runPipeline(
  req: PipelineRequest,
  onEvent: (e: PipelineEvent) => void = () => undefined,
  signal?: AbortSignal,
): Promise<PipelineResult> {
  const t0 = Date.now();
  const backend = await initBackend(req.backend);
  const resume = req.resume ? await openForResume(req.outDir) : undefined;
  const tokenizerKind = resume ? resume.meta.tokenizer : req.tokenizer;

  const text = await readTrainingText(req.roots, {
    tokenizer: tokenizerKind,
    include: req.include,
    exclude: req.exclude,
    maxFileBytes: req.maxFileBytes,
    minCount: req.minCount,
    maxVocab: req.maxVocab,
    vocab: resume?.vocab,
    signal,
  });
  const { dataset } = text;
  const V = dataset.vocab.size;
  if (V < 3) throw new PipelineError(`The text has only ${V} distinct token(s); a language model needs more variety.`);
  onEvent(corpusEvent(text));

  const hyper: LstmHyper = resume
    ? { ...(resume.meta.hyper as unknown as LstmHyper), vocabSize: V }
    : {
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
          `more than the ${formatBytes(WASM_USABLE_BYTES)} training may use of the ${backend} backend's ${formatBytes(WASM_HEAP_BYTES)} heap. Choose a smaller model size ` +
          '(wordlens.modelSize; --dim in the CLI) or train on fewer words (wordlens.exclude; --max-vocab or --min-count in the CLI).',
      );
    }
  }
  const hasValid = dataset.valid.length >= 2;
  const ngram = NgramModel.build(dataset.train, V, NGRAM_ORDER);
  const ngramBytes = ngram.serialize();
  const ngramPpl = hasValid ? ngram.perplexity(dataset.valid) : null;
  onEvent({ event: 'ngram', order: NGRAM_ORDER, validPpl: ngramPpl, seconds: (Date.now() - t0) / 1000 });

  // A resumed model's meta records what it continued, and how the loaded weights scored on
  // this run's validation text before any step: near the saved perplexity, not a fresh model's ≈ V.
  const resumedFrom: ModelMeta['metrics'] = {};
  if (resume) {
    resumedFrom.resumed_from = resume.meta.createdAt;
    resumedFrom.resumed_from_valid_ppl_lstm = numberOrNull(resume.meta.metrics.valid_ppl_lstm);
    if (hasValid) {
      const loaded = LstmModel.fromWeights(hyper, resume.weights);
      try {
        resumedFrom.resume_start_valid_ppl_lstm = (await evaluatePerplexity(loaded, dataset.valid)).ppl;
      } finally {
        loaded.dispose();
      }
    }
  }

  const vocab = dataset.vocab.toJSON();
  const metaFor = (metrics: ModelMeta['metrics'], curve?: ModelMeta['curve']): ModelMeta => ({
    format: 'wordlens-model',
    version: MODEL_FORMAT_VERSION,
    kind: 'lstm',
    tokenizer: tokenizerKind,
    hyper: { ...hyper },
    metrics: { backend, ngram_order: NGRAM_ORDER, valid_ppl_ngram: ngramPpl, ...resumedFrom, ...metrics },
    corpus: text.summary,
    ...(curve ? { curve } : {}),
    createdAt: new Date().toISOString(),
  });
  const save = (weights: NamedWeight[], meta: ModelMeta) => saveModel(req.outDir, { meta, vocab, weights, ngram: ngramBytes });

  // Checkpoints keep the best weights so far (λ a neutral 0.5 until fitted), so a crash or a
  // cancel leaves a complete, usable model folder. A resumed model is only replaced by a better one.
  const resumedPpl = numberOrNull(resume?.meta.metrics.valid_ppl_lstm);
  let savedPpl = resumedPpl ?? Infinity;
  let checkpointed = false;
  const hadModel = await readModelMeta(req.outDir).then(() => true, () => false);
  const checkpoint = async (c: TrainCheckpoint) => {
    const ppl = c.validPpl ?? Infinity;
    if (ppl >= savedPpl && savedPpl !== Infinity) return;
    savedPpl = ppl;
    checkpointed = true;
    try {
      await save(c.weights, metaFor({ status: 'training', step: c.step, valid_ppl_lstm: c.validPpl, lambda: 0.5 }));
      onEvent({ event: 'checkpoint', step: c.step, validPpl: c.validPpl });
    } catch (error) {
      // Not fatal: training goes on, and the final save reports a lasting problem.
      onEvent({ event: 'warning', message: `checkpoint not saved: ${(error as Error).message.split('\n')[0]}` });
    }
  };
  const { model, result, curve } = await trainLstm(
    { train: dataset.train, valid: dataset.valid, vocabSize: V },
    {
      hyper,
      minutes: req.minutes,
      epochs: req.epochs,
      seed: req.seed,
      signal,
      onProgress: onEvent,
      onCheckpoint: checkpoint,
      // The epoch count starts afresh (epochs/minutes mean more training) from the saved weights.
      ...(resume ? { resume: { weights: resume.weights, step: 0, validPpl: resumedPpl } } : {}),
    },
  );
  try {
    const base = { event: 'done' as const, backend, vocab: V, tokens: result.tokens, outDir: req.outDir };
    if (result.cancelled && !checkpointed && hadModel) {
      // Stopped before this run's first checkpoint: a barely trained LSTM must not replace the model there.
      return { ...base, seconds: (Date.now() - t0) / 1000, valid_ppl: null, cancelled: true, saved: false };
    }
    let lambda = 0.5;
    let validPpl: number | null = null;
    let lstmPpl: number | null = result.valid_ppl;
    if (hasValid && (!result.cancelled || req.fitAfterCancel)) {
      onEvent({ event: 'fitting' });
      const scores = await lstmTokenScores(model, dataset.valid);
      const fit = fitLambdaFromLogProbs(scores.logProbs, scoresAt(ngram, dataset.valid, scores.positions));
      lambda = fit.lambda;
      validPpl = fit.ppl;
      lstmPpl = perplexityOf(scores.logProbs);
      onEvent({ event: 'interpolation', lambda, validPpl: fit.ppl, validPplLstm: fit.pplA, validPplNgram: fit.pplB });
    }
    const seconds = (Date.now() - t0) / 1000;
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
          step: curve.length ? curve[curve.length - 1].step : 0,
        },
        curve,
      ),
    );
    const done: PipelineResult = { ...base, seconds, valid_ppl: validPpl, saved: true };
    if (result.cancelled) done.cancelled = true;
    return done;
  } finally {
    model.dispose();
  }
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
