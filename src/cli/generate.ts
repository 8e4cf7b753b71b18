// wordlens generate: sample text from a model, streamed to stdout as it is produced.
import { MODEL_OPTION, type Command } from './command';
import { openLanguageModel } from './languageModel';
import { fmt, UserError } from './output';
import { generate, StopRules } from '../engine/decode/generate';
import { tokenStartsWith } from '../engine/text/tokenizer';

export const generateCommand: Command = {
  spec: {
    name: 'generate',
    summary: 'Generate text from a model, optionally continuing a prompt.',
    usage: 'wordlens generate --model DIR [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--json]',
    options: {
      model: MODEL_OPTION,
      prompt: { type: 'string', valueName: 'TEXT', description: 'text to continue', defaultText: 'none' },
      tokens: { type: 'number', integer: true, min: 1, max: 100000, description: 'tokens to generate', defaultText: '50' },
      temperature: { type: 'number', min: 0, description: '0 = always the most probable token; higher = more varied', defaultText: '1' },
      'top-k': { type: 'number', integer: true, min: 1, description: 'sample only among the k most probable tokens' },
      'top-p': { type: 'number', min: 0.000001, max: 1, description: 'sample only among the most probable tokens holding this much probability' },
      seed: { type: 'number', integer: true, description: 'random seed, for reproducible samples', defaultText: 'random' },
      'lstm-only': { type: 'boolean', description: 'use the LSTM without the n-gram mixture' },
    },
    positionals: { name: 'nothing', min: 0, max: 0 },
  },
  async run(args, out) {
    const lm = await openLanguageModel(args.required('model'), { lstmOnly: args.flag('lstm-only') });
    try {
      const prompt = args.string('prompt', '');
      const { tokens: promptTokens, partial } = lm.tokenizer.prefix(prompt);
      let state = lm.model.initialState();
      for (const t of promptTokens) state = lm.model.advance(state, lm.vocab.id(t));
      // A prompt ending inside a word is continued from that word's possible completions.
      let firstAllow: Set<number> | undefined;
      if (partial) {
        firstAllow = new Set();
        for (let id = 0; id < lm.vocab.size; id++) if (id !== lm.vocab.unkId && tokenStartsWith(lm.vocab.word(id), partial)) firstAllow.add(id);
        if (firstAllow.size === 0) {
          firstAllow = undefined;
          promptTokens.push(partial);
          state = lm.model.advance(state, lm.vocab.id(partial));
        }
      }
      const shownPrompt = lm.tokenizer.detokenize(promptTokens);
      const t0 = Date.now();
      const generated: string[] = [];
      let printed = '';
      out.stream(prompt);
      const stream = generate(lm.model, state, {
        maxTokens: args.number('tokens', 50),
        temperature: args.number('temperature', 1),
        topK: args.number('top-k'),
        topP: args.number('top-p'),
        seed: args.number('seed'),
        firstAllow,
        stop: new StopRules(lm.vocab, true, partial && firstAllow ? partial.length : 0),
      });
      for await (const token of stream) {
        generated.push(lm.vocab.word(token.id));
        const text = continuation(lm.tokenizer.detokenize([...promptTokens, ...generated]), shownPrompt, partial && firstAllow ? partial : '');
        if (text.startsWith(printed)) out.stream(text.slice(printed.length));
        printed = text;
      }
      if (generated.length === 0 && !out.json) throw new UserError('the model produced nothing for this prompt');
      const ms = Date.now() - t0;
      out.result(
        { prompt, text: printed, tokens: generated.length, ms },
        `\n\n(${generated.length} tokens in ${fmt(ms)} ms${lm.ngram ? `, LSTM + n-gram λ = ${fmt(lm.lambda, 3)}` : ''})`,
      );
    } finally {
      lm.dispose();
    }
  },
};

/** The generated text after the prompt; a partial word already typed is not repeated. */
function continuation(full: string, prompt: string, partial: string): string {
  const rest = full.startsWith(prompt) ? full.slice(prompt.length) : full;
  if (!partial) return rest;
  // The first generated token completes the typed partial word: drop what was typed.
  const at = rest.indexOf(partial);
  return at >= 0 && rest.slice(0, at).trim() === '' ? rest.slice(at + partial.length) : rest;
}
