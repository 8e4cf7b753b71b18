// wordlens export: a model's embeddings as word2vec (text or binary), GloVe or TensorFlow
// projector TSV files, for gensim, the projector and other tools.
import { MODEL_OPTION, type Command } from './command';
import { onInterrupt } from './interrupt';
import { isStopError } from '../engine/stop';
import { checkOutputParent } from './files';
import { fmt } from './output';
import { loadModel } from '../engine/io/store';
import { tsvMetadataPath, writeVectors, type VectorFormat } from '../engine/io/vectors';

export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: 'Write a model\'s embeddings as a word-vectors file.',
    usage: 'wordlens export --model DIR --format word2vec|word2vec-bin|glove|tsv --out PATH [--json]',
    options: {
      model: MODEL_OPTION,
      format: { type: 'string', choices: ['word2vec', 'word2vec-bin', 'glove', 'tsv'], description: 'file format (tsv: vectors.tsv + metadata.tsv for projector.tensorflow.org)', required: true },
      out: { type: 'string', valueName: 'PATH', description: 'file to write (replaced atomically)', required: true },
    },
    positionals: { name: 'nothing', min: 0, max: 0 },
    details:
      'Tokens a format cannot hold are left out and counted: whitespace in word2vec/GloVe words (the\n' +
      'code tokenizer\'s newline, indent and leading-space tokens), tabs or newlines in TSV words.',
  },
  async run(args, out) {
    const format = args.required('format') as VectorFormat;
    const path = args.required('out');
    await checkOutputParent(path);
    const model = await loadModel(args.required('model'));
    const emb = model.weights.find((w) => w.name === 'embedding/embeddings')!;
    const dim = emb.shape[1];
    const forbidden = format === 'tsv' ? /[\t\n\r]/ : /\s/;
    const rows: number[] = [];
    model.vocab.words.forEach((w, i) => {
      if (w !== '' && !forbidden.test(w)) rows.push(i);
    });
    const words = rows.map((i) => model.vocab.words[i]);
    const matrix = new Float32Array(rows.length * dim);
    rows.forEach((row, i) => matrix.set(emb.values.subarray(row * dim, (row + 1) * dim), i * dim));
    const files = format === 'tsv' ? [path, tsvMetadataPath(path)] : [path];
    const abort = new AbortController();
    const stopListening = onInterrupt(out, () => abort.abort(), 'stopping the export');
    try {
      await writeVectors(path, format, words, matrix, dim, { signal: abort.signal });
    } catch (error) {
      if (!isStopError(error)) throw error;
      out.result({ cancelled: true, path }, `stopped: ${files.join(' and ')} not written (older files there are as they were)`);
      return;
    } finally {
      stopListening();
    }
    const skipped = model.vocab.words.length - rows.length;
    out.result(
      { path, format, words: words.length, dim, skipped },
      `wrote ${fmt(words.length)} vectors of dimension ${dim} to ${files.join(' and ')}` +
        (skipped ? ` (left out ${fmt(skipped)} token(s) the ${format} format cannot hold)` : ''),
    );
  },
};
