// `wordlens`: the command-line face of the engine. Each command lives in src/cli/<name>.ts
// and is required only when run, so `wordlens --help` does not start TensorFlow.js.
import { helpText, parseArgs } from './cli/args';
import type { Command } from './cli/command';
import { Output, UsageError, describeError } from './cli/output';

const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  train: { summary: 'train a language model or embeddings on text', load: () => (require('./cli/train') as typeof import('./cli/train')).trainCommand },
  eval: { summary: 'perplexity of a model on text files', load: () => (require('./cli/eval') as typeof import('./cli/eval')).evalCommand },
  complete: { summary: 'complete a file at an offset', load: () => (require('./cli/complete') as typeof import('./cli/complete')).completeCommand },
  generate: { summary: 'generate text from a model', load: () => (require('./cli/generate') as typeof import('./cli/generate')).generateCommand },
  export: { summary: 'write embeddings as word2vec, GloVe or TSV', load: () => (require('./cli/export') as typeof import('./cli/export')).exportCommand },
  import: { summary: 'make a model folder from a vectors file', load: () => (require('./cli/import') as typeof import('./cli/import')).importCommand },
  tokenize: { summary: 'write the token ids train would see, for a trainer elsewhere', load: () => (require('./cli/tokenize') as typeof import('./cli/tokenize')).tokenizeCommand },
  'add-ngram': { summary: 'add the n-gram and mixture to a model trained elsewhere', load: () => (require('./cli/addNgram') as typeof import('./cli/addNgram')).addNgramCommand },
  lsp: { summary: 'run the language server', load: () => (require('./cli/lsp') as typeof import('./cli/lsp')).lspCommand },
  neighbors: { summary: 'nearest words to a word', load: () => (require('./cli/neighbors') as typeof import('./cli/neighbors')).neighborsCommand },
  analogy: { summary: 'a is to b as c is to ?', load: () => (require('./cli/analogy') as typeof import('./cli/analogy')).analogyCommand },
  project: { summary: 'write 2-D/3-D map coordinates (PCA, UMAP)', load: () => (require('./cli/project') as typeof import('./cli/project')).projectCommand },
  wordsim: { summary: 'score embeddings on word-pair judgements', load: () => (require('./cli/wordsim') as typeof import('./cli/wordsim')).wordsimCommand },
};

function globalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'wordlens: a language model of your own text, trained and used locally.',
    '',
    'Usage: wordlens <command> [options]      (wordlens <command> --help for its options)',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json: one JSON object per line, the last one the result.',
    '',
  ].join('\n');
}

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs one command line; returns the exit code. Streams are injectable for tests. */
export async function main(argv: readonly string[], io: Streams = process): Promise<number> {
  const json = argv.includes('--json');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(globalHelp());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      io.stdout.write(`${require('../package.json').version}\n`);
      return 0;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    const command = entry.load();
    const args = parseArgs(command.spec, rest);
    if (args.flag('help')) {
      io.stdout.write(helpText(command.spec));
      return 0;
    }
    await command.run(args, new Output(json, io.stdout, io.stderr));
    return 0;
  } catch (err) {
    const { text, exitCode } = describeError(err, process.env.WORDLENS_DEBUG === '1');
    io.stderr.write(text + '\n');
    return exitCode;
  }
}

// Runs when executed directly or through bin/wordlens.js (which requires this module).
if (require.main === module || /[\\/]wordlens\.js$/.test(require.main?.filename ?? '')) {
  main(process.argv.slice(2)).then((code) => {
    // Exit explicitly once output is flushed: TF.js backends may keep the event loop alive.
    process.stdout.write('', () => process.exit(code));
  });
}
