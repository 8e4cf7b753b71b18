// The fitting half of a training run (pipeline.ts composes it with save.ts): the corpus read
// into a dataset, the Kneser-Ney n-gram, the LSTM (continued from a saved one on resume),
// and the mixture weight λ fitted on the validation text.
import * as os from 'node:os';
import type { BackendName } from '../kernels/backend';
import { lstmTokenScores, perplexityOf, scoresAt } from '../lstm/evaluate';
import { fitLambdaFromLogProbs } from '../decode/interpolate';
import { estimateTrainingBytes, formatBytes, WASM_HEAP_BYTES, WASM_USABLE_BYTES } from '../lstm/memoryBudget';
import { NgramModel } from '../ngram/ngram';
import { loadModel } from '../io/store';
import { LstmModel } from '../lstm/lstm';
import { evaluatePerplexity } from '../lstm/perplexity';
import { DEFAULT_TRAINING, trainLstm, type TrainCheckpoint, type TrainOutcome } from '../lstm/train';
import { fusedTrainStepper } from '../lstm/fusedTrainStepper';
import { PipelineError, readTrainingText, type TrainingText } from '../text/trainingText';
import type { Dataset } from '../text/dataset';
import type { LstmHyper, ModelMeta, NamedWeight } from '../types';
import { Vocab } from '../text/vocab';
import type { PipelineEvent, PipelineRequest } from './contract';

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
  });
  const V = text.dataset.vocab.size;
  if (V < 3) throw new PipelineError(`The text has only ${V} distinct token(s); a language model needs more variety.`);
  return text;
}

/** The LSTM's shape (a resumed model keeps its own), refused up front when it would not fit the wasm heap. */
export function lstmHyper(req: PipelineRequest, resume: ResumeFrom | undefined, V: number, backend: BackendName): LstmHyper {
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
  return hyper;
}

/** The n-gram of the training text and its validation perplexity (null without validation text). */
export function fitNgram(
  dataset: Dataset,
  onEvent: (e: PipelineEvent) => void,
  t0: number,
  signal?: AbortSignal,
): { ngram: NgramModel; validPpl: number | null } {
  const ngram = NgramModel.build(dataset.train, dataset.vocab.size, NGRAM_ORDER, signal);
  const validPpl = dataset.valid.length >= 2 ? ngram.perplexity(dataset.valid, signal) : null;
  onEvent({ event: 'ngram', order: NGRAM_ORDER, validPpl, seconds: (Date.now() - t0) / 1000 });
  return { ngram, validPpl };
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
): Promise<TrainOutcome> {
  const { dataset, hyper, resume, backend } = setup;
  return trainLstm(
    { train: dataset.train, valid: dataset.valid, vocabSize: dataset.vocab.size },
    {
      hyper,
      minutes: req.minutes,
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
      // The epoch count starts afresh (epochs/minutes mean more training) from the saved weights.
      ...(resume ? { resume: { weights: resume.weights, step: 0, validPpl: numberOrNull(resume.meta.metrics.valid_ppl_lstm) } } : {}),
    },
  );
}

/** λ·p_lstm + (1-λ)·p_ngram: λ fitted on the validation text, and the perplexities it gives; AbortError when stopped. */
export async function fitMixture(model: LstmModel, ngram: NgramModel, valid: Int32Array, onEvent: (e: PipelineEvent) => void, signal?: AbortSignal) {
  onEvent({ event: 'fitting' });
  const scores = await lstmTokenScores(model, valid, { signal });
  const fit = fitLambdaFromLogProbs(scores.logProbs, scoresAt(ngram, valid, scores.positions, signal), signal);
  onEvent({ event: 'interpolation', lambda: fit.lambda, validPpl: fit.ppl, validPplLstm: fit.pplA, validPplNgram: fit.pplB });
  return { lambda: fit.lambda, validPpl: fit.ppl, lstmPpl: perplexityOf(scores.logProbs) };
}

export function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
