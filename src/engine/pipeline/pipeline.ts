// The whole training run, shared by the CLI (`wordlens train --model lstm`) and the language
// server, run in a worker thread by pipelineJob.ts: corpus → dataset → Kneser-Ney n-gram
// (instant, saved beside the LSTM) → LSTM with checkpoints of the best weights → mixture
// weight λ fitted on the validation text → atomic save. Fitting is fit.ts, saving save.ts;
// this composes them. It reports through callbacks and stops on an AbortSignal, keeping the
// best model so far.
import { initBackend } from '../kernels/backend';
import { corpusEvent, type NgramSnapshot, type PipelineEvent, type PipelineRequest, type PipelineResult } from './contract';
import { fitCacheSettings, ngramSnapshot } from './servable';
import { fitLstm, fitMixture, fitNgram, lstmHyper, numberOrNull, openForResume, readCorpus, resumedMetrics } from './fit';
import { ModelFolderWriter } from './save';

export { PipelineError } from '../text/trainingText';
export { NGRAM_ORDER } from './fit';
export { corpusEvent, type CorpusEvent, type NgramSnapshot, type PipelineEvent, type PipelineRequest, type PipelineResult } from './contract';

export async function runPipeline(
  req: PipelineRequest,
  onEvent: (e: PipelineEvent) => void = () => undefined,
  signal?: AbortSignal,
  /** Given the n-gram half as soon as it is built (the server serves it while the LSTM trains). */
  onNgram?: (snapshot: NgramSnapshot) => void,
): Promise<PipelineResult> {
  const t0 = Date.now();
  const resume = req.resume ? await openForResume(req.outDir) : undefined;
  const text = await readCorpus(req, resume, signal);
  const { dataset } = text;
  const V = dataset.vocab.size;
  onEvent(corpusEvent(text));
  const hasValid = dataset.valid.length >= 2;
  const { ngram, validPpl: ngramPpl } = fitNgram(dataset, onEvent, t0);
  const cache = fitCacheSettings(ngram, dataset);
  onNgram?.(ngramSnapshot(text.tokenizer.kind, dataset, ngram, ngramPpl, cache));
  // The TF.js backend only after the n-gram is out: its set-up would delay the first completions.
  const backend = await initBackend(req.backend);
  const hyper = lstmHyper(req, resume, V, backend);
  const folder = await ModelFolderWriter.open(
    req.outDir,
    { tokenizer: text.tokenizer.kind, hyper, backend, vocab: dataset.vocab, ngram, ngramPpl, cache, corpus: text.summary, metrics: await resumedMetrics(resume, hyper, dataset) },
    numberOrNull(resume?.meta.metrics.valid_ppl_lstm),
    onEvent,
  );
  const { model, result, curve } = await fitLstm(req, { dataset, hyper, resume }, onEvent, folder.checkpoint, signal);
  try {
    const base = { event: 'done' as const, backend, vocab: V, tokens: result.tokens, outDir: req.outDir };
    if (result.cancelled && !folder.checkpointed && folder.hadModel) {
      // Stopped before this run's first checkpoint: a barely trained LSTM must not replace the model there.
      return { ...base, seconds: (Date.now() - t0) / 1000, valid_ppl: null, cancelled: true, saved: false };
    }
    // A cancelled run skips the fit, which reads all validation text, unless asked (fitAfterCancel).
    const mix = hasValid && (!result.cancelled || req.fitAfterCancel) ? await fitMixture(model, ngram, dataset.valid, onEvent) : { lambda: 0.5, validPpl: null, lstmPpl: result.valid_ppl };
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
      },
      curve,
    );
    const done: PipelineResult = { ...base, seconds, valid_ppl: mix.validPpl, saved: true };
    if (result.cancelled) done.cancelled = true;
    return done;
  } finally {
    model.dispose();
  }
}
