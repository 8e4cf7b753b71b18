// A word-vectors file (word2vec text/binary, GloVe, fastText .vec, projector TSV) turned into
// a `vectors` model folder without ever holding the file or the matrix in memory: rows are
// parsed as they stream in and written straight to `vectors.f32` (raw little-endian float32,
// row-major, the folder's one weight shard), so a 1M x 300 file needs ~1.2 GB of disk and
// only the words in memory. Large imports also get their approximate neighbour index
// (neighbors.ivf), built from the file. The folder is built beside the target and swapped in atomically.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { UNK, type TokenizerKind } from '../types';
import { writeFolderAtomic } from './atomic';
import { checkSaveTarget, layersModelJson, MODEL_FORMAT_VERSION, writeModelFiles } from './store';
import { buildIvf, fileSource, type IvfBuildOptions } from '../embeddings/ivfBuild';
import { IVF_FILE } from '../embeddings/ivfIndex';
import { streamVectors, type RowSink, type StreamOptions, type VectorFormat } from './vectors';

/** The matrix file of an imported folder (a TF.js weight shard with a self-explaining name). */
export const MATRIX_FILE = 'vectors.f32';
const FLUSH_BYTES = 8 * 1024 * 1024;

export interface ImportOptions extends Pick<StreamOptions, 'signal' | 'onProgress' | 'metadataPath'> {
  format?: VectorFormat;
  tokenizer?: TokenizerKind;
  /** Build the approximate neighbour index from this many rows on (default 50,000; below,
   *  exact search takes a few ms). Needs a TF.js backend (initBackend). */
  indexFrom?: number;
  onIndexProgress?: IvfBuildOptions['onProgress'];
}

/** Where exact search stops being instant (50k x 300 is ~3 ms a query). */
export const DEFAULT_INDEX_FROM = 50_000;

export interface ImportResult {
  /** Rows in the folder, `<unk>` (row 0) included. */
  words: number;
  dim: number;
  /** Later occurrences of an already-read word: skipped, the first kept. */
  duplicates: number;
  /** True when the file had no `<unk>` and a zero vector was put in row 0. */
  addedUnk: boolean;
  /** The approximate neighbour index saved beside the matrix, if one was built. */
  index?: { nlist: number; nprobe: number; recall: number; seconds: number };
}

/**
 * Imports `file` into the model folder `dir` (missing, empty, or a model folder: replaced
 * atomically). The vocabulary convention: `<unk>` is row 0, the file's vector for it or zeros;
 * the other words keep the file's order (usually by frequency).
 */
export async function importVectors(file: string, dir: string, opts: ImportOptions = {}): Promise<ImportResult> {
  await checkSaveTarget(dir);
  let result: ImportResult | undefined;
  await writeFolderAtomic(dir, async (tmp) => {
    const sink = new MatrixFileSink(path.join(tmp, MATRIX_FILE));
    try {
      await streamVectors(file, opts.format, sink, opts);
      await sink.finish();
    } finally {
      await sink.close();
    }
    const { words, dim } = sink;
    const modelJson = layersModelJson(
      { kind: 'vectors', vocabSize: words.length, embedDim: dim },
      [{ name: MATRIX_FILE, bytes: words.length * dim * 4 }],
      [{ name: 'embedding/embeddings', shape: [words.length, dim] }],
    );
    await writeModelFiles(tmp, modelJson, { words, counts: new Array<number>(words.length).fill(0) }, {
      format: 'wordlens-model',
      version: MODEL_FORMAT_VERSION,
      kind: 'vectors',
      tokenizer: opts.tokenizer ?? 'whitespace',
      hyper: { vocabSize: words.length, embedDim: dim },
      metrics: {},
      // Counts are unknown for imported vectors.
      corpus: { importedFrom: path.resolve(file), format: opts.format ?? 'guessed', duplicatesSkipped: sink.duplicates },
      createdAt: new Date().toISOString(),
    });
    result = { words: words.length, dim, duplicates: sink.duplicates, addedUnk: !sink.hadUnk };
    if (words.length >= (opts.indexFrom ?? DEFAULT_INDEX_FROM)) {
      const started = Date.now();
      const fh = await fsp.open(path.join(tmp, MATRIX_FILE), 'r');
      try {
        const ivf = await buildIvf(fileSource(fh, words.length, dim), { signal: opts.signal, onProgress: opts.onIndexProgress });
        await fsp.writeFile(path.join(tmp, IVF_FILE), ivf.serialize());
        result.index = { nlist: ivf.nlist, nprobe: ivf.nprobe, recall: ivf.recall, seconds: (Date.now() - started) / 1000 };
      } finally {
        await fh.close();
      }
    }
  }, opts.signal); // a stop before the commit point rolls back (the syncs take a while at 1 GB)
  return result!;
}

/** Appends rows to a raw float32 file through an 8 MB buffer; `<unk>`'s row goes to row 0. */
class MatrixFileSink implements RowSink {
  readonly words: string[] = [UNK];
  dim = 0;
  duplicates = 0;
  hadUnk = false;
  private readonly seen = new Set<string>([UNK]);
  private fh: fsp.FileHandle | undefined;
  private buffer = new Float32Array(0);
  private filled = 0; // floats in buffer
  private written = 0; // bytes already in the file
  private unkRow: Float32Array | undefined;

  constructor(private readonly file: string) {}

  async begin(dim: number): Promise<void> {
    this.dim = dim;
    this.fh = await fsp.open(this.file, 'wx');
    this.buffer = new Float32Array(Math.max(dim, Math.floor(FLUSH_BYTES / 4 / dim) * dim));
    this.filled = dim; // row 0, zeros until the file's `<unk>` (if any) is known
  }

  async add(word: string, values: Float32Array): Promise<boolean> {
    if (this.seen.has(word)) {
      if (word === UNK && !this.hadUnk) {
        this.hadUnk = true;
        this.unkRow = Float32Array.from(values);
        return true;
      }
      this.duplicates++;
      return false;
    }
    this.seen.add(word);
    this.words.push(word);
    if (this.filled + this.dim > this.buffer.length) await this.flush();
    this.buffer.set(values, this.filled);
    this.filled += this.dim;
    return true;
  }

  async finish(): Promise<void> {
    await this.flush();
    if (this.unkRow) await this.write(new Uint8Array(this.unkRow.buffer), 0);
    await this.fh?.sync();
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }

  private async flush(): Promise<void> {
    if (this.filled === 0) return;
    const bytes = new Uint8Array(this.buffer.buffer, 0, this.filled * 4);
    await this.write(bytes, this.written);
    this.written += bytes.byteLength;
    this.filled = 0;
  }

  private async write(bytes: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < bytes.byteLength; ) {
      const { bytesWritten } = await this.fh!.write(bytes, done, bytes.byteLength - done, position + done);
      done += bytesWritten;
    }
  }
}
