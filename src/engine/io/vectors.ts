// Import and export word vectors: word2vec text (header "V D") and binary, GloVe text (no
// header), fastText .vec (= word2vec text), and the TensorFlow projector's vectors.tsv +
// metadata.tsv. Files are streamed (a 1 GB file is never one string); writes are atomic.
// Bad input fails with the file, the line (or entry and byte offset) and what is wrong.
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { throwIfStopped } from '../stop';

export type VectorFormat = 'word2vec' | 'word2vec-bin' | 'glove' | 'fasttext' | 'tsv';
export const VECTOR_FORMATS: readonly VectorFormat[] = ['word2vec', 'word2vec-bin', 'glove', 'fasttext', 'tsv'];

export interface WordVectors {
  words: string[];
  dim: number;
  /** Row-major [words.length × dim]. */
  matrix: Float32Array;
}

export interface ReadVectorsResult extends WordVectors {
  /** Later occurrences of an already-read word: skipped (the first is kept) and counted. */
  duplicates: number;
}

/** For `tsv`: the metadata file beside a vectors file (`vectors.tsv` → `metadata.tsv`, `x.tsv` → `x.metadata.tsv`). */
export function tsvMetadataPath(vectorsPath: string): string {
  const name = basename(vectorsPath);
  const meta = name.includes('vectors') ? name.replace(/vectors(?!.*vectors)/, 'metadata') : name.replace(/(\.tsv)?$/, '.metadata.tsv');
  return join(dirname(vectorsPath), meta);
}

/** Guesses the format from the extension and the first bytes. */
export async function detectFormat(path: string): Promise<VectorFormat> {
  if (/\.tsv$/i.test(path)) return 'tsv';
  const head = await readHead(path, 4096);
  if (head.length === 0) throw new Error(`${path}: file is empty`);
  const nl = head.indexOf(0x0a);
  const firstLine = head.subarray(0, nl < 0 ? head.length : nl).toString('utf8').trim();
  if (/^\d+ \d+$/.test(firstLine)) {
    const rest = head.subarray(nl + 1);
    if (/\.bin$/i.test(path) || !isText(rest)) return 'word2vec-bin';
    return /\.vec$/i.test(path) ? 'fasttext' : 'word2vec';
  }
  return 'glove';
}

/** Reads a vectors file; `format` defaults to detectFormat(path). For `tsv`, metadata comes from tsvMetadataPath unless given. */
export async function readVectors(path: string, format?: VectorFormat, opts: StreamOptions = {}): Promise<ReadVectorsResult> {
  let rows: RowCollector | undefined;
  await streamVectors(path, format, {
    begin(dim, expectedRows) { rows = new RowCollector(dim, expectedRows); },
    add: (word, values) => rows!.add(word, values),
  }, opts);
  return rows!.result();
}

/** Where streamVectors puts what it reads, row by row. */
export interface RowSink {
  /** Called once, before the first row: the dimension, and how many rows to expect (a hint). */
  begin(dim: number, expectedRows: number): void | Promise<void>;
  /** A row (`values` is reused for the next row). Returns false when the word was already read (skipped). */
  add(word: string, values: Float32Array): boolean | Promise<boolean>;
}

export interface StreamOptions {
  metadataPath?: string;
  /** Checked between rows (at least every ~250 ms of parsing); aborting rejects with an AbortError. */
  signal?: AbortSignal;
  /** Bytes of the vectors file read so far, of its size; called at most every ~250 ms. */
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
}

/**
 * Reads a vectors file row by row into `sink`, never holding the whole file: text formats
 * line by line, word2vec binary in 1 MB chunks. `format` defaults to detectFormat(path).
 */
export async function streamVectors(path: string, format: VectorFormat | undefined, sink: RowSink, opts: StreamOptions = {}): Promise<void> {
  const fmt = format ?? await detectFormat(path);
  const size = await checkReadable(path);
  const pace = new Pacer(size, opts);
  switch (fmt) {
    case 'word2vec': case 'fasttext': return readText(path, true, sink, pace);
    case 'glove': return readText(path, false, sink, pace);
    case 'word2vec-bin': return readBinary(path, sink, pace);
    case 'tsv': return readTsv(path, opts.metadataPath ?? tsvMetadataPath(path), sink, pace);
  }
}

/** Progress and cancellation at most every ~250 ms: the clock is read once per 256 rows. */
class Pacer {
  private rows = 0;
  private last = Date.now();
  constructor(private readonly total: number, private readonly opts: StreamOptions) { opts.signal?.throwIfAborted(); }
  tick(bytesRead: () => number): void {
    if ((++this.rows & 255) !== 0) return;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    this.opts.signal?.throwIfAborted();
    this.opts.onProgress?.(Math.min(bytesRead(), this.total), this.total);
  }
  done(): void { this.opts.onProgress?.(this.total, this.total); }
}

export interface WriteVectorsResult {
  written: number;
  /** Words the format cannot store, left out because `skipUnwritable` was set. */
  skipped: string[];
}

/**
 * Writes vectors atomically (temp file + rename). For `tsv`, `path` is vectors.tsv and the
 * words go to `metadataPath` (default tsvMetadataPath(path)). Words a format cannot hold
 * (whitespace in word2vec/GloVe/fastText words, tab or newline in TSV, empty words) are
 * refused with an error, or left out and listed when `skipUnwritable` is set (code tokens
 * such as " foo" or "\n    " have no place in a space-separated format).
 */
export async function writeVectors(
  path: string, format: VectorFormat, allWords: readonly string[], allMatrix: Float32Array, dim: number,
  opts: { metadataPath?: string; skipUnwritable?: boolean; signal?: AbortSignal } = {},
): Promise<WriteVectorsResult> {
  const signal = opts.signal;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim must be a positive integer, got ${dim}`);
  if (allMatrix.length !== allWords.length * dim) throw new Error(`matrix has ${allMatrix.length} values; ${allWords.length} words × ${dim} needs ${allWords.length * dim}`);
  const forbidden = format === 'tsv' ? /[\t\n\r]/ : /\s/;
  const keep: number[] = [];
  const skipped: string[] = [];
  allWords.forEach((w, i) => {
    const problem = w === '' ? 'is empty' : forbidden.test(w) ? `contains ${format === 'tsv' ? 'a tab or newline' : 'whitespace'}` : undefined;
    if (!problem) { keep.push(i); return; }
    if (opts.skipUnwritable) { skipped.push(w); return; }
    throw new Error(`word ${i} ${JSON.stringify(w)} ${problem}, which the ${format} format cannot store${format === 'tsv' || w === '' ? '' : ' (the TSV format allows spaces)'}`);
  });
  if (keep.length === 0) throw new Error(`none of the ${allWords.length} words can be stored in the ${format} format`);
  const words = keep.length === allWords.length ? allWords : keep.map((i) => allWords[i]);
  let matrix = allMatrix;
  if (keep.length !== allWords.length) {
    matrix = new Float32Array(keep.length * dim);
    keep.forEach((row, i) => matrix.set(allMatrix.subarray(row * dim, (row + 1) * dim), i * dim));
  }
  const result = { written: words.length, skipped };
  if (format === 'tsv') {
    // One commit for the pair: a stop or error while either is written leaves both old files.
    await atomicWrite([
      [path, async (out) => {
        for (let r = 0; r < words.length; r++) {
          const row: string[] = [];
          for (let k = 0; k < dim; k++) row.push(formatFloat(matrix[r * dim + k]));
          await out.write(row.join('\t') + '\n');
        }
      }],
      [opts.metadataPath ?? tsvMetadataPath(path), async (out) => { for (const w of words) await out.write(w + '\n'); }],
    ], signal);
    return result;
  }
  const binary = format === 'word2vec-bin';
  await atomicWrite([[path, async (out) => {
    if (format !== 'glove') await out.write(`${words.length} ${dim}\n`);
    for (let r = 0; r < words.length; r++) {
      const row = matrix.subarray(r * dim, (r + 1) * dim);
      if (binary) {
        // word2vec.c layout: word, space, dim little-endian float32, newline.
        const bytes = Buffer.alloc(dim * 4 + 1);
        for (let k = 0; k < dim; k++) bytes.writeFloatLE(row[k], k * 4);
        bytes[dim * 4] = 0x0a;
        await out.write(words[r] + ' ');
        await out.write(bytes);
      } else {
        let line = words[r];
        for (let k = 0; k < dim; k++) line += ' ' + formatFloat(row[k]);
        await out.write(line + '\n');
      }
    }
  }]], signal);
  return result;
}

/** Shortest decimal that reads back as the same float32. */
function formatFloat(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cannot write a non-finite value (${v})`);
  for (let p = 6; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

// ---- reading ----

/** Collects rows in memory, growing a Float32Array as they arrive (readVectors). */
class RowCollector {
  words: string[] = [];
  private seen = new Set<string>();
  private data: Float32Array;
  duplicates = 0;
  constructor(readonly dim: number, expectedRows: number) { this.data = new Float32Array(Math.max(1, expectedRows) * dim); }
  /** Returns false (and counts) when the word was already read. */
  add(word: string, values: ArrayLike<number>): boolean {
    if (this.seen.has(word)) { this.duplicates++; return false; }
    this.seen.add(word);
    const at = this.words.length * this.dim;
    if (at + this.dim > this.data.length) {
      const bigger = new Float32Array(Math.max(this.data.length * 2, at + this.dim));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data.set(values, at);
    this.words.push(word);
    return true;
  }
  result(): ReadVectorsResult {
    return { words: this.words, dim: this.dim, matrix: this.data.slice(0, this.words.length * this.dim), duplicates: this.duplicates };
  }
}

// A wrong header must not allocate gigabytes: expected-row hints are capped.
const MAX_ROW_HINT = 100_000;

async function readText(path: string, hasHeader: boolean, sink: RowSink, pace: Pacer): Promise<void> {
  let lineNo = 0;
  let declared: { rows: number; dim: number } | undefined;
  let dim = 0;
  let entries = 0;
  let buf = new Float32Array(0);
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      const line = raw.replace(/[\r ]+$/, ''); // word2vec.c and fastText end lines with a space
      if (lineNo === 1 && hasHeader) {
        const m = /^(\d+) (\d+)$/.exec(line.trim());
        if (!m) throw new Error(`${path}:1: expected a header "<words> <dimensions>", found ${JSON.stringify(clip(line))}`);
        declared = { rows: Number(m[1]), dim: Number(m[2]) };
        if (declared.dim < 1) throw new Error(`${path}:1: header declares ${declared.dim} dimensions`);
        dim = declared.dim;
        await sink.begin(dim, Math.min(declared.rows, MAX_ROW_HINT));
        buf = new Float32Array(dim);
        continue;
      }
      if (line === '') {
        throw new Error(`${path}:${lineNo}: empty line where a vector was expected`);
      }
      const fields = line.split(/ +/);
      if (dim === 0) {
        // GloVe: the first row fixes the dimension.
        if (fields.length < 2) throw new Error(`${path}:${lineNo}: expected a word followed by numbers, found ${JSON.stringify(clip(line))}`);
        dim = fields.length - 1;
        await sink.begin(dim, 1024);
        buf = new Float32Array(dim);
      }
      // A word may hold spaces (some GloVe files): the last `dim` fields are the numbers,
      // unless the surplus fields are numbers too, which means the dimension is wrong.
      const wordFields = fields.length - dim;
      if (wordFields < 1 || (wordFields > 1 && fields.slice(1, wordFields).every(isNumber))) {
        throw new Error(`${path}:${lineNo}: expected a word and ${dim} numbers, found ${fields.length - 1} values after ${JSON.stringify(clip(fields[0]))}${declared && entries + 1 === declared.rows ? ' (truncated last line?)' : ''}`);
      }
      const word = wordFields === 1 ? fields[0] : fields.slice(0, wordFields).join(' ');
      if (word === '') throw new Error(`${path}:${lineNo}: line starts with a space instead of a word`);
      for (let k = 0; k < dim; k++) {
        const s = fields[wordFields + k];
        const v = Number(s);
        if (!Number.isFinite(v) || s === '') throw new Error(`${path}:${lineNo}: value ${k + 1} of ${JSON.stringify(clip(word))} is not a finite number: ${JSON.stringify(clip(s))}`);
        buf[k] = v;
      }
      entries++;
      await sink.add(word, buf);
      pace.tick(() => input.bytesRead);
    }
  } finally {
    input.destroy();
  }
  if (lineNo === 0) throw new Error(`${path}: file is empty`);
  if (dim === 0 || entries === 0) throw new Error(`${path}: no vectors (only a header)`);
  if (declared && entries !== declared.rows) {
    throw new Error(`${path}: header declares ${declared.rows} words but the file has ${entries}${entries < declared.rows ? ' (truncated?)' : ''}`);
  }
  pace.done();
}

async function readBinary(path: string, sink: RowSink, pace: Pacer): Promise<void> {
  const reader = await ByteReader.open(path);
  try {
    const header = await reader.readUntil(0x0a, 256);
    if (header === undefined) {
      throw new Error(reader.offset === 0 ? `${path}: file is empty` : `${path}:1: header line "<words> <dimensions>" is not terminated`);
    }
    const m = /^(\d+) (\d+)\r?$/.exec(header.toString('utf8'));
    if (!m) throw new Error(`${path}:1: expected a header "<words> <dimensions>", found ${JSON.stringify(clip(header.toString('utf8')))}`);
    const count = Number(m[1]), dim = Number(m[2]);
    if (dim < 1) throw new Error(`${path}:1: header declares ${dim} dimensions`);
    if (count < 1) throw new Error(`${path}: no vectors (header declares 0 words)`);
    await sink.begin(dim, Math.min(count, MAX_ROW_HINT));
    const values = new Float32Array(dim);
    const valueBytes = new Uint8Array(values.buffer);
    for (let i = 1; i <= count; i++) {
      await reader.skipNewlines();
      const at = reader.offset;
      const wordBytes = await reader.readUntil(0x20, 4096);
      if (wordBytes === undefined) {
        throw new Error(`${path}: entry ${i} (byte ${at}): ${reader.offset === at ? `file ends after ${i - 1} of the ${count} words the header declares (truncated?)` : 'word not followed by a space (truncated or not word2vec binary)'}`);
      }
      const word = wordBytes.toString('utf8');
      const bytes = await reader.read(dim * 4);
      if (bytes.length < dim * 4) {
        throw new Error(`${path}: entry ${i} ${JSON.stringify(clip(word))} (byte ${at}): truncated vector, ${bytes.length} of ${dim * 4} bytes`);
      }
      valueBytes.set(bytes); // little-endian float32, as every platform Node runs on
      for (let k = 0; k < dim; k++) {
        if (!Number.isFinite(values[k])) throw new Error(`${path}: entry ${i} ${JSON.stringify(clip(word))} (byte ${at}): value ${k + 1} is not a finite number (${values[k]})`);
      }
      await sink.add(word, values);
      pace.tick(() => reader.offset);
    }
    await reader.skipNewlines();
    if (!(await reader.atEnd())) throw new Error(`${path}: byte ${reader.offset}: data after the ${count} words the header declares (wrong header or dimension?)`);
    pace.done();
  } finally {
    await reader.close();
  }
}

async function readTsv(path: string, metadataPath: string, sink: RowSink, pace: Pacer): Promise<void> {
  await checkReadable(metadataPath, `the metadata file for ${path}`);
  const words: string[] = [];
  let metaLine = 0, multiColumn = false;
  for await (const raw of lines(metadataPath)) {
    pace.tick(() => 0);
    metaLine++;
    const line = raw.replace(/\r$/, '');
    // The projector's metadata has a header row only when it has several columns.
    if (metaLine === 1 && line.includes('\t')) { multiColumn = true; continue; }
    const word = multiColumn ? line.split('\t')[0] : line;
    if (word === '') throw new Error(`${metadataPath}:${metaLine}: empty word`);
    words.push(word);
  }
  if (metaLine === 0) throw new Error(`${metadataPath}: file is empty`);
  let dim = 0;
  let lineNo = 0, used = 0;
  let buf = new Float32Array(0);
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      const line = raw.replace(/\r$/, '');
      const fields = line.split('\t');
      if (dim === 0) { dim = fields.length; await sink.begin(dim, Math.min(words.length, MAX_ROW_HINT)); buf = new Float32Array(dim); }
      if (fields.length !== dim) throw new Error(`${path}:${lineNo}: expected ${dim} tab-separated numbers (as on line 1), found ${fields.length}`);
      for (let k = 0; k < dim; k++) {
        const s = fields[k].trim();
        const v = Number(s);
        if (!Number.isFinite(v) || s === '') throw new Error(`${path}:${lineNo}: value ${k + 1} is not a finite number: ${JSON.stringify(clip(fields[k]))}`);
        buf[k] = v;
      }
      if (used >= words.length) throw new Error(`${path}: has more rows than ${metadataPath} has words (${words.length})`);
      await sink.add(words[used++], buf);
      pace.tick(() => input.bytesRead);
    }
  } finally {
    input.destroy();
  }
  if (dim === 0) throw new Error(`${path}: file is empty`);
  if (used !== words.length) throw new Error(`${path}: has ${used} rows but ${metadataPath} has ${words.length} words`);
  pace.done();
}

/** Lines of a UTF-8 file, streamed; a final newline does not make an extra empty line. */
function lines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}

class ByteReader {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private base = 0; // file offset of buf[0]
  private eof = false;
  private constructor(private readonly fh: fsp.FileHandle) {}
  static async open(path: string): Promise<ByteReader> { return new ByteReader(await fsp.open(path, 'r')); }
  get offset(): number { return this.base + this.pos; }
  close(): Promise<void> { return this.fh.close(); }
  /** Makes at least n unread bytes available unless the file ends first. */
  private async fill(n: number): Promise<void> {
    while (this.buf.length - this.pos < n && !this.eof) {
      const chunk = Buffer.alloc(Math.max(1 << 20, n));
      const { bytesRead } = await this.fh.read(chunk, 0, chunk.length, this.base + this.buf.length);
      if (bytesRead === 0) { this.eof = true; break; }
      this.base += this.pos;
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk.subarray(0, bytesRead)]);
      this.pos = 0;
    }
  }
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const out = this.buf.subarray(this.pos, Math.min(this.buf.length, this.pos + n));
    this.pos += out.length;
    return out;
  }
  /** Bytes up to (not including) `byte`, consuming it; undefined when not found within max bytes or before the end. */
  async readUntil(byte: number, max: number): Promise<Buffer | undefined> {
    await this.fill(max + 1);
    const end = this.buf.indexOf(byte, this.pos);
    if (end < 0 || end - this.pos > max) {
      this.pos = this.buf.length;
      return undefined;
    }
    const out = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    return out;
  }
  async skipNewlines(): Promise<void> {
    for (;;) {
      await this.fill(1);
      if (this.pos < this.buf.length && (this.buf[this.pos] === 0x0a || this.buf[this.pos] === 0x0d)) this.pos++;
      else return;
    }
  }
  async atEnd(): Promise<boolean> { await this.fill(1); return this.pos >= this.buf.length; }
}

// ---- writing ----

interface Sink { write(chunk: string | Buffer): Promise<void> }

/**
 * Writes each file through a temp beside it, then renames them all in: a stop (checked at every
 * flushed megabyte and before the first rename) or an error removes the temps and leaves every
 * old file as it was. (Only a crash between the renames, microseconds, could mix versions.)
 */
async function atomicWrite(files: [path: string, body: (out: Sink) => Promise<void>][], signal: AbortSignal | undefined): Promise<void> {
  const temps: string[] = [];
  try {
    for (const [path, body] of files) {
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
      temps.push(tmp);
      await writeTemp(tmp, signal, body);
    }
    throwIfStopped(signal);
    for (let i = 0; i < files.length; i++) await fsp.rename(temps[i], files[i][0]);
  } catch (e) {
    for (const tmp of temps) await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Writes `tmp` through a 1 MB buffer and syncs it; the stop is checked at every flush. */
async function writeTemp(tmp: string, signal: AbortSignal | undefined, body: (out: Sink) => Promise<void>): Promise<void> {
  const fh = await fsp.open(tmp, 'w');
  try {
    let pending: Buffer[] = [], size = 0;
    const flush = async () => {
      throwIfStopped(signal);
      if (size) { await fh.write(Buffer.concat(pending)); pending = []; size = 0; }
    };
    await body({
      async write(chunk) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
        pending.push(b); size += b.length;
        if (size >= 1 << 20) await flush();
      },
    });
    await flush();
    await fh.sync();
  } finally {
    await fh.close();
  }
}

// ---- helpers ----

/** The file's size; throws a one-line error when it is missing, not a file, or empty. */
async function checkReadable(path: string, what = 'vectors file'): Promise<number> {
  let st;
  try { st = await fsp.stat(path); } catch { throw new Error(`${path}: ${what} not found`); }
  if (!st.isFile()) throw new Error(`${path}: ${what} is not a file`);
  if (st.size === 0) throw new Error(`${path}: file is empty`);
  return st.size;
}

async function readHead(path: string, n: number): Promise<Buffer> {
  let fh;
  try { fh = await fsp.open(path, 'r'); } catch { throw new Error(`${path}: vectors file not found`); }
  try {
    const b = Buffer.alloc(n);
    const { bytesRead } = await fh.read(b, 0, n, 0);
    return b.subarray(0, bytesRead);
  } finally { await fh.close(); }
}

/** Binary float data has NULs or many control bytes; text has neither. */
function isText(b: Buffer): boolean {
  let control = 0;
  for (const x of b) { if (x === 0) return false; if (x < 0x20 && x !== 0x0a && x !== 0x0d && x !== 0x09) control++; }
  return control <= b.length / 100;
}

function isNumber(s: string): boolean { return s !== '' && Number.isFinite(Number(s)); }
function clip(s: string): string { return s.length > 40 ? s.slice(0, 40) + '…' : s; }
