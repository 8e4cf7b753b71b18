// wordlens train: read text, build the vocabulary, and train an LSTM language model (with a
// Kneser-Ney n-gram beside it) or skip-gram embeddings into a model folder.
import * as fsp from 'node:fs/promises';
import type { Command } from './command';
import type { TokenizerKind } from '../engine/types';
import { trainLstmModel } from './trainLstm';
import type { Args } from './args';
import { UserError } from './output';
import { checkOutputFolder, reason } from './files';
import { trainSkipgramModel } from './trainSkipgram';

export const trainCommand: Command = {
  spec: {
    name: 'train',
    summary: 'Train a model on files and folders of text and save it to a model folder.',
    usage:
      'wordlens train <path...> --out DIR [--tokenizer code|whitespace] [--model lstm|skipgram] [--minutes M] [--epochs N] [--json]',
    options: {
      out: { type: 'string', valueName: 'DIR', description: 'model folder to write (replaced atomically)', required: true },
      tokenizer: { type: 'string', choices: ['code', 'whitespace'], description: 'code: identifiers, punctuation, newlines (reversible); whitespace: words + <eos> per line', defaultText: 'code' },
      model: { type: 'string', choices: ['lstm', 'skipgram'], description: 'language model, or embeddings only', defaultText: 'lstm' },
      minutes: { type: 'number', min: 0.01, description: 'wall-clock budget', defaultText: '5 (lstm), 2 (skipgram) unless --epochs is given' },
      epochs: { type: 'number', integer: true, min: 1, description: 'passes over the training text (the budget ends training first if smaller)', defaultText: 'as many as the budget allows (lstm), 40 (skipgram, window 10)' },
      'min-count': { type: 'number', integer: true, min: 1, description: 'words seen fewer times become <unk> (skipgram: are left out)', defaultText: '1 (lstm), 3 (skipgram)' },
      'max-vocab': { type: 'number', integer: true, min: 2, description: 'keep only the most frequent words' },
      dim: { type: 'number', integer: true, min: 1, max: 2048, description: 'embedding size (lstm: also the hidden size)', defaultText: '200' },
      layers: { type: 'number', integer: true, min: 1, max: 4, description: 'LSTM layers', defaultText: '1' },
      dropout: { type: 'number', min: 0, max: 0.9, description: 'LSTM dropout', defaultText: 'by corpus size and width: 0.4 at width 200 up to 500k tokens, falling to 0.2 at 5M' },
      seed: { type: 'number', integer: true, description: 'random seed', defaultText: '1' },
      resume: { type: 'boolean', description: 'continue training the LSTM already in --out (same vocabulary and hyper-parameters)' },
      'max-file-kb': { type: 'number', min: 1, description: 'skip files larger than this inside folders (named files are always read)', defaultText: '1024' },
    },
    positionals: { name: 'files or folders to train on', min: 1, max: Infinity },
    details:
      'The last 10% of each file\'s lines is held out for validation. For lstm, the n-gram model is built\n' +
      'first (instant), the LSTM is checkpointed into --out whenever it improves, and the two are mixed\n' +
      'with a weight fitted on the validation text. Ctrl-C stops in any phase within seconds and keeps what was\n' +
      'saved (the last checkpoint, or the model that was there); a second Ctrl-C quits at once.',
  },
  async run(args, out) {
    const kind = args.string('model', 'lstm') as 'lstm' | 'skipgram';
    const outDir = args.required('out');
    await checkOutputFolder(outDir);
    const resume = args.flag('resume');
    if (resume) checkResumeOptions(args, kind);
    for (const root of args.positionals) {
      await fsp.stat(root).catch((err) => {
        throw new UserError(`cannot read ${root}: ${reason(err)}`);
      });
    }
    const request = {
      roots: args.positionals,
      tokenizer: args.string('tokenizer', 'code') as TokenizerKind,
      outDir,
      minutes: args.number('minutes'),
      epochs: args.number('epochs'),
      dim: args.number('dim'),
      seed: args.number('seed'),
      maxVocab: args.number('max-vocab'),
      maxFileBytes: args.has('max-file-kb') ? args.number('max-file-kb', 1024) * 1024 : undefined,
    };
    if (kind === 'skipgram') await trainSkipgramModel({ ...request, minCount: args.number('min-count', 3) }, out);
    else await trainLstmModel({ ...request, minCount: args.number('min-count'), layers: args.number('layers'), dropout: args.number('dropout'), resume }, out);
  },
};

/** Resuming keeps the saved model's tokenizer, vocabulary and shape: options that would change them are refused. */
function checkResumeOptions(args: Args, kind: string): void {
  if (kind !== 'lstm') throw new UserError('--resume continues an LSTM; skip-gram trains from scratch');
  for (const option of ['tokenizer', 'dim', 'layers', 'dropout', 'min-count', 'max-vocab']) {
    if (args.has(option)) throw new UserError(`--${option} cannot change when resuming: the model in ${args.required('out')} keeps its own`);
  }
}
