// The fitting half of a training run (pipeline.ts composes it with save.ts): the corpus read
// into a dataset, the Kneser-Ney n-gram, the LSTM (continued from a saved one on resume),
// and the mixture weight λ fitted on the validation text.
import * as os from 'node:os';
import type { BackendName } from '../kernels/backend';
import { lstmTokenScores, perplexityOf, scoresAtRuns } from '../lstm/evaluate';
import { fitLambdaFromLogProbs } from '../decode/interpolate';
import { estimateTrainingBytes, formatBytes, WASM_HEAP_BYTES, WASM_USABLE_BYTES } from '../lstm/memoryBudget';
import { NgramModel } from '../ngram/ngram';
import { loadModel } from '../io/store';
import { LstmModel } from '../lstm/lstm';
import { evaluatePerplexity } from '../lstm/perplexity';
import { DEFAULT_TRAINING, defaultDropout, trainLstm, type TrainCheckpoint, type TrainOutcome } from '../lstm/train';
import { fusedTrainStepper } from '../lstm/fusedTrainStepper';
import { PipelineError, readTrainingText, type TrainingText, type TrainingTextOptions } from '../text/trainingText';
import { subsetDataset, type Dataset } from '../text/dataset';
import { NGRAM_PROBE_TOKENS, ngramTokenCap } from './budget';
import type { LstmHyper, ModelMeta, NamedWeight } from '../types';
import { Vocab, type VocabOptions } from '../text/vocab';
import type { PipelineEvent, PipelineRequest } from './contract';
import { sampleValidation, type ValidationSample } from '../lstm/validationSample';

export const NGRAM_ORDER = 5;

/** A saved LSTM to continue. */
export interface ResumeFrom {
  meta: ModelMeta;
  vocab: Vocab;
  weights: NamedWeight[];
}

export async function openForResume(dir: string): Promise<ResumeFrom> {
  const saved = await loadModel(dir);
  if (saved.meta.kind !== 'lstm') throw new PipelineError(`cannot resume: ${dir} holds ${saved.meta.kind} embeddings, not an LSTM`);
  return { meta: saved.meta, vocab: Vocab.fromJSON(saved.vocab), weights: saved.weights };
}

/** The request's text as a dataset; a resumed model's tokenizer and vocabulary win. */
export async function readCorpus(
  req: PipelineRequest,
  resume: ResumeFrom | undefined,
  signal?: AbortSignal,
  onTokenizing?: () => void,
  deadlines?: TrainingTextOptions['deadlines'],
): Promise<TrainingText> {
  const text = await readTrainingText(req.roots, {
    tokenizer: resume ? resume.meta.tokenizer : req.tokenizer,
    include: req.include,
    exclude: req.exclude,
    maxFileBytes: req.maxFileBytes,
    minCount: req.minCount,
    maxVocab: req.maxVocab,
    vocab: resume?.vocab,
    signal,
    onTokenizing,
    deadlines,
  });
  const V = text.dataset.vocab.size;
  if (V < 3) throw new PipelineError(`The text has only ${V} distinct token(s); a language model needs more variety.`);
  return text;
}

/** The LSTM's shape (a resumed model keeps its own), refused up front when it would not fit the wasm heap. */
export function lstmHyper(req: PipelineRequest, resume: ResumeFrom | undefined, V: number, backend: BackendName, trainTokens: number): LstmHyper {
  const width = req.dim ?? DEFAULT_TRAINING.hyper.hiddenDim;
  const hyper: LstmHyper = resume
    ? { ...(resume.meta.hyper as unknown as LstmHyper), vocabSize: V }
    : {
        vocabSize: V,
        ...DEFAULT_TRAINING.hyper,
        ...(req.dim ? { embedDim: req.dim, hiddenDim: req.dim } : {}),
        ...(req.layers ? { layers: req.layers } : {}),
        dropout: req.dropout ?? defaultDropout(trainTokens, width),
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
  return hyper;
}

/**
 * The n-gram of the training text, its validation perplexity (null without validation text)
 * and the ms scoring took. Under a time budget the perplexity is over a fixed subsample of at
 * most `maxValidTokens` (windows read in their context: scoring 700k code tokens took ~20 s
 * under load); `validTokens` says how many were scored.
 */
export function fitNgram(dataset: Dataset, onEvent: (e: PipelineEvent) => void, t0: number, signal?: AbortSignal, maxValidTokens = Infinity) {
  const ngram = NgramModel.build(dataset.train, dataset.vocab.size, NGRAM_ORDER, signal);
  const scored = Date.now();
  let validPpl: number | null = null;
  let validTokens = 0;
  if (dataset.valid.length >= 2) {
    const sample = sampleValidation(dataset.valid, maxValidTokens, 10, 11);
    validPpl = sample.whole
      ? ngram.perplexity(dataset.valid, signal)
      : perplexityOf(scoresAtRuns(ngram, dataset.valid, sample.origin, NGRAM_ORDER - 1, signal));
    validTokens = sample.ids.length;
  }
  const scoreMs = Date.now() - scored;
  onEvent({ event: 'ngram', order: NGRAM_ORDER, validPpl, seconds: (Date.now() - t0) / 1000 });
  return { ngram, validPpl, validTokens, scoreMs };
}

/**
 * The dataset the n-gram (and so the whole run) can afford under a time budget: when the
 * training tokens are more than a probe build's measured rate says fit by the n-gram's share
 * (budget.ts), files spread over it up to that many tokens (with a vocabulary of their own
 * unless resuming: `vocab`), and a sentence saying so.
 */
export function affordableDataset(
  dataset: Dataset,
  budget: { budgetMs: number; t0: number; now?: () => number },
  signal?: AbortSignal,
  vocab?: VocabOptions,
): { dataset: Dataset; cut?: string } {
  const { budgetMs, t0, now = Date.now } = budget;
  const n = dataset.train.length;
  if (!Number.isFinite(budgetMs) || n <= 2 * NGRAM_PROBE_TOKENS) return { dataset };
  const started = now();
  NgramModel.build(dataset.train.subarray(0, NGRAM_PROBE_TOKENS), dataset.vocab.size, NGRAM_ORDER, signal);
  const cap = ngramTokenCap({ trainTokens: n, probeTokens: NGRAM_PROBE_TOKENS, probeMs: now() - started, budgetMs, elapsedMs: now() - t0 });
  if (cap >= n) return { dataset };
  const cut = subsetDataset(dataset, cap, vocab && { ...vocab, signal });
  const fmtN = (k: number) => k.toLocaleString('en-US');
  return {
    dataset: cut,
    cut:
      `the time budget affords the ${NGRAM_ORDER}-gram ~${fmtN(cap)} of the ${fmtN(n)} training tokens at the rate measured: ` +
      `the run uses ${fmtN(cut.files.length)} of the ${fmtN(dataset.files.length)} files, spread over them (${fmtN(cut.train.length)} training tokens` +
      (cut.vocab === dataset.vocab ? ')' : `, vocabulary ${fmtN(cut.vocab.size)} of ${fmtN(dataset.vocab.size)})`),
  };
}

/**
 * What a resumed model's meta records: what it continued, and how the loaded weights scored
 * on this run's validation text before any step (near the saved perplexity, not a fresh model's ≈ V).
 */
export async function resumedMetrics(
  resume: ResumeFrom | undefined,
  hyper: LstmHyper,
  dataset: Dataset,
  signal?: AbortSignal,
): Promise<ModelMeta['metrics']> {
  const resumedFrom: ModelMeta['metrics'] = {};
  if (!resume) return resumedFrom;
  resumedFrom.resumed_from = resume.meta.createdAt;
  resumedFrom.resumed_from_valid_ppl_lstm = numberOrNull(resume.meta.metrics.valid_ppl_lstm);
  if (dataset.valid.length >= 2) {
    const loaded = LstmModel.fromWeights(hyper, resume.weights);
    try {
      resumedFrom.resume_start_valid_ppl_lstm = (await evaluatePerplexity(loaded, dataset.valid, { signal })).ppl;
    } finally {
      loaded.dispose();
    }
  }
  return resumedFrom;
}

/** Trains the LSTM, fresh or from the resumed weights; `onCheckpoint` sees every validated state. */
export function fitLstm(
  req: PipelineRequest,
  setup: { dataset: Dataset; hyper: LstmHyper; resume?: ResumeFrom; backend: BackendName },
  onEvent: (e: PipelineEvent) => void,
  onCheckpoint: (c: TrainCheckpoint) => Promise<void>,
  signal?: AbortSignal,
  onValidation?: (final: boolean) => void,
  budget?: { minutes: number; reserveAfterMs: (tokensPerMs: number, sampleTokens: number) => number },
): Promise<TrainOutcome> {
  const { dataset, hyper, resume, backend } = setup;
  return trainLstm(
    { train: dataset.train, valid: dataset.valid, vocabSize: dataset.vocab.size },
    {
      hyper,
      // What the run's budget leaves the loop (pipeline/budget.ts); epochs alone when it has none.
      minutes: budget ? budget.minutes : req.minutes,
      reserveAfterMs: budget?.reserveAfterMs,
      epochs: req.epochs,
      seed: req.seed,
      signal,
      onProgress: onEvent,
      onCheckpoint,
      onValidation,
      // Without native TensorFlow the fused WebAssembly step trains (2.6x the tokens per
      // CPU-second of the TF.js ops, bench/fused-train.ts), on both cores of a 2-core machine.
      ...(backend === 'tensorflow' ? {} : { stepper: fusedTrainStepper({ bptt: DEFAULT_TRAINING.bptt, threads: Math.min(2, os.availableParallelism()), seed: req.seed }) }),
      ...(req.validEverySeconds ? { validEverySeconds: req.validEverySeconds } : {}),
      ...(req.validateAll ? { validateAll: true } : {}),
      // The epoch count starts afresh (epochs/minutes mean more training) from the saved weights.
      ...(resume ? { resume: { weights: resume.weights, step: 0, validPpl: numberOrNull(resume.meta.metrics.valid_ppl_lstm) } } : {}),
    },
  );
}

/**
 * λ·p_lstm + (1-λ)·p_ngram: λ fitted on the validation text — on `sample` (the subsample
 * training validated on under a time budget; the n-gram scores its tokens in their original
 * context) — and the perplexities it gives, with the number of tokens they were computed on;
 * AbortError when stopped.
 */
export async function fitMixture(
  model: LstmModel,
  ngram: NgramModel,
  valid: Int32Array,
  onEvent: (e: PipelineEvent) => void,
  signal?: AbortSignal,
  sample: ValidationSample = sampleValidation(valid, valid.length),
) {
  onEvent({ event: 'fitting' });
  const scores = await lstmTokenScores(model, sample.ids, { signal });
  const ngramScores = scoresAtRuns(ngram, valid, Int32Array.from(scores.positions, (p) => sample.origin[p]), NGRAM_ORDER - 1, signal);
  const fit = fitLambdaFromLogProbs(scores.logProbs, ngramScores, signal);
  onEvent({ event: 'interpolation', lambda: fit.lambda, validPpl: fit.ppl, validPplLstm: fit.pplA, validPplNgram: fit.pplB });
  return { lambda: fit.lambda, validPpl: fit.ppl, lstmPpl: perplexityOf(scores.logProbs), tokens: scores.logProbs.length, sampled: !sample.whole };
}

export function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
