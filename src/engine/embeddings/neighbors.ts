// Nearest neighbours, analogies and the exact kNN graph of an embedding matrix.
// The unit-length matrix is kept PRE-TRANSPOSED ([D,V]): on wasm a query against it runs
// the XNNPACK path (2.5 ms at 50k x 300) where transposeB=true takes a scalar loop (15 ms).
import * as tf from '@tensorflow/tfjs';
import { dotAll, type IvfIndex } from './ivfIndex';
import { int8Scan, type Int8IvfScan } from './ivfInt8';
import type { Metric } from '../types';

export type AnalogyMethod = '3cosadd' | '3cosmul';
/** score: cosine similarity (higher is nearer) or euclidean distance (lower is nearer). */
export interface Neighbor { word: string; id: number; score: number }
/** umap-js `setPrecomputedKNN` shape: row i starts with i itself at distance 0. */
export interface KnnGraph { indices: number[][]; distances: number[][] }
export interface KnnOptions { signal?: AbortSignal; onProgress?: (rowsDone: number, rows: number) => void }

// Largest similarity block computed at once (floats): bounds memory at ~64 MB.
const BLOCK_FLOATS = 16 * 1024 * 1024;
// Above this many floats (256 MB) the matrix is not copied into a TF.js tensor (the wasm heap
// is bounded, and a 1M x 300 matrix would need it twice): exact queries scan it in JS instead.
const TENSOR_MAX_FLOATS = 64 * 1024 * 1024;
const COSMUL_EPS = 1e-3; // Levy & Goldberg (2014)

export class EmbeddingIndex {
  readonly size: number;
  private readonly ids = new Map<string, number>();
  private readonly unit: Float32Array;
  private readonly sqNorms: Float32Array;
  private unitT: tf.Tensor2D | undefined;
  private disposed = false;
  private approximate: IvfIndex | undefined;
  private scan: Int8IvfScan | undefined;
  private rawT: tf.Tensor2D | undefined; // [D,V], built on the first euclidean query
  private rawSqNorms: tf.Tensor2D | undefined;

  /** `matrix` is row-major [words.length, dim]; it is read, not copied, for euclidean queries. */
  constructor(readonly words: readonly string[], private readonly matrix: Float32Array, readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`EmbeddingIndex: dim must be a positive integer, got ${dim}`);
    if (matrix.length !== words.length * dim) {
      throw new Error(`EmbeddingIndex: matrix has ${matrix.length} values, expected ${words.length} words x ${dim} = ${words.length * dim}`);
    }
    if (words.length === 0) throw new Error('EmbeddingIndex: no words');
    this.size = words.length;
    words.forEach((w, i) => { if (!this.ids.has(w)) this.ids.set(w, i); });
    this.unit = new Float32Array(matrix.length);
    this.sqNorms = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += matrix[i * dim + d] ** 2;
      this.sqNorms[i] = s;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0; // a zero vector stays zero: similarity 0 to all
      for (let d = 0; d < dim; d++) this.unit[i * dim + d] = matrix[i * dim + d] * inv;
    }
    if (this.usesTensor) this.unitT = tf.tidy(() => tf.transpose(tf.tensor2d(this.unit, [this.size, dim])) as tf.Tensor2D);
  }

  private get usesTensor(): boolean {
    return this.size * this.dim <= TENSOR_MAX_FLOATS;
  }

  /** Answer cosine `nearest` queries from an approximate index (built for this matrix), its
   *  lists scanned in int8 where WebAssembly SIMD is available (n x dim bytes more memory). */
  attachApproximate(ivf: IvfIndex, onProblem?: (message: string) => void): void {
    if (ivf.n !== this.size || ivf.dim !== this.dim) throw new Error(`approximate index is for ${ivf.n} x ${ivf.dim}, the embeddings are ${this.size} x ${this.dim}`);
    this.approximate = ivf;
    this.scan = int8Scan(ivf, this.unit, onProblem);
  }

  /** The approximate index in use, if any (its nprobe and measured recall). */
  get approximateIndex(): IvfIndex | undefined {
    return this.approximate;
  }

  /** Id of `word`, or undefined. */
  idOf(word: string): number | undefined {
    return this.ids.get(word);
  }

  /** The raw vector of a word (a view into the matrix). */
  vector(word: string): Float32Array {
    const id = this.require(word);
    return this.matrix.subarray(id * this.dim, (id + 1) * this.dim);
  }

  /** The k nearest words to a word (itself excluded) or to a vector. Cosine queries use the
   *  approximate index when one is attached, unless `exact`. */
  nearest(query: string | ArrayLike<number>, k = 10, metric: Metric = 'cosine', exclude?: Set<number>, exact = false): Neighbor[] {
    const skip = new Set(exclude);
    let q: Float32Array;
    if (typeof query === 'string') {
      const id = this.require(query);
      skip.add(id);
      q = this.matrix.subarray(id * this.dim, (id + 1) * this.dim);
    } else {
      if (query.length !== this.dim) throw new Error(`nearest: query vector has ${query.length} values, the embeddings have ${this.dim}`);
      q = Float32Array.from(query);
    }
    if (metric === 'cosine' && this.approximate && !exact) {
      const hits = this.scan ? this.scan.search(normalize(q), k, skip) : this.approximate.search(this.unit, normalize(q), k, skip);
      return hits.map(({ id, score }) => ({ word: this.words[id], id, score }));
    }
    if (metric === 'cosine') return this.top(this.similarities([normalize(q)])[0], k, skip, true);
    if (metric === 'euclidean') return this.top(this.distances(q), k, skip, false);
    throw new Error(`nearest: unknown metric "${metric as string}" (use cosine or euclidean)`);
  }

  /** "a is to b as c is to ?": words near b - a + c, a, b and c excluded. Scores are 3CosAdd's
   *  cosine to the normalised b - a + c, or 3CosMul's objective. */
  analogy(a: string, b: string, c: string, k = 10, method: AnalogyMethod = '3cosadd'): Neighbor[] {
    const [ia, ib, ic] = [a, b, c].map((w) => this.require(w));
    const skip = new Set([ia, ib, ic]);
    const row = (i: number) => this.unit.subarray(i * this.dim, (i + 1) * this.dim);
    if (method === '3cosadd') {
      const target = new Float32Array(this.dim);
      for (let d = 0; d < this.dim; d++) target[d] = row(ib)[d] - row(ia)[d] + row(ic)[d];
      return this.top(this.similarities([normalize(target)])[0], k, skip, true);
    }
    if (method === '3cosmul') {
      const [sa, sb, sc] = this.similarities([row(ia), row(ib), row(ic)]);
      const score = new Float32Array(this.size);
      // Similarities shifted to [0,1] as in Levy & Goldberg, so the product is meaningful.
      for (let i = 0; i < this.size; i++) score[i] = ((sb[i] + 1) / 2) * ((sc[i] + 1) / 2) / ((sa[i] + 1) / 2 + COSMUL_EPS);
      return this.top(score, k, skip, true);
    }
    throw new Error(`analogy: unknown method "${method as string}" (use 3cosadd or 3cosmul)`);
  }

  /** Exact kNN of every row (cosine; distances are euclidean between unit rows, so they rank
   *  the same), self first at distance 0. Blocked matMul over the upper triangle only. */
  knn(k: number): KnnGraph {
    const it = this.knnBlocks(k);
    for (let r = it.next(); ; r = it.next()) if (r.done) return r.value;
  }

  /** As `knn`, yielding to the event loop between blocks so it can report and be cancelled. */
  async knnAsync(k: number, opts: KnnOptions = {}): Promise<KnnGraph> {
    const it = this.knnBlocks(k);
    for (let r = it.next(); ; r = it.next()) {
      if (r.done) return r.value;
      opts.onProgress?.(r.value, this.size);
      await new Promise<void>((resolve) => setImmediate(resolve));
      opts.signal?.throwIfAborted();
    }
  }

  /** Frees the tensors. */
  dispose(): void {
    tf.dispose([this.unitT, this.rawT, this.rawSqNorms].filter((t): t is tf.Tensor2D => t !== undefined));
    this.unitT = this.rawT = this.rawSqNorms = undefined;
    this.disposed = true;
  }

  private *knnBlocks(k: number): Generator<number, KnnGraph> {
    const n = this.size;
    const unitT = this.tensor();
    if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`knn: k must be an integer in 1..${n}, got ${k}`);
    const m = k - 1; // neighbours besides self
    const sims = new Float32Array(n * m).fill(-Infinity);
    const nbrs = new Int32Array(n * m).fill(-1);
    const floor = new Float32Array(n).fill(-Infinity); // each row's worst kept similarity
    const worstAt = new Int32Array(n); // where that worst one sits in the row's slots
    for (let i = 0; i < n; i++) worstAt[i] = i * m;
    // Replace the row's worst neighbour, then find the new worst: one scan of m slots. The
    // scan over the block below runs n^2/2 times, so it only compares against `floor`.
    const insert = (row: number, col: number, v: number): number => {
      const base = row * m;
      sims[worstAt[row]] = v;
      nbrs[worstAt[row]] = col;
      let w = base;
      let f = sims[base];
      for (let j = base + 1; j < base + m; j++) if (sims[j] < f) { f = sims[j]; w = j; }
      worstAt[row] = w;
      floor[row] = f;
      return f;
    };
    const block = Math.max(32, Math.min(1024, Math.floor(BLOCK_FLOATS / n)));
    for (let r0 = 0; m > 0 && r0 < n; r0 += block) {
      const rows = Math.min(block, n - r0);
      const cols = n - r0; // columns r0.. only: S is symmetric, each pair is seen once
      const s = readAndDispose(tf.tidy(() => {
        const x = tf.tensor2d(this.unit.subarray(r0 * this.dim, (r0 + rows) * this.dim), [rows, this.dim]);
        return tf.matMul(x, unitT.slice([0, r0], [this.dim, cols]));
      }));
      for (let i = 0; i < rows; i++) {
        const row = r0 + i;
        const off = i * cols - r0; // s[off + col] is S[row, col]
        let fr = floor[row];
        for (let col = row + 1; col < n; col++) {
          const v = s[off + col];
          if (v > fr) fr = insert(row, col, v);
          if (v > floor[col]) insert(col, row, v);
        }
      }
      yield r0 + rows;
    }
    const indices: number[][] = [];
    const distances: number[][] = [];
    const order = [...Array(m).keys()];
    for (let i = 0; i < n; i++) {
      const base = i * m;
      order.sort((p, q) => sims[base + q] - sims[base + p] || nbrs[base + p] - nbrs[base + q]);
      const idx = [i];
      const dist = [0];
      for (const j of order) {
        if (nbrs[base + j] < 0) continue;
        idx.push(nbrs[base + j]);
        dist.push(Math.sqrt(Math.max(0, 2 - 2 * sims[base + j])));
      }
      indices.push(idx);
      distances.push(dist);
    }
    return { indices, distances };
  }

  private tensor(): tf.Tensor2D {
    if (this.disposed) throw new Error('EmbeddingIndex: used after dispose()');
    if (!this.unitT) throw new Error(`EmbeddingIndex: ${this.size} x ${this.dim} is too large for an exact kNN graph (use NN-descent)`);
    return this.unitT;
  }

  private require(word: string): number {
    const id = this.ids.get(word);
    if (id === undefined) throw new Error(`"${word}" is not in the vocabulary`);
    return id;
  }

  /** Cosine similarities of unit query rows to every word: one row of V per query. */
  private similarities(queries: Float32Array[]): Float32Array[] {
    if (this.disposed) throw new Error('EmbeddingIndex: used after dispose()');
    if (!this.usesTensor) return queries.map((q) => dotAll(this.unit, this.size, this.dim, q));
    const unitT = this.tensor();
    const flat = new Float32Array(queries.length * this.dim);
    queries.forEach((q, i) => flat.set(q, i * this.dim));
    const all = readAndDispose(tf.tidy(() => tf.matMul(tf.tensor2d(flat, [queries.length, this.dim]), unitT)));
    return queries.map((_, i) => all.subarray(i * this.size, (i + 1) * this.size));
  }

  /** Euclidean distances of a raw vector to every word's raw vector. */
  private distances(q: Float32Array): Float32Array {
    if (this.disposed) throw new Error('EmbeddingIndex: used after dispose()');
    if (!this.usesTensor) {
      let qq = 0;
      for (let d = 0; d < this.dim; d++) qq += q[d] * q[d];
      const dots = dotAll(this.matrix, this.size, this.dim, q);
      return dots.map((x, i) => Math.sqrt(Math.max(0, this.sqNorms[i] + qq - 2 * x)));
    }
    if (!this.rawT) {
      this.rawT = tf.tidy(() => tf.transpose(tf.tensor2d(this.matrix, [this.size, this.dim])) as tf.Tensor2D);
      this.rawSqNorms = tf.tensor2d(this.sqNorms, [1, this.size]);
    }
    let qq = 0;
    for (let d = 0; d < this.dim; d++) qq += q[d] * q[d];
    const rawT = this.rawT;
    const norms = this.rawSqNorms!;
    const d2 = readAndDispose(tf.tidy(() => {
      const dot = tf.matMul(tf.tensor2d(q, [1, this.dim]), rawT);
      return tf.sub(tf.add(norms, qq), tf.mul(dot, 2));
    }));
    for (let i = 0; i < d2.length; i++) d2[i] = Math.sqrt(Math.max(0, d2[i]));
    return d2;
  }

  /** The k best scores (largest or smallest), skipping excluded ids; ties by id. */
  private top(scores: Float32Array, k: number, skip: Set<number>, largest: boolean): Neighbor[] {
    if (!Number.isInteger(k) || k < 0) throw new Error(`k must be a non-negative integer, got ${k}`);
    const sign = largest ? 1 : -1;
    const kept: number[] = []; // ids, best first
    for (let i = 0; i < scores.length; i++) {
      if (skip.has(i) || Number.isNaN(scores[i])) continue;
      const v = sign * scores[i];
      if (kept.length === k && v <= sign * scores[kept[k - 1]]) continue;
      let pos = kept.length;
      while (pos > 0 && v > sign * scores[kept[pos - 1]]) pos--;
      kept.splice(pos, 0, i);
      if (kept.length > k) kept.pop();
    }
    return kept.map((id) => ({ word: this.words[id], id, score: scores[id] }));
  }
}

/** The values of a float32 tensor, which is then freed. (Never return a typed array from
 *  tf.tidy: it walks every element looking for tensors, ~1000x the cost of the matMul.) */
function readAndDispose(t: tf.Tensor): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}

function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return v.map((x) => x * inv);
}
