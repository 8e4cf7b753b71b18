// wordlens wordsim: Spearman correlation of the model's cosine similarities with human
// judgements (WordSim-353 style TSV), as gensim's evaluate_word_pairs computes it.
import { MODEL_OPTION, type Command } from './command';
import { openEmbeddings } from './embeddings';
import { readTextFile } from './files';
import { fmt } from './output';
import { caseInsensitiveLookup, evaluateWordPairs } from '../engine/embeddings/wordsim';

export const wordsimCommand: Command = {
  spec: {
    name: 'wordsim',
    summary: 'Score embeddings on word-pair similarity judgements (Spearman, as gensim).',
    usage: 'wordlens wordsim --model DIR <pairs.tsv> [--json]',
    options: {
      model: MODEL_OPTION,
    },
    positionals: { name: 'pairs file (word1<TAB>word2<TAB>score per line, # comments)', min: 1, max: 1 },
  },
  async run(args, out) {
    const text = await readTextFile(args.positionals[0], 'pairs file');
    const e = await openEmbeddings(args.required('model'));
    e.index.dispose();
    const r = evaluateWordPairs(text, caseInsensitiveLookup(e.words, e.matrix, e.dim));
    out.result(
      { spearman: r.spearman, pairs: r.pairs, oov: r.oov },
      `Spearman ${fmt(r.spearman)} over ${r.pairs} pairs (${fmt(r.oov, 3)}% of pairs out of vocabulary)`,
    );
  },
};
