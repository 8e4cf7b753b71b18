// Rows quantised to int8 (one scale a row, the row's 1 / norm folded in) for NN-descent's
// similarities between stored rows: a quarter of float32's bytes to fetch where, at 1M x 300,
// nearly every row fetched is a cache miss (docs/benchmarks.md), and the products summed as
// int16 pairs (assembly/int8Rows.ts scoreAgainstRow). Cosines come out within ~1% of the
// float ones: good enough to find candidates, which the caller then re-scores exactly.

import { growTo, optionalKernelModule } from './wasmModule';

type ScoreAgainstRow = (rows: number, cols: number, scale: number, row: number, idx: number, count: number, out: number) => void;
type QuantizeRow = (src: number, cols: number, dst: number, scale: number) => void;

export class Int8PairScorer {
  /** Rows to score, set by the caller: score(row, count) covers ids[0 .. count). */
  readonly ids: Int32Array;
  /** out[t]: the cosine of the scored row with row ids[t]. */
  readonly out: Float32Array;
  private readonly cols: number;
  private readonly scales: Float32Array;
  private readonly staging: Float32Array;
  private readonly offsets: { scale: number; ids: number; out: number; staging: number };
  private readonly run: ScoreAgainstRow;
  private readonly quantizeRow: QuantizeRow;

  /** Room for `count` rows of `dim` values and batches of up to `batch` ids; undefined where this
   *  runtime has no WebAssembly SIMD or the rows exceed a wasm memory (callers keep float32). */
  static create(count: number, dim: number, batch: number): Int8PairScorer | undefined {
    const module = optionalKernelModule('int8Rows');
    if (!module) return undefined;
    const cols = Math.ceil(dim / 16) * 16;
    if (count * cols + (count + 2 * batch + cols) * 4 + 64 > 2 ** 32 - 65536) return undefined;
    return new Int8PairScorer(module, count, dim, batch);
  }

  private constructor(module: WebAssembly.Module, readonly count: number, readonly dim: number, batch: number) {
    this.cols = Math.ceil(dim / 16) * 16;
    const align = (x: number) => Math.ceil(x / 16) * 16;
    const scale = align(count * this.cols);
    const ids = align(scale + count * 4);
    const out = align(ids + batch * 4);
    const staging = align(out + batch * 4);
    const e = new WebAssembly.Instance(module).exports as { memory: WebAssembly.Memory; scoreAgainstRow: ScoreAgainstRow; quantizeRow: QuantizeRow };
    growTo(e.memory, staging + this.cols * 4);
    this.run = e.scoreAgainstRow;
    this.quantizeRow = e.quantizeRow;
    this.offsets = { scale, ids, out, staging };
    const buf = e.memory.buffer;
    this.scales = new Float32Array(buf, scale, count);
    this.ids = new Int32Array(buf, ids, batch);
    this.out = new Float32Array(buf, out, batch);
    this.staging = new Float32Array(buf, staging, this.cols);
  }

  /** Stores values[from .. from + dim) as row r, scaled to unit length (a zero row stays zero);
   *  `invNorm`, where the caller has it, is 1 / |row| (0 for a zero row). */
  setRow(r: number, values: Float32Array | number[], from = 0, invNorm?: number): void {
    let s = 0;
    for (let d = 0; d < this.dim; d++) {
      const v = values[from + d];
      this.staging[d] = v;
      if (invNorm === undefined) s += v * v;
    }
    this.quantizeRow(this.offsets.staging, this.cols, r * this.cols, this.offsets.scale + r * 4);
    this.scales[r] *= invNorm ?? (s > 0 ? 1 / Math.sqrt(s) : 0);
  }

  /** out[t] = cosine of row `row` with row ids[t], for t < count. */
  score(row: number, count: number): void {
    if (count > this.ids.length) throw new Error(`Int8PairScorer: ${count} ids exceed the batch of ${this.ids.length}`);
    this.run(0, this.cols, this.offsets.scale, row, this.offsets.ids, count, this.offsets.out);
  }
}
