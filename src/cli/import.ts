// wordlens import: word vectors from word2vec, GloVe, fastText or projector TSV files as a
// model folder (streamed: the matrix goes straight to disk), so neighbors, analogy, wordsim, project and the map work on them.
import type { Command } from './command';
import { isStopError } from '../engine/stop';
import { fmt, UserError } from './output';
import { importVectors } from '../engine/io/importVectors';
import { VECTOR_FORMATS, type VectorFormat } from '../engine/io/vectors';
import { UNK, type TokenizerKind } from '../engine/types';
import { checkOutputFolder, reason } from './files';
import { onInterrupt } from './interrupt';
import { initBackend } from '../engine/kernels/backend';

const INDEX_STAGES = { kmeans: 'clustering, round', assign: 'listing words', tune: 'tuning against exact search, words' } as const;
import * as fsp from 'node:fs/promises';

export const importCommand: Command = {
  spec: {
    name: 'import',
    summary: 'Make a model folder from a word-vectors file.',
    usage: 'wordlens import PATH --format word2vec|word2vec-bin|glove|fasttext|tsv --out DIR [--json]',
    options: {
      format: { type: 'string', choices: [...VECTOR_FORMATS], description: 'file format', defaultText: 'guessed from the file' },
      out: { type: 'string', valueName: 'DIR', description: 'model folder to write (replaced atomically)', required: true },
      tokenizer: { type: 'string', choices: ['whitespace', 'code'], description: 'how text is split into these words', defaultText: 'whitespace' },
    },
    positionals: { name: 'the vectors file', min: 1, max: 1 },
    details: 'For tsv, the words are read from metadata.tsv beside vectors.tsv (x.tsv -> x.metadata.tsv).',
  },
  async run(args, out) {
    const file = args.positionals[0];
    const outDir = args.required('out');
    await checkOutputFolder(outDir);
    await fsp.access(file).catch((err) => {
      throw new UserError(`cannot read vectors file ${file}: ${reason(err)}`);
    });
    const format = args.string('format') as VectorFormat | undefined;
    const controller = new AbortController();
    const stopInterrupt = onInterrupt(out, () => controller.abort(), 'stopping the import; the output folder is left as it was');
    const started = Date.now();
    await initBackend(); // the neighbour index of a large import is built with TF.js matMuls
    let result;
    try {
      result = await importVectors(file, outDir, {
        format,
        tokenizer: args.string('tokenizer', 'whitespace') as TokenizerKind,
        signal: controller.signal,
        onProgress: (done, total) =>
          out.progress({ event: 'progress', fraction: done / total, bytes: done, total }, `importing ${Math.floor((done / total) * 100)}% of ${fmt(Math.round(total / 1e6))} MB`),
        onIndexProgress: (stage, done, total) =>
          out.progress({ event: 'progress', stage: `index-${stage}`, done, total }, `neighbour index: ${INDEX_STAGES[stage]} ${fmt(done)} of ${fmt(total)}`),
      });
    } catch (error) {
      if (!isStopError(error)) throw error;
      out.result({ cancelled: true, dir: outDir }, `stopped: nothing was written; ${outDir} is as it was`);
      return;
    } finally {
      stopInterrupt();
    }
    const imported = result.words - (result.addedUnk ? 1 : 0);
    out.result(
      { dir: outDir, words: result.words, dim: result.dim, duplicates: result.duplicates, index: result.index ?? null, seconds: (Date.now() - started) / 1000 },
      `imported ${fmt(imported)} vectors of dimension ${result.dim} into ${outDir}` +
        (result.duplicates ? ` (${fmt(result.duplicates)} repeated word(s) skipped)` : '') +
        (result.addedUnk ? `; added a zero vector for ${UNK}` : '') +
        (result.index ? `; neighbour index: ${result.index.nlist} lists, ${result.index.nprobe} searched per query, recall@10 ${result.index.recall.toFixed(3)} on sampled words` : ''),
    );
  },
};

