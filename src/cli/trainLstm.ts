// `wordlens train --model lstm`: n-gram first (instant, saved beside the LSTM), then the LSTM
// with progress and atomic checkpoints of the best weights, then the mixture weight λ fitted
// on the validation ids. valid_ppl in the done line is the model `eval`/`complete` use.
import * as path from 'node:path';
import { initBackend } from '../engine/backend';
import { lstmTokenScores, perplexityOf, scoresAt } from '../engine/evaluate';
import { fitLambdaFromLogProbs } from '../engine/interpolate';
import { LstmModel } from '../engine/lstm';
import { startTrainingWorker, type TrainingOutput } from '../engine/trainClient';
import { NgramModel } from '../engine/ngram';
import { MODEL_FORMAT_VERSION, readModelMeta, saveModel } from '../engine/store';
import { DEFAULT_TRAINING, type TrainCheckpoint } from '../engine/train';
import type { LstmHyper, ModelMeta, NamedWeight, TrainProgress, TrainResult } from '../engine/types';
import type { TrainingText } from './corpusInput';
import type { Vocab } from '../engine/vocab';
import { onInterrupt } from './interrupt';
import { fmt, UserError, type Output } from './output';
import { estimateTrainingBytes, formatBytes, WASM_HEAP_BYTES, WASM_USABLE_BYTES } from '../engine/memoryBudget';

export interface LstmRun {
  outDir: string;
  minutes?: number;
  epochs?: number;
  dim?: number;
  layers?: number;
  seed?: number;
  resume?: ResumeFrom;
}

/** A saved LSTM to continue training (`train --resume`). */
export interface ResumeFrom {
  meta: ModelMeta;
  vocab: Vocab;
  weights: NamedWeight[];
}

const NGRAM_ORDER = 5;

export async function trainLstmModel(text: TrainingText, run: LstmRun, out: Output): Promise<void> {
  const t0 = Date.now();
  const backend = await initBackend();
  const { dataset } = text;
  const V = dataset.vocab.size;
  const vocab = dataset.vocab.toJSON();
  const hasValid = dataset.valid.length >= 2;

  const hyper: LstmHyper = run.resume
    ? { ...(run.resume.meta.hyper as unknown as LstmHyper), vocabSize: V }
    : {
        vocabSize: V,
        ...DEFAULT_TRAINING.hyper,
        ...(run.dim ? { embedDim: run.dim, hiddenDim: run.dim } : {}),
        ...(run.layers ? { layers: run.layers } : {}),
      };
  if (backend !== 'tensorflow') {
    const D = DEFAULT_TRAINING;
    const need = estimateTrainingBytes(hyper, { batch: D.batch, bptt: D.bptt, samples: D.samples });
    if (need > WASM_USABLE_BYTES) {
      throw new UserError(
        `a model of ${fmt(V)} words with --dim ${hyper.hiddenDim} needs about ${formatBytes(need)} to train, more than the ` +
          `${formatBytes(WASM_HEAP_BYTES)} the ${backend} backend can use; lower --max-vocab (or raise --min-count) or --dim`,
      );
    }
  }

  const ngram = NgramModel.build(dataset.train, V, NGRAM_ORDER);
  const ngramBytes = ngram.serialize();
  const ngramPpl = hasValid ? ngram.perplexity(dataset.valid) : null;
  out.progress(
    { event: 'ngram', order: NGRAM_ORDER, valid_ppl: ngramPpl, seconds: (Date.now() - t0) / 1000 },
    `built the ${NGRAM_ORDER}-gram model${ngramPpl === null ? '' : `: validation perplexity ${fmt(ngramPpl)}`}`,
  );

  const metaFor = (metrics: ModelMeta['metrics'], curve?: ModelMeta['curve']): ModelMeta => ({
    format: 'wordlens-model',
    version: MODEL_FORMAT_VERSION,
    kind: 'lstm',
    tokenizer: text.tokenizer.kind,
    hyper: { ...hyper },
    metrics: { backend, ngram_order: NGRAM_ORDER, valid_ppl_ngram: ngramPpl, ...metrics },
    corpus: text.summary,
    ...(curve ? { curve } : {}),
    createdAt: new Date().toISOString(),
  });
  const save = (weights: NamedWeight[], meta: ModelMeta) => saveModel(run.outDir, { meta, vocab, weights, ngram: ngramBytes });

  // Checkpoints keep the best weights so far; until λ is fitted the mixture weight is a neutral 0.5.
  // Saves are chained so two checkpoints never write the folder at once.
  // A resumed model's checkpoint is only replaced by a better one.
  let savedPpl = numberOrNull(run.resume?.meta.metrics.valid_ppl_lstm) ?? Infinity;
  let checkpointed = false;
  const hadModel = await readModelMeta(run.outDir).then(() => true, () => false);
  let saving: Promise<void> = Promise.resolve();
  const checkpoint = (c: TrainCheckpoint) => {
    const ppl = c.validPpl ?? Infinity;
    if (ppl >= savedPpl && savedPpl !== Infinity) return;
    savedPpl = ppl;
    checkpointed = true;
    saving = saving
      .then(async () => {
        await save(c.weights, metaFor({ status: 'training', step: c.step, valid_ppl_lstm: c.validPpl, lambda: 0.5 }));
        out.progress({ event: 'checkpoint', step: c.step, valid_ppl: c.validPpl, dir: run.outDir }, `checkpoint saved to ${run.outDir}`);
      })
      // A failed checkpoint is not fatal: training goes on and the final save reports a lasting problem.
      .catch((err: Error) => out.note(`checkpoint not saved: ${err.message.split('\n')[0]}`));
  };
  // Training runs in a worker thread; the ids are copied because the worker takes their buffers.
  const handle = startTrainingWorker({
    data: { train: dataset.train.slice(), valid: dataset.valid.slice(), vocabSize: V },
    options: {
      hyper,
      minutes: run.minutes,
      epochs: run.epochs,
      seed: run.seed,
      // Resuming starts the epoch count afresh (--epochs/--minutes mean more training) from the saved weights.
      ...(run.resume ? { resume: { weights: run.resume.weights, step: 0, validPpl: numberOrNull(run.resume.meta.metrics.valid_ppl_lstm) } } : {}),
    },
    backend,
    // From source (tsx), the worker needs a JS entry that loads tsx; the bundle has dist/worker.js.
    ...(__filename.endsWith('.ts') ? { workerPath: path.join(__dirname, 'sourceTrainWorker.js') } : {}),
  });
  handle.onProgress((p) => out.progress(p, progressLine(p)));
  handle.onCheckpoint(checkpoint);
  const stopListening = onInterrupt(out, () => handle.cancel(), 'stopping: saving the best model so far');
  let trained: TrainingOutput;
  try {
    trained = await handle.done;
    await saving;
  } finally {
    stopListening();
  }
  const { result, curve } = trained;
  if (result.cancelled && !checkpointed && hadModel) {
    // Stopped before this run's first checkpoint: a barely trained LSTM must not replace the model there.
    const seconds = (Date.now() - t0) / 1000;
    const done: TrainResult = { event: 'done', backend, vocab: V, tokens: result.tokens, seconds, valid_ppl: null, cancelled: true };
    out.result(done, `stopped before the first checkpoint; kept the model already in ${run.outDir}`);
    return;
  }
  const model = LstmModel.fromWeights(hyper, trained.weights);

  try {
    // Fit λ on the validation ids; a second Ctrl-C here quits and keeps the last checkpoint.
    const stopAgain = onInterrupt(out, () => process.exit(130), 'quitting: the last checkpoint is kept');
    let lambda = 0.5;
    let validPpl: number | null = null;
    let lstmPpl: number | null = result.valid_ppl;
    try {
      if (hasValid) {
        out.note('fitting the LSTM / n-gram mixture on the validation text...');
        const scores = await lstmTokenScores(model, dataset.valid);
        const fit = fitLambdaFromLogProbs(scores.logProbs, scoresAt(ngram, dataset.valid, scores.positions));
        lambda = fit.lambda;
        validPpl = fit.ppl;
        lstmPpl = perplexityOf(scores.logProbs);
        out.progress(
          { event: 'interpolation', lambda, valid_ppl: fit.ppl, valid_ppl_lstm: fit.pplA, valid_ppl_ngram: fit.pplB },
          `mixture: λ = ${fmt(lambda, 3)} (LSTM ${fmt(fit.pplA)}, n-gram ${fmt(fit.pplB)}, mixed ${fmt(fit.ppl)})`,
        );
      }
      const seconds = (Date.now() - t0) / 1000;
      const status = result.cancelled ? 'cancelled' : 'done';
      await save(
        trained.weights,
        metaFor(
          {
            status, valid_ppl: validPpl, valid_ppl_lstm: lstmPpl, lambda, tokens: result.tokens, seconds,
            train_seconds: result.seconds, step: curve.length ? curve[curve.length - 1].step : 0,
          },
          curve,
        ),
      );
      const done: TrainResult = { event: 'done', backend, vocab: V, tokens: result.tokens, seconds, valid_ppl: validPpl };
      if (result.cancelled) done.cancelled = true;
      out.result(
        done,
        `${result.cancelled ? 'stopped early; saved the best model so far' : 'saved the model'} to ${run.outDir}: ` +
          `vocabulary ${fmt(V)}, ${fmt(result.tokens)} tokens trained in ${fmt(seconds, 3)} s on ${backend}` +
          (validPpl === null ? ' (no validation text: perplexity unknown)' : `, validation perplexity ${fmt(validPpl)}`),
      );
    } finally {
      stopAgain();
    }
  } finally {
    model.dispose();
  }
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function progressLine(p: TrainProgress): string {
  if (p.validPpl !== undefined) return `step ${p.step}: validation perplexity ${fmt(p.validPpl)} (LSTM alone)`;
  const pct = Math.round(p.fraction * 100);
  const eta = p.etaSeconds >= 60 ? `${Math.floor(p.etaSeconds / 60)}m${String(Math.round(p.etaSeconds % 60)).padStart(2, '0')}s` : `${Math.round(p.etaSeconds)}s`;
  return (
    `step ${p.step}/${p.totalSteps} (${pct}%) epoch ${p.epoch + 1}  loss ${fmt(p.loss)}  ` +
    `${fmt(Math.round(p.tokensPerSecond))} tok/s  ETA ${eta}`
  );
}
