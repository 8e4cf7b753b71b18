// The whole training run, shared by the CLI (`wordlens train --model lstm`) and the language
// server, run in a worker thread by pipelineJob.ts: corpus → dataset → Kneser-Ney n-gram
// (instant, saved beside the LSTM) → LSTM with checkpoints of the best weights → mixture
// weight λ fitted on the validation text → atomic save. Fitting is fit.ts, saving save.ts;
// this composes them. It reports through callbacks and stops on an AbortSignal, keeping the
// best model so far.
import { initBackend } from '../kernels/backend';
import { corpusEvent, type PipelineEvent, type PipelineRequest, type PipelineResult } from './contract';
import { fitLstm, fitMixture, fitNgram, lstmHyper, numberOrNull, openForResume, readCorpus, resumedMetrics } from './fit';
import { ModelFolderWriter } from './save';
import { afterLoopReserve, lstmMinutes, NGRAM_VALID_TOKENS, runBudgetMs } from './budget';
import { DEFAULT_TRAINING } from '../lstm/train';

export { PipelineError } from '../text/trainingText';
export { NGRAM_ORDER } from './fit';
export { corpusEvent, type CorpusEvent, type PipelineEvent, type PipelineRequest, type PipelineResult } from './contract';

export async function runPipeline(
  req: PipelineRequest,
  onEvent: (e: PipelineEvent) => void = () => undefined,
  signal?: AbortSignal,
): Promise<PipelineResult> {
  const t0 = Date.now();
  // The budget covers the whole run: what reading and the n-gram use is the LSTM's loss.
  const budgetMs = runBudgetMs(req.minutes, req.epochs, DEFAULT_TRAINING.minutes);
  const backend = await initBackend(req.backend);
  const resume = req.resume ? await openForResume(req.outDir) : undefined;
  const text = await readCorpus(req, resume, signal);
  const { dataset } = text;
  const V = dataset.vocab.size;
  onEvent(corpusEvent(text));
  const hyper = lstmHyper(req, resume, V, backend);
  // The λ fit scores the LSTM's (smaller) validation sample with the n-gram: this pass's time bounds it.
  const fitted = fitNgram(dataset, onEvent, t0, Number.isFinite(budgetMs) ? NGRAM_VALID_TOKENS : Infinity);
  const { ngram, validPpl: ngramPpl, validTokens: ngramValidTokens, scoreMs: ngramScoreMs } = fitted;
  const folder = await ModelFolderWriter.open(
    req.outDir,
    { tokenizer: text.tokenizer.kind, hyper, backend, vocab: dataset.vocab, ngram, ngramPpl, corpus: text.summary, metrics: await resumedMetrics(resume, hyper, dataset) },
    numberOrNull(resume?.meta.metrics.valid_ppl_lstm),
    onEvent,
  );
  const lstmBudget = lstmMinutes(budgetMs, Date.now() - t0);
  const reserveAfterMs = afterLoopReserve({ hyper, fixedBytes: folder.fixedBytes, ngramScoreMs, lastSaveMs: () => folder.lastSaveMs });
  const { model, result, curve, validation } = await fitLstm(req, { dataset, hyper, resume }, onEvent, folder.checkpoint, signal, {
    minutes: lstmBudget.minutes,
    reserveAfterMs,
  });
  try {
    const base = { event: 'done' as const, backend, vocab: V, tokens: result.tokens, outDir: req.outDir };
    if (result.cancelled && !folder.checkpointed && folder.hadModel) {
      // Stopped before this run's first checkpoint: a barely trained LSTM must not replace the model there.
      return { ...base, seconds: (Date.now() - t0) / 1000, valid_ppl: null, cancelled: true, saved: false };
    }
    // A cancelled run skips the fit, which reads all validation text, unless asked (fitAfterCancel).
    const mix = validation && (!result.cancelled || req.fitAfterCancel)
      ? await fitMixture(model, ngram, dataset.valid, onEvent, validation.sample)
      : { lambda: 0.5, validPpl: null, lstmPpl: result.valid_ppl, tokens: validation?.sample.ids.length ?? 0, sampled: !(validation?.sample.whole ?? true) };
    const seconds = (Date.now() - t0) / 1000;
    await folder.saveFinal(
      model.weights(),
      {
        status: result.cancelled ? 'cancelled' : 'done',
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
      },
      curve,
    );
    const done: PipelineResult = { ...base, seconds, valid_ppl: mix.validPpl, valid_tokens: mix.tokens, valid_sampled: mix.sampled, saved: true };
    if (lstmBudget.minimal) done.lstm_budget_minimal = true;
    if (result.cancelled) done.cancelled = true;
    return done;
  } finally {
    model.dispose();
  }
}
