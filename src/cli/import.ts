// wordlens import: word vectors from word2vec, GloVe, fastText or projector TSV files as a
// model folder, so neighbors, analogy, wordsim, project and the map work on them.
import type { Command } from './command';
import type { Args } from './args';
import { onInterrupt } from './interrupt';
import { isStopError } from '../engine/stop';
import { fmt, UserError, type Output } from './output';
import { MODEL_FORMAT_VERSION, saveModel } from '../engine/io/store';
import { readVectors, VECTOR_FORMATS, type VectorFormat } from '../engine/io/vectors';
import { UNK, type TokenizerKind } from '../engine/types';
import { checkOutputFolder, reason } from './files';
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
    await checkOutputFolder(args.required('out'));
    await fsp.access(file).catch((err) => {
      throw new UserError(`cannot read vectors file ${file}: ${reason(err)}`);
    });
    const abort = new AbortController();
    const stopListening = onInterrupt(out, () => abort.abort(), 'stopping the import');
    try {
      await importInto(args, file, abort.signal, out);
    } catch (error) {
      if (!isStopError(error)) throw error;
      out.result({ cancelled: true, dir: args.required('out') }, `stopped: nothing was written; ${args.required('out')} is as it was`);
    } finally {
      stopListening();
    }
  },
};

async function importInto(args: Args, file: string, signal: AbortSignal, out: Output): Promise<void> {
  const vectors = await readVectors(file, args.string('format') as VectorFormat | undefined, { signal });
  if (vectors.words.length === 0) throw new UserError(`${file} holds no vectors`);
  const { dim } = vectors;
  // The vocabulary convention: `<unk>` is row 0. Keep the file's vector for it, else a zero vector.
  const unkAt = vectors.words.indexOf(UNK);
  const order = unkAt >= 0 ? [unkAt, ...vectors.words.keys()].filter((i, k) => k === 0 || i !== unkAt) : [-1, ...vectors.words.keys()];
  const words = order.map((i) => (i < 0 ? UNK : vectors.words[i]));
  const matrix = new Float32Array(words.length * dim);
  order.forEach((row, i) => {
    if (row >= 0) matrix.set(vectors.matrix.subarray(row * dim, (row + 1) * dim), i * dim);
  });
  const outDir = args.required('out');
  await saveModel(outDir, {
    meta: {
      format: 'wordlens-model',
      version: MODEL_FORMAT_VERSION,
      kind: 'vectors',
      tokenizer: args.string('tokenizer', 'whitespace') as TokenizerKind,
      hyper: { vocabSize: words.length, embedDim: dim },
      metrics: {},
      corpus: { importedFrom: file, format: args.string('format') ?? 'guessed', duplicatesSkipped: vectors.duplicates },
      createdAt: new Date().toISOString(),
    },
    // Counts are unknown for imported vectors; the file's order (usually by frequency) is kept.
    vocab: { words, counts: words.map(() => 0) },
    weights: [{ name: 'embedding/embeddings', shape: [words.length, dim], values: matrix }],
  }, { signal });
  out.result(
    { dir: outDir, words: words.length, dim, duplicates: vectors.duplicates },
    `imported ${fmt(vectors.words.length)} vectors of dimension ${dim} into ${outDir}` +
      (vectors.duplicates ? ` (${fmt(vectors.duplicates)} repeated word(s) skipped)` : '') +
      (unkAt < 0 ? `; added a zero vector for ${UNK}` : ''),
  );
}
