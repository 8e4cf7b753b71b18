// The whole training run, shared by the CLI (`wordlens train --model lstm`) and the language
// server, run in a worker thread by pipelineJob.ts: corpus → dataset → Kneser-Ney n-gram
// (instant, saved beside the LSTM) → LSTM with checkpoints of the best weights → mixture
// weight λ fitted on the validation text → atomic save. Fitting is fit.ts, saving save.ts;
// this composes them. It reports each phase as it starts; a stop (AbortSignal) is seen in
// whatever phase within moments, and the run returns at once, keeping what was saved.
import { initBackend } from '../kernels/backend';
import { corpusEvent, type NgramSnapshot, type PipelineEvent, type PipelinePhase, type PipelineRequest, type PipelineResult } from './contract';
import { fitCacheSettings, ngramSnapshot, trainFiles } from './servable';
import { affordableDataset, fitLstm, fitMixture, fitNgram, lstmHyper, numberOrNull, openForResume, readCorpus, resumedMetrics } from './fit';
import { keptModel } from './keptModel';
import { ModelFolderWriter } from './save';
import { afterLoopReserve, CACHE_FIT_TOKENS, lstmMinutes, lstmSetupMs, NGRAM_VALID_TOKENS, runBudgetMs, textDeadlines } from './budget';
import { DEFAULT_TRAINING } from '../lstm/train';
import type { LstmModel } from '../lstm/lstm';
import { isStopError } from '../stop';

export { PipelineError } from '../text/trainingText';
export { NGRAM_ORDER } from './fit';
export { corpusEvent, type CorpusEvent, type NgramSnapshot, type PipelineEvent, type PipelinePhase, type PipelineRequest, type PipelineResult } from './contract';

export async function runPipeline(
  req: PipelineRequest,
  onEvent: (e: PipelineEvent) => void = () => undefined,
  signal?: AbortSignal,
  /** Given the n-gram half as soon as it is built (the server serves it while the LSTM trains). */
  onNgram?: (snapshot: NgramSnapshot) => void,
  /** The clock the budget's shares are planned on (tests move it by hand); durations reported are wall. */
  now: () => number = Date.now,
): Promise<PipelineResult> {
  const t0 = Date.now();
  const budget0 = now();
  const startedAt = new Date(t0);
  // The budget covers the whole run: what reading and the n-gram use is the LSTM's loss.
  const budgetMs = runBudgetMs(req.minutes, req.epochs, DEFAULT_TRAINING.minutes);
  // Set up only after the n-gram is out: TF.js's set-up would delay the first completions.
  let backend = '';
  let phase: PipelinePhase = 'read';
  const enter = (next: PipelinePhase) => {
    phase = next;
    onEvent({ event: 'phase', phase });
  };
  let model: LstmModel | undefined;
  let vocab = 0;
  let tokens = 0;
  // What a stop returns, whatever the phase: no further work, no further save; the folder
  // holds the last complete model (this run's last checkpoint, or the one from before it).
  const stopped = async (): Promise<PipelineResult> => {
    const kept = await keptModel(req.outDir, startedAt);
    return {
      event: 'done', backend, vocab, tokens, outDir: req.outDir, seconds: (Date.now() - t0) / 1000,
      valid_ppl: kept?.fromThisRun ? kept.validPpl : null, cancelled: true, saved: kept?.fromThisRun ?? false, kept, stoppedIn: phase,
    };
  };
  try {
    enter('read');
    const resume = req.resume ? await openForResume(req.outDir) : undefined;
    const bounded = Number.isFinite(budgetMs);
    // What a budget's share leaves out is said at once (a warning) and in the result and meta.
    const cuts: string[] = [];
    const cutBy = (cut: string | undefined) => {
      if (!cut) return;
      cuts.push(cut);
      onEvent({ event: 'warning', message: cut });
    };
    const text = await readCorpus(req, resume, signal, () => enter('tokenize'), textDeadlines(budgetMs, budget0, now));
    cutBy(text.cut);
    enter('ngram');
    const afforded = affordableDataset(text.dataset, { budgetMs, t0: budget0, now }, signal, resume ? undefined : { minCount: req.minCount, maxSize: req.maxVocab });
    const { dataset } = afforded;
    cutBy(afforded.cut);
    const V = dataset.vocab.size;
    vocab = V;
    onEvent(corpusEvent({ ...text, dataset }));
    // The λ fit scores the LSTM's (smaller) validation sample with the n-gram: this pass's time bounds it.
    const fitted = fitNgram(dataset, onEvent, t0, signal, bounded && !req.validateAll ? NGRAM_VALID_TOKENS : Infinity);
    const { ngram, validPpl: ngramPpl, validTokens: ngramValidTokens, scoreMs: ngramScoreMs } = fitted;
    const cache = fitCacheSettings(ngram, dataset, bounded ? CACHE_FIT_TOKENS : Infinity);
    onNgram?.(ngramSnapshot(text.tokenizer.kind, dataset, ngram, ngramPpl, cache));
    const initialized = await initBackend(req.backend);
    backend = initialized;
    const hyper = lstmHyper(req, resume, V, initialized, dataset.train.length);
    const metrics = await resumedMetrics(resume, hyper, dataset, signal);
    const corpus = afforded.cut ? { ...text.summary, filesUsed: dataset.files.length, trainTokensUsed: dataset.train.length, validTokensUsed: dataset.valid.length } : text.summary;
    const content = { tokenizer: text.tokenizer.kind, hyper, backend: initialized, vocab: dataset.vocab, ngram, ngramFiles: trainFiles(dataset), ngramPpl, cache, corpus, metrics };
    const folder = await ModelFolderWriter.open(req.outDir, content, numberOrNull(resume?.meta.metrics.valid_ppl_lstm), onEvent, {
      signal,
      onSaving: () => enter('save'),
    });
    const lstmBudget = lstmMinutes(budgetMs, now() - budget0, lstmSetupMs(hyper));
    const reserveAfterMs = afterLoopReserve({ hyper, fixedBytes: folder.fixedBytes, ngramScoreMs, lastSaveMs: () => folder.lastSaveMs });
    enter('train');
    const onValidation = (final: boolean) => enter(final ? 'final-validation' : 'validate');
    const trained = await fitLstm(req, { dataset, hyper, resume, backend: initialized }, onEvent, folder.checkpoint, signal, onValidation, {
      minutes: lstmBudget.minutes,
      reserveAfterMs,
    });
    model = trained.model;
    const { result, curve, validation } = trained;
    tokens = result.tokens;
    if (result.cancelled) return await stopped();
    const mix = validation
      ? (enter('fit'), await fitMixture(model, ngram, dataset.valid, onEvent, signal, validation.sample))
      : { lambda: 0.5, validPpl: null, lstmPpl: result.valid_ppl, tokens: 0, sampled: false };
    const seconds = (Date.now() - t0) / 1000;
    await folder.saveFinal(
      model.weights(),
      {
        status: 'done',
        valid_ppl: mix.validPpl,
        valid_ppl_lstm: mix.lstmPpl,
        lambda: mix.lambda,
        tokens: result.tokens,
        seconds,
        train_seconds: result.seconds,
        step: curve.length ? curve[curve.length - 1].step : 0,
        // How the validation figures were computed: on all validation tokens, or a fixed subsample of them.
        valid_tokens: mix.tokens,
        valid_tokens_total: dataset.valid.length,
        valid_ppl_ngram_tokens: ngramValidTokens,
        valid_sampled: mix.sampled ? 'subsample' : 'all',
        budget_seconds: Number.isFinite(budgetMs) ? budgetMs / 1000 : null,
        lstm_budget: lstmBudget.minimal ? 'minimal: reading and the n-gram used the budget' : 'rest of the budget',
        budget_cut: cuts.length ? cuts.join('; ') : null,
      },
      curve,
    );
    const done: PipelineResult = { event: 'done', backend, vocab: V, tokens: result.tokens, outDir: req.outDir, seconds, valid_ppl: mix.validPpl, valid_tokens: mix.tokens, valid_sampled: mix.sampled, saved: true };
    if (lstmBudget.minimal) done.lstm_budget_minimal = true;
    if (cuts.length) done.budget_cut = cuts.join('; ');
    return done;
  } catch (error) {
    if (isStopError(error)) return await stopped();
    throw error;
  } finally {
    model?.dispose();
  }
}
