// wordlens analogy: a is to b as c is to ? (nearest words to b - a + c).
import { countOption, MODEL_OPTION, scoredLines, type Command } from './command';
import { openEmbeddings, requireWord } from './embeddings';
import type { AnalogyMethod } from '../engine/embeddings/neighbors';
import { UNK } from '../engine/types';

export const analogyCommand: Command = {
  spec: {
    name: 'analogy',
    summary: 'Solve "a is to b as c is to ?" with the model\'s embeddings (nearest to b - a + c).',
    usage: 'wordlens analogy --model DIR <a> <b> <c> [--k 10] [--method 3cosadd|3cosmul] [--json]',
    options: {
      model: MODEL_OPTION,
      k: countOption('answers'),
      method: { type: 'string', choices: ['3cosadd', '3cosmul'], description: 'analogy objective (Levy & Goldberg 2014)', defaultText: '3cosadd' },
    },
    positionals: { name: 'the words a, b and c', min: 3, max: 3 },
    details: 'Example: wordlens analogy --model m man king woman   ->  queen',
  },
  async run(args, out) {
    const e = await openEmbeddings(args.required('model'));
    const [a, b, c] = args.positionals;
    for (const w of [a, b, c]) requireWord(e, w);
    const method = args.string('method', '3cosadd') as AnalogyMethod;
    const k = Math.min(args.number('k', 10), Math.max(1, e.words.length - 4));
    const neighbors = e.index
      .analogy(a, b, c, k + 1, method)
      .filter((n) => n.word !== UNK) // every rare word at once, not an answer
      .slice(0, k)
      .map((n) => ({ word: n.word, score: n.score }));
    e.index.dispose();
    out.result({ a, b, c, method, neighbors }, scoredLines(`"${a}" is to "${b}" as "${c}" is to:`, neighbors));
  },
};
