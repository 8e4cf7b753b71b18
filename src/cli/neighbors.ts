// wordlens neighbors: the k nearest words to a word in the embedding space.
import { countOption, MODEL_OPTION, scoredLines, type Command } from './command';
import { openEmbeddings, requireWord } from './embeddings';
import type { Metric } from '../engine/types';
import { UNK } from '../engine/types';

export const neighborsCommand: Command = {
  spec: {
    name: 'neighbors',
    summary: 'The nearest words to a word in a model\'s embedding space.',
    usage: 'wordlens neighbors --model DIR <word> [--k 10] [--metric cosine|euclidean] [--exact] [--json]',
    options: {
      model: MODEL_OPTION,
      k: countOption('neighbours'),
      metric: { type: 'string', choices: ['cosine', 'euclidean'], description: 'similarity (higher is nearer) or distance (lower is nearer)', defaultText: 'cosine' },
      exact: { type: 'boolean', description: 'search every word even where the folder has an approximate index (large imports)' },
    },
    positionals: { name: 'word', min: 1, max: 1 },
  },
  async run(args, out) {
    const e = await openEmbeddings(args.required('model'));
    const word = args.positionals[0];
    requireWord(e, word);
    const metric = args.string('metric', 'cosine') as Metric;
    const k = Math.min(args.number('k', 10), e.words.length - 1);
    const unk = e.index.idOf(UNK);
    // `<unk>` is every rare word at once, not a word: never an answer.
    const neighbors = e.index.nearest(word, k, metric, new Set(unk === undefined ? [] : [unk]), args.flag('exact')).map((n) => ({ word: n.word, score: n.score }));
    e.index.dispose();
    const header = `Nearest to "${word}" (${metric === 'cosine' ? 'cosine similarity' : 'euclidean distance'}):`;
    out.result({ word, neighbors }, scoredLines(header, neighbors));
  },
};
