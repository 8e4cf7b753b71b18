// wordlens/importVectors and wordlens/exportEmbeddings: word-vector files in and out.
// Imported vectors become a `vectors` model folder in the storage folder, then serve
// neighbours, analogies and the map (they cannot complete text).
import * as path from 'node:path';
import { MODEL_FORMAT_VERSION, saveModel } from '../../engine/io/store';
import { UNK } from '../../engine/types';
import { readVectors, writeVectors } from '../../engine/io/vectors';
import {
  ExportEmbeddingsRequest,
  ImportVectorsRequest,
  type ExportEmbeddingsParams,
  type ImportVectorsParams,
} from '../../protocol';
import type { ServerContext } from '../context';
import { checkParams, guard, invalidParams, toSignal, UserError } from '../requests';
import { embeddingsOf } from '../servingModel';
import { isStopError } from '../../engine/stop';

/** Sub-folder of the storage folder for imported vectors. */
const IMPORTED_FOLDER = 'imported-vectors';

export function registerVectors(ctx: ServerContext): void {
  const { connection, host, log } = ctx;

  connection.onRequest(
    ImportVectorsRequest,
    guard(ImportVectorsRequest.method, log, async (raw: ImportVectorsParams, token) => {
      // $/cancelRequest stops the read, or rolls back the save unless it is complete.
      const signal = toSignal(token);
      const params = checkParams<ImportVectorsParams>(ImportVectorsRequest.method, raw, { path: 'string' });
      ctx.checkTrustedPath(params.path, 'vector files');
      const storage = ctx.init().storagePath;
      if (!storage) throw new UserError('No storage folder to keep imported vectors in (start the server with a storagePath).');
      const file = path.resolve(params.path);
      let vectors;
      try {
        vectors = await readVectors(file, undefined, { signal });
      } catch (error) {
        if (isStopError(error)) throw error;
        throw new UserError(`Cannot import ${file}: ${(error as Error).message}`);
      }
      if (vectors.words.length === 0) throw new UserError(`${file} holds no vectors.`);
      const { dim } = vectors;
      // The vocabulary convention: `<unk>` is row 0 (the file's vector for it, else zeros).
      const unkAt = vectors.words.indexOf(UNK);
      const order = [unkAt, ...[...vectors.words.keys()].filter((i) => i !== unkAt)];
      const words = order.map((i) => (i < 0 ? UNK : vectors.words[i]));
      const matrix = new Float32Array(words.length * dim);
      order.forEach((row, i) => {
        if (row >= 0) matrix.set(vectors.matrix.subarray(row * dim, (row + 1) * dim), i * dim);
      });
      const dir = path.join(storage, IMPORTED_FOLDER);
      await saveModel(dir, {
        meta: {
          format: 'wordlens-model',
          version: MODEL_FORMAT_VERSION,
          kind: 'vectors',
          tokenizer: 'whitespace',
          hyper: { vocabSize: words.length, embedDim: dim },
          metrics: {},
          corpus: { importedFrom: file, duplicatesSkipped: vectors.duplicates },
          createdAt: new Date().toISOString(),
        },
        vocab: { words, counts: words.map(() => 0) },
        weights: [{ name: 'embedding/embeddings', shape: [words.length, dim], values: matrix }],
      }, { signal });
      log(`imported ${vectors.words.length} vectors (dim ${dim}) from ${file}`);
      return (await host.load(dir)).info;
    }),
  );

  connection.onRequest(
    ExportEmbeddingsRequest,
    guard(ExportEmbeddingsRequest.method, log, async (raw: ExportEmbeddingsParams, token) => {
      const params = checkParams<ExportEmbeddingsParams>(ExportEmbeddingsRequest.method, raw, { path: 'string', format: 'string' });
      if (params.format !== 'word2vec' && params.format !== 'tsv') {
        throw invalidParams(ExportEmbeddingsRequest.method, '"format" must be "word2vec" or "tsv"');
      }
      const model = host.model;
      if (!model) throw new UserError('No model is loaded: train or load one first.');
      const embeddings = embeddingsOf(model);
      // Tokens the format cannot hold (the code tokenizer's newline/indent tokens) are left out.
      const forbidden = params.format === 'tsv' ? /[\t\n\r]/ : /\s/;
      // ` foo` is written as `foo` unless `foo` itself comes first (the more frequent one wins).
      const words: string[] = [];
      const rows: number[] = [];
      const seen = new Set<string>();
      embeddings.words.forEach((w, i) => {
        const word = w.startsWith(' ') ? w.slice(1) : w;
        if (word !== '' && !forbidden.test(word) && !seen.has(word)) {
          seen.add(word);
          words.push(word);
          rows.push(i);
        }
      });
      const dim = embeddings.dim;
      const matrix = new Float32Array(rows.length * dim);
      rows.forEach((row, i) => matrix.set(embeddings.vector(embeddings.words[row]), i * dim));
      const target = path.resolve(params.path);
      await writeVectors(target, params.format, words, matrix, dim, { signal: toSignal(token) });
      log(`exported ${words.length} vectors to ${target}`);
      return { path: target, words: words.length };
    }),
  );
}
