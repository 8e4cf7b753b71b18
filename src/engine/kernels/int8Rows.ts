// Rows quantised to int8 (one scale a row) in a wasm memory of their own, scored against a
// float query by a SIMD kernel (assembly/int8Rows.ts): 4x less memory to read than float32 and
// ~8 multiply-adds an instruction, for picking candidates that are then re-scored exactly.
// Scores are within (|q|₁ · rowScale + |row|₁ · qScale) / 2 of the float dot product.

import { growTo, kernelModule } from './wasmModule';

type ScoreRows = (rows: number, cols: number, scale: number, idx: number, count: number, q: number, qScale: number, out: number) => void;
type QuantizeRow = (src: number, cols: number, dst: number, scale: number) => void;

export class Int8Rows {
  /** Row indices to score, set by the caller; score(from, count) scores index[from .. from + count). */
  readonly index: Uint32Array;
  /** out[t]: the score of row index[t] after score() covered t. */
  readonly out: Float32Array;
  /** Values a row, dim rounded up to the kernel's 16. */
  readonly cols: number;
  private readonly run: ScoreRows;
  private readonly quantizeRow: QuantizeRow;
  /** A row's floats on their way in (cols floats, zero past dim). */
  private readonly staging: Float32Array;
  private readonly rows: Int8Array;
  private readonly scales: Float32Array;
  private readonly q: Int16Array;
  private readonly offsets: { scale: number; idx: number; q: number; out: number; staging: number };
  /** Largest |q| value: keeps cols · 127 · qMax inside the kernel's i32 sums. */
  private readonly qMax: number;
  private qScale = 0;

  /** Room for `count` rows of `dim` values and an index of `indexLength` entries. Throws when this
   *  runtime has no WebAssembly SIMD or the rows do not fit a wasm memory (callers keep float32). */
  constructor(readonly count: number, readonly dim: number, indexLength: number) {
    if (!Number.isInteger(dim) || dim < 1 || !Number.isInteger(count) || count < 0) throw new Error(`Int8Rows: bad shape ${count} x ${dim}`);
    this.cols = Math.ceil(dim / 16) * 16;
    const align = (x: number) => Math.ceil(x / 16) * 16;
    const scale = align(count * this.cols);
    const idx = align(scale + count * 4);
    const q = align(idx + indexLength * 4);
    const out = align(q + this.cols * 2);
    const staging = align(out + indexLength * 4);
    const end = staging + this.cols * 4;
    if (end > 2 ** 32 - 65536) throw new Error(`Int8Rows: ${count} x ${dim} int8 rows (${(end / 2 ** 30).toFixed(1)} GB) exceed a wasm memory`);
    const e = new WebAssembly.Instance(kernelModule('int8Rows')).exports as { memory: WebAssembly.Memory; scoreRows: ScoreRows; quantizeRow: QuantizeRow };
    growTo(e.memory, end);
    this.run = e.scoreRows;
    this.quantizeRow = e.quantizeRow;
    this.offsets = { scale, idx, q, out, staging };
    const buf = e.memory.buffer;
    this.rows = new Int8Array(buf, 0, count * this.cols);
    this.scales = new Float32Array(buf, scale, count);
    this.index = new Uint32Array(buf, idx, indexLength);
    this.q = new Int16Array(buf, q, this.cols);
    this.out = new Float32Array(buf, out, indexLength);
    this.staging = new Float32Array(buf, staging, this.cols);
    this.qMax = Math.min(32767, Math.floor((2 ** 31 - 1) / (127 * this.cols)));
  }

  /** Stores `values` (dim floats from `from`) as row r: the largest |value| maps to 127
   *  (in the kernel: ~4x faster than a JS loop, which matters for a million rows at load). */
  setRow(r: number, values: Float32Array, from = 0): void {
    if (r < 0 || r >= this.count) throw new Error(`Int8Rows: row ${r} outside 0..${this.count - 1}`);
    this.staging.set(values.subarray(from, from + this.dim));
    this.quantizeRow(this.offsets.staging, this.cols, r * this.cols, this.offsets.scale + r * 4);
  }

  /** Row `to` becomes a copy of row `from`. */
  copyRow(from: number, to: number): void {
    if (from < 0 || from >= this.count || to < 0 || to >= this.count) throw new Error(`Int8Rows: rows ${from}, ${to} outside 0..${this.count - 1}`);
    this.rows.copyWithin(to * this.cols, from * this.cols, (from + 1) * this.cols);
    this.scales[to] = this.scales[from];
  }

  /** The query later scores are taken against (dim floats). */
  setQuery(q: Float32Array): void {
    if (q.length !== this.dim) throw new Error(`Int8Rows: query has ${q.length} values, expected ${this.dim}`);
    this.qScale = quantize(q, 0, this.dim, this.qMax, this.q, 0) / this.qMax;
  }

  /** out[from .. from + count) = approximate dot products of rows index[from ..] with the query. */
  score(from: number, count: number): void {
    if (from < 0 || count < 0 || from + count > this.index.length) throw new Error(`Int8Rows: entries ${from}..${from + count} outside the index of ${this.index.length}`);
    if (count === 0) return;
    const { scale, idx, q, out } = this.offsets;
    this.run(0, this.cols, scale, idx + from * 4, count, q, this.qScale, out + from * 4);
  }
}

/** values[from .. from + dim) rounded to integers in [-top, top] into out[at ..]; returns the
 *  largest |value| (the scale is that / top; a zero vector stays zero). */
function quantize(values: Float32Array, from: number, dim: number, top: number, out: Int16Array, at: number): number {
  let max = 0;
  for (let k = 0; k < dim; k++) { const a = Math.abs(values[from + k]); if (a > max) max = a; }
  const f = max > 0 ? top / max : 0;
  for (let k = 0; k < dim; k++) out[at + k] = Math.round(values[from + k] * f);
  return max;
}
