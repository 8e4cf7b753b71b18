// `wordlens train --model lstm`: the training pipeline (engine/pipeline.ts) in a worker thread,
// its events as progress lines, Ctrl-C or SIGTERM as a stop that keeps what was saved (a second
// one quits: exit 130). valid_ppl in the done line is the model `eval`/`complete` use.
import type { CorpusEvent, PipelineEvent, PipelineRequest } from '../engine/pipeline/pipeline';
import { startPipelineJob, type PipelineJob } from '../engine/pipeline/pipelineJob';
import type { KeptModel, TrainProgress, TrainResult } from '../engine/types';
import { describeKept } from '../engine/pipeline/keptModel';
import { onInterrupt } from './interrupt';
import { fmt, UserError, type Output } from './output';

export async function trainLstmModel(request: PipelineRequest, out: Output): Promise<void> {
  let job: PipelineJob | undefined;
  // Every phase polls for the stop (within 250 ms of work), so the first Ctrl-C ends the run in moments.
  const stopListening = onInterrupt(out, () => job?.cancel(), 'stopping: keeping what was saved');
  try {
    job = startPipelineJob(request, (e) => report(e, request.outDir, out));
    const result = await job.done.catch((error: Error) => {
      // The pipeline's own errors (nothing to train on, a model too big, a folder that cannot be resumed) are the user's to fix.
      if (['PipelineError', 'ModelLoadError'].includes(error.name)) throw new UserError(error.message);
      throw error;
    });
    // The done line is the CLI's contract: exactly these fields (and `kept` after a stop).
    const { backend, vocab, tokens, seconds, valid_ppl: validPpl } = result;
    const done: TrainResult & { kept?: KeptModel | null; valid_tokens?: number; valid_sampled?: boolean; lstm_budget_minimal?: boolean; budget_cut?: string } = { event: 'done', backend, vocab, tokens, seconds, valid_ppl: validPpl };
    // How valid_ppl was computed: on how many validation tokens, a subsample or all of them.
    if (result.valid_tokens !== undefined) Object.assign(done, { valid_tokens: result.valid_tokens, valid_sampled: result.valid_sampled });
    if (result.lstm_budget_minimal) done.lstm_budget_minimal = true;
    if (result.budget_cut) done.budget_cut = result.budget_cut;
    if (result.cancelled) {
      done.cancelled = true;
      done.kept = result.kept ?? null;
      out.result(done, `stopped: ${describeKept(result.kept ?? null)}${result.kept ? ` in ${request.outDir}` : ''}`);
      return;
    }
    out.result(
      done,
      `saved the model to ${request.outDir}: ` +
        `vocabulary ${fmt(vocab)}, ${fmt(tokens)} tokens trained in ${fmt(seconds, 3)} s on ${backend}` +
        (validPpl === null ? ' (no validation text: perplexity unknown)' : `, validation perplexity ${fmt(validPpl)}`) +
        (result.valid_sampled ? ` on a subsample of ${fmt(result.valid_tokens ?? 0)} tokens (the budget's share)` : '') +
        (result.lstm_budget_minimal ? '; reading and the n-gram used the budget, the LSTM got a minimal share' : '') +
        (result.budget_cut ? `; ${result.budget_cut}` : ''),
    );
  } finally {
    stopListening();
  }
}

/** A pipeline event as the CLI's progress line (its --json shape predates the pipeline: snake_case). */
function report(e: PipelineEvent, dir: string, out: Output): void {
  switch (e.event) {
    case 'corpus':
      reportCorpus(e, out);
      return;
    case 'ngram':
      out.progress(
        { event: 'ngram', order: e.order, valid_ppl: e.validPpl, seconds: e.seconds },
        `built the ${e.order}-gram model${e.validPpl === null ? '' : `: validation perplexity ${fmt(e.validPpl)}`}`,
      );
      return;
    case 'progress':
      out.progress(e, progressLine(e));
      return;
    case 'checkpoint':
      out.progress({ event: 'checkpoint', step: e.step, valid_ppl: e.validPpl, dir }, `checkpoint saved to ${dir}`);
      return;
    case 'fitting':
      out.note('fitting the LSTM / n-gram mixture on the validation text...');
      return;
    case 'interpolation':
      out.progress(
        { event: 'interpolation', lambda: e.lambda, valid_ppl: e.validPpl, valid_ppl_lstm: e.validPplLstm, valid_ppl_ngram: e.validPplNgram },
        `mixture: λ = ${fmt(e.lambda, 3)} (LSTM ${fmt(e.validPplLstm)}, n-gram ${fmt(e.validPplNgram)}, mixed ${fmt(e.validPpl)})`,
      );
      return;
    case 'warning':
      out.note(e.message);
      return;
    case 'phase':
      // The long passes over the validation text get a line; the other phases have their own events.
      if (e.phase === 'final-validation') out.note('final validation of the LSTM (full softmax)...');
      return;
  }
}

export function reportCorpus(e: CorpusEvent, out: Output): void {
  const skipped = Object.entries(e.skippedCounts).map(([r, n]) => `${n} ${r}`).join(', ');
  out.progress(
    { event: 'corpus', files: e.files, bytes: e.bytes, skipped: e.skippedCounts, tokens: e.tokens, vocab: e.vocab },
    `read ${fmt(e.files)} file(s), ${fmt(e.bytes)} bytes${skipped ? ` (skipped ${skipped})` : ''}: ` +
      `${fmt(e.trainTokens)} training + ${fmt(e.validTokens)} validation tokens, vocabulary ${fmt(e.vocab)}`,
  );
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
