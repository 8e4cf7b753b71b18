// wordlens eval: perplexity of a model on held-out files, with the mixture the CLI's
// completions use (LSTM + n-gram by the fitted λ), or the LSTM alone with --lstm-only.
import { MODEL_OPTION, type Command } from './command';
import { readTextFile } from './files';
import { openLanguageModel } from './languageModel';
import { fmt, UserError } from './output';
import { encodeText } from '../engine/text/dataset';
import { lstmTokenScores, mixturePerplexity, perplexityOf, scoresAt } from '../engine/lstm/evaluate';
import { isStopError } from '../engine/stop';
import { onInterrupt } from './interrupt';

export const evalCommand: Command = {
  spec: {
    name: 'eval',
    summary: 'Perplexity of a model on text files (lower is better).',
    usage: 'wordlens eval --model DIR <file...> [--lstm-only] [--batch N] [--json]',
    options: {
      model: MODEL_OPTION,
      'lstm-only': { type: 'boolean', description: 'evaluate the LSTM without the n-gram mixture' },
      batch: { type: 'number', integer: true, min: 1, max: 4096, description: 'streams read side by side (10: PyTorch word_language_model\'s eval batch, same scored tokens)', defaultText: '10' },
    },
    positionals: { name: 'files to evaluate', min: 1, max: Infinity },
    details:
      'The files are tokenized with the model\'s tokenizer and read as one text. Words outside the\n' +
      'vocabulary count as <unk> (oov_rate is their share). The text is cut into --batch contiguous\n' +
      'streams (default 10, as PyTorch\'s word_language_model evaluates); the first token of each is\n' +
      'not scored and each starts from a zero state, so another --batch scores a slightly different set.',
  },
  async run(args, out) {
    const texts = await Promise.all(args.positionals.map((f) => readTextFile(f)));
    const lm = await openLanguageModel(args.required('model'), { lstmOnly: args.flag('lstm-only') });
    try {
      const parts = texts.map((t) => encodeText(t, lm.tokenizer, lm.vocab));
      const ids = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        ids.set(p, at);
        at += p.length;
      }
      if (ids.length < 2) throw new UserError(`too little text to evaluate: ${ids.length} token(s)`);
      let unk = 0;
      for (const id of ids) if (id === lm.vocab.unkId) unk++;
      const t0 = Date.now();
      let lastNote = Date.now();
      let scored = 0;
      const abort = new AbortController();
      const stopListening = onInterrupt(out, () => abort.abort(), 'stopping the evaluation');
      let ppl: number;
      let scores: Awaited<ReturnType<typeof lstmTokenScores>>;
      try {
        scores = await lstmTokenScores(lm.lstm, ids, {
          batch: args.number('batch', 10),
          signal: abort.signal,
          onProgress: (done, total) => {
            scored = done;
            if (Date.now() - lastNote < 2000) return;
            lastNote = Date.now();
            out.progress({ event: 'progress', tokens: done, total }, `evaluating: ${Math.round((100 * done) / total)}% of ${fmt(total)} tokens`);
          },
        });
        ppl = lm.ngram && lm.lambda < 1
          ? mixturePerplexity(scores.logProbs, scoresAt(lm.ngram, ids, scores.positions, abort.signal), lm.lambda)
          : perplexityOf(scores.logProbs);
      } catch (error) {
        if (!isStopError(error)) throw error;
        out.result({ cancelled: true, tokens: scored, backend: lm.backend }, `stopped after ${fmt(scored)} tokens: no perplexity`);
        return;
      } finally {
        stopListening();
      }
      const oovRate = unk / ids.length;
      const what = lm.ngram && lm.lambda < 1 ? `LSTM + n-gram (λ = ${fmt(lm.lambda, 3)})` : 'LSTM';
      out.result(
        { ppl, tokens: scores.logProbs.length, oov_rate: oovRate, backend: lm.backend, kernels: scores.kernels },
        `perplexity ${fmt(ppl)} (${what}) over ${fmt(scores.logProbs.length)} tokens, ` +
          `${fmt(100 * oovRate, 3)}% <unk>, ${fmt((Date.now() - t0) / 1000, 2)} s on ${scores.kernels === 'fused' ? 'the fused wasm kernels' : lm.backend}`,
      );
    } finally {
      lm.dispose();
    }
  },
};
