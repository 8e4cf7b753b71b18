// wordlens complete: the completion the editor would show at an offset of a file.
import { MODEL_OPTION, type Command } from './command';
import { readTextFile } from './files';
import { openLanguageModel } from './languageModel';
import { fmt, UserError } from './output';
import { complete } from '../engine/decode/complete';

export const completeCommand: Command = {
  spec: {
    name: 'complete',
    summary: 'Complete the text of a file at an offset, as the editor\'s inline completion does.',
    usage: 'wordlens complete --model DIR --file F --offset N [--multiline] [--max-tokens N] [--json]',
    options: {
      model: MODEL_OPTION,
      file: { type: 'string', valueName: 'F', description: 'the file being edited', required: true },
      offset: { type: 'number', integer: true, min: 0, description: 'cursor position in UTF-16 code units from the start (VS Code\'s document.offsetAt)', required: true },
      'max-tokens': { type: 'number', integer: true, min: 1, max: 1000, description: 'longest completion in tokens', defaultText: '16' },
      multiline: { type: 'boolean', description: 'continue past the end of the line' },
      beam: { type: 'number', integer: true, min: 1, max: 16, description: 'beam width (1 = greedy)', defaultText: '1' },
      temperature: { type: 'number', min: 0, description: 'sample at this temperature instead of the most probable text', defaultText: '0' },
      seed: { type: 'number', integer: true, description: 'random seed when sampling' },
      'lstm-only': { type: 'boolean', description: 'use the LSTM without the n-gram mixture' },
    },
    positionals: { name: 'nothing', min: 0, max: 0 },
  },
  async run(args, out) {
    const file = args.required('file');
    const text = await readTextFile(file);
    const offset = args.number('offset', 0);
    if (offset > text.length) throw new UserError(`--offset ${offset} is past the end of ${file} (${text.length} characters)`);
    const lm = await openLanguageModel(args.required('model'), { lstmOnly: args.flag('lstm-only') });
    try {
      const r = await complete(lm.model, lm.tokenizer, lm.vocab, text.slice(0, offset), {
        maxTokens: args.number('max-tokens', 16),
        multiline: args.flag('multiline'),
        beamWidth: args.number('beam', 1),
        temperature: args.number('temperature', 0),
        seed: args.number('seed'),
      });
      out.result(
        { completion: r.completion, ms: r.ms },
        r.completion === '' ? `(no completion; ${fmt(r.ms, 3)} ms)` : `${r.completion}\n(${r.tokens} tokens, ${fmt(r.ms, 3)} ms)`,
      );
    } finally {
      lm.dispose();
    }
  },
};
