// wordlens neighbors: the k nearest words to a word in the embedding space.
import type { Command } from './command';
import { openEmbeddings, requireWord } from './embeddings';
import { fmt } from './output';
import type { Metric } from '../engine/types';
import { UNK } from '../engine/types';

export const neighborsCommand: Command = {
  spec: {
    name: 'neighbors',
    summary: 'The nearest words to a word in a model\'s embedding space.',
    usage: 'wordlens neighbors --model DIR <word> [--k 10] [--metric cosine|euclidean] [--json]',
    options: {
      model: { type: 'string', valueName: 'DIR', description: 'model folder', required: true },
      k: { type: 'number', integer: true, min: 1, description: 'how many neighbours', defaultText: '10' },
      metric: { type: 'string', choices: ['cosine', 'euclidean'], description: 'similarity (higher is nearer) or distance (lower is nearer)', defaultText: 'cosine' },
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
    const neighbors = e.index.nearest(word, k, metric, new Set(unk === undefined ? [] : [unk])).map((n) => ({ word: n.word, score: n.score }));
    e.index.dispose();
    const header = `Nearest to "${word}" (${metric === 'cosine' ? 'cosine similarity' : 'euclidean distance'}):`;
    out.result({ word, neighbors }, [header, ...neighbors.map((n) => `  ${fmt(n.score).padStart(8)}  ${n.word}`)].join('\n'));
  },
};
