// wordlens/importVectors and wordlens/exportEmbeddings: word-vector files in and out.
// Imported vectors become a `vectors` model folder in the storage folder, then serve
// neighbours, analogies and the map (they cannot complete text).
import * as path from 'node:path';
import { importVectors } from '../../engine/io/importVectors';
import { writeVectors } from '../../engine/io/vectors';
import { ExportEmbeddingsRequest, ImportVectorsRequest } from '../../protocol';
import type { ServerContext } from '../context';
import { invalidParams, onCheckedRequest, requireModel, toSignal, UserError } from '../requests';
import { embeddingsOf } from '../servingModel';
import { isStopError } from '../../engine/stop';

/** Sub-folder of the storage folder for imported vectors. */
const IMPORTED_FOLDER = 'imported-vectors';

export function registerVectors(ctx: ServerContext): void {
  const { connection, host, log } = ctx;

  onCheckedRequest(connection, log, ImportVectorsRequest, { path: 'string' }, async (params, token) => {
    ctx.checkTrustedPath(params.path, 'vector files');
    const storage = ctx.init().storagePath;
    if (!storage) throw new UserError('No storage folder to keep imported vectors in (start the server with a storagePath).');
    const file = path.resolve(params.path);
    const dir = path.join(storage, IMPORTED_FOLDER);
    // Progress with a cancel button: the client's workDoneToken, else one the server opens.
    // (A client that claims progress support but refuses to create one gets none.)
    const created = params.workDoneToken === undefined ? await connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    const progress = created ?? connection.languages.attachWorkDoneProgress(params);
    const signal = AbortSignal.any(created ? [toSignal(token), toSignal(created.token)] : [toSignal(token)]);
    progress.begin('Wordlens: importing vectors', 0, path.basename(file), true);
    let result;
    try {
      await host.ensureBackend(); // a large import's neighbour index is built with TF.js
      result = await importVectors(file, dir, {
        signal,
        // Reading is the first 80%, the neighbour index (large files only) the rest.
        onProgress: (done, total) => progress.report(Math.floor((done / total) * 80), `${mb(done)} of ${mb(total)} MB`),
        onIndexProgress: (stage, done, total) => {
          const [from, width] = INDEX_BANDS[stage];
          progress.report(Math.floor(from + (done / total) * width), `building the neighbour index (${stage})`);
        },
      });
    } catch (error) {
      if (isStopError(error)) throw error; // answered as RequestCancelled
      throw new UserError(`Cannot import ${file}: ${(error as Error).message}`);
    } finally {
      progress.done();
    }
    log(`imported ${result.words - (result.addedUnk ? 1 : 0)} vectors (dim ${result.dim}, ${result.duplicates} repeated words skipped) from ${file}`);
    return (await host.load(dir)).info;
  });

  onCheckedRequest(connection, log, ExportEmbeddingsRequest, { path: 'string', format: 'string' }, async (params, token) => {
    if (params.format !== 'word2vec' && params.format !== 'tsv') {
      throw invalidParams(ExportEmbeddingsRequest.method, '"format" must be "word2vec" or "tsv"');
    }
    const model = requireModel(host.model);
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
  });
}

/** Percent of the import's progress bar each stage of the neighbour index covers. */
const INDEX_BANDS = { kmeans: [80, 5], assign: [85, 7], tune: [92, 7] } as const;

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}
