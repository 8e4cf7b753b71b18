// Builds an IvfIndex (ivfIndex.ts) from rows read block by block, so the matrix may stay on
// disk (an import's vectors.f32) or in memory: spherical k-means on a sample (TF.js matMuls),
// every row assigned to its nearest centroid, then nprobe tuned on sampled words against
// exact search. Memory: the sample and one block, never the whole matrix.
import * as fsp from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { IvfIndex, TopK } from './ivfIndex';

/** Rows `from..to` of an n x dim row-major matrix, copied into `out`. */
export interface RowSource {
  n: number;
  dim: number;
  read(from: number, to: number, out: Float32Array): Promise<void>;
}

export interface IvfBuildOptions {
  /** Lists (default ~sqrt(n), at least 8). */
  nlist?: number;
  /** recall@10 nprobe is tuned for on the sampled words (default 0.985: the estimate from a few
   *  hundred words is ~2 points optimistic on others, measured; 0.95 is promised). */
  targetRecall?: number;
  /** Words whose exact neighbours tune nprobe (default 300). */
  probes?: number;
  iterations?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (stage: 'kmeans' | 'assign' | 'tune', done: number, total: number) => void;
}

const BLOCK_ROWS = 4096;
const SAMPLE_PER_LIST = 48;

export function memorySource(matrix: Float32Array, n: number, dim: number): RowSource {
  return { n, dim, read: async (from, to, out) => out.set(matrix.subarray(from * dim, to * dim)) };
}

/** Rows of a raw little-endian float32 file (an imported folder's vectors.f32). */
export function fileSource(fh: fsp.FileHandle, n: number, dim: number): RowSource {
  return {
    n, dim,
    async read(from, to, out) {
      const bytes = new Uint8Array(out.buffer, out.byteOffset, (to - from) * dim * 4);
      for (let done = 0; done < bytes.byteLength; ) {
        const { bytesRead } = await fh.read(bytes, done, bytes.byteLength - done, from * dim * 4 + done);
        if (bytesRead === 0) throw new Error(`vectors file ends at row ${from + done / dim / 4} of ${n}`);
        done += bytesRead;
      }
    },
  };
}

export async function buildIvf(src: RowSource, opts: IvfBuildOptions = {}): Promise<IvfIndex> {
  const { n, dim } = src;
  const nlist = Math.max(1, Math.min(n, opts.nlist ?? Math.max(8, Math.round(Math.sqrt(n)))));
  const rand = lcg(opts.seed ?? 1);
  const yieldNow = async () => { await new Promise<void>((r) => setImmediate(r)); opts.signal?.throwIfAborted(); };

  // 1. Spherical k-means on a random sample.
  const sampleIds = pickDistinct(n, Math.min(n, nlist * SAMPLE_PER_LIST), rand);
  const sample = new Float32Array(sampleIds.length * dim);
  const row = new Float32Array(dim);
  for (let i = 0; i < sampleIds.length; i++) {
    await src.read(sampleIds[i], sampleIds[i] + 1, row);
    sample.set(row, i * dim);
    if ((i & 4095) === 4095) await yieldNow();
  }
  normalizeRows(sample, dim);
  const centroids = new Float32Array(nlist * dim);
  pickDistinct(sampleIds.length, nlist, rand).forEach((s, l) => centroids.set(sample.subarray(s * dim, (s + 1) * dim), l * dim));
  const iterations = opts.iterations ?? 10;
  for (let it = 0; it < iterations; it++) {
    const assign = await assignAll(memorySource(sample, sampleIds.length, dim), centroids, nlist, yieldNow);
    const sums = new Float32Array(nlist * dim);
    const counts = new Uint32Array(nlist);
    for (let i = 0; i < sampleIds.length; i++) {
      const l = assign[i * 2];
      counts[l]++;
      for (let d = 0; d < dim; d++) sums[l * dim + d] += sample[i * dim + d];
    }
    for (let l = 0; l < nlist; l++) {
      // An empty list restarts at a random sample row, so no centroid is wasted.
      if (counts[l] > 0) continue;
      const s = (rand() * sampleIds.length) | 0;
      sums.set(sample.subarray(s * dim, (s + 1) * dim), l * dim);
    }
    normalizeRows(sums, dim);
    centroids.set(sums);
    opts.onProgress?.('kmeans', it + 1, iterations);
  }

  // 2. Every row into the lists of its two nearest centroids, then the lists as offsets + ids.
  const assign = await assignAll(src, centroids, nlist, yieldNow, (done) => opts.onProgress?.('assign', done, n));
  const lists = (i: number) => (assign[i * 2] === assign[i * 2 + 1] ? [assign[i * 2]] : [assign[i * 2], assign[i * 2 + 1]]);
  const offsets = new Uint32Array(nlist + 1);
  for (let i = 0; i < n; i++) for (const l of lists(i)) offsets[l + 1]++;
  for (let l = 0; l < nlist; l++) offsets[l + 1] += offsets[l];
  const fill = offsets.slice(0, nlist);
  const ids = new Uint32Array(offsets[nlist]);
  for (let i = 0; i < n; i++) for (const l of lists(i)) ids[fill[l]++] = i;
  const index = new IvfIndex(n, dim, centroids, offsets, ids, nlist, 1);

  // 3. nprobe: a true neighbour is found exactly when its list is probed (lists are scanned
  // exactly), so recall at each nprobe follows from the exact neighbours and the list ranks.
  const probeIds = pickDistinct(n, Math.min(n, opts.probes ?? 300), rand);
  const queries = new Float32Array(probeIds.length * dim);
  for (let i = 0; i < probeIds.length; i++) { await src.read(probeIds[i], probeIds[i] + 1, row); queries.set(row, i * dim); }
  normalizeRows(queries, dim);
  const exact = await exactTop(src, queries, probeIds, 10, yieldNow, (done) => opts.onProgress?.('tune', done, n));
  const rankOf = new Uint32Array(nlist);
  const needed: number[] = []; // per (query, true neighbour): the nprobe that finds it
  probeIds.forEach((_, i) => {
    index.rankLists(queries.subarray(i * dim, (i + 1) * dim)).forEach((l, r) => { rankOf[l] = r; });
    for (const id of exact[i]) needed.push(Math.min(rankOf[assign[id * 2]], rankOf[assign[id * 2 + 1]]) + 1);
  });
  needed.sort((a, b) => a - b);
  const target = opts.targetRecall ?? 0.985;
  const nprobe = needed.length ? needed[Math.min(needed.length - 1, Math.ceil(target * needed.length) - 1)] : 1;
  const recall = needed.length ? needed.filter((p) => p <= nprobe).length / needed.length : 1;
  return new IvfIndex(n, dim, centroids, offsets, ids, nprobe, recall);
}

/**
 * Every block of rows of `src` times the columns of `right` ([dim x cols], row-major): `fn`
 * gets the block's first row, its row count and the [rows x cols] products (or, with `topk`,
 * the indices of each row's `topk` largest). Yields (and checks the signal) between blocks.
 */
async function blockProducts(
  src: RowSource, right: Float32Array, cols: number, unitRows: boolean, topk: number | undefined,
  yieldNow: () => Promise<void>, fn: (from: number, rows: number, values: Float32Array | Int32Array) => void,
): Promise<void> {
  const { n, dim } = src;
  const block = new Float32Array(BLOCK_ROWS * dim);
  const rightT = tf.tidy(() => tf.transpose(tf.tensor2d(right, [cols, dim])));
  try {
    for (let from = 0; from < n; from += BLOCK_ROWS) {
      const rows = Math.min(n, from + BLOCK_ROWS) - from;
      await src.read(from, from + rows, block);
      const x = block.subarray(0, rows * dim);
      if (unitRows) normalizeRows(x, dim);
      const t = tf.tidy(() => {
        const product = tf.matMul(tf.tensor2d(x, [rows, dim]), rightT);
        return topk === undefined ? product : tf.topk(product, topk).indices;
      });
      const values = t.dataSync() as Float32Array | Int32Array;
      t.dispose();
      fn(from, rows, values);
      await yieldNow();
    }
  } finally {
    rightT.dispose();
  }
}

/** The two nearest centroids (highest cosine) of every row of `src` as [first, second] pairs
 *  (second = first when there is one list). Rows need not be unit length: a row's norm scales
 *  all its cosines alike, the order stays. */
async function assignAll(
  src: RowSource, centroids: Float32Array, nlist: number, yieldNow: () => Promise<void>, onBlock?: (done: number) => void,
): Promise<Uint32Array> {
  const out = new Uint32Array(src.n * 2);
  const k = Math.min(2, nlist);
  await blockProducts(src, centroids, nlist, false, k, yieldNow, (from, rows, idx) => {
    for (let r = 0; r < rows; r++) {
      out[(from + r) * 2] = idx[r * k];
      out[(from + r) * 2 + 1] = idx[r * k + k - 1];
    }
    onBlock?.(from + rows);
  });
  return out;
}

/** Exact top-k ids (cosine) of each unit query among all rows, the query's own id left out. */
async function exactTop(
  src: RowSource, queries: Float32Array, selfIds: Uint32Array, k: number, yieldNow: () => Promise<void>, onBlock: (done: number) => void,
): Promise<number[][]> {
  const q = selfIds.length;
  const tops = Array.from({ length: q }, () => new TopK(k));
  const floors = new Float64Array(q).fill(-Infinity);
  await blockProducts(src, queries, q, true, undefined, yieldNow, (from, rows, s) => {
    // 300 queries x 1M rows: test against each query's floor before calling offer().
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < q; j++) {
        const v = s[r * q + j];
        if (v >= floors[j] && from + r !== selfIds[j]) { tops[j].offer(from + r, v); floors[j] = tops[j].floor; }
      }
    }
    onBlock(from + rows);
  });
  return tops.map((t) => t.best().map((h) => h.id));
}

export function normalizeRows(m: Float32Array, dim: number): void {
  for (let base = 0; base < m.length; base += dim) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += m[base + d] * m[base + d];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) m[base + d] *= inv;
  }
}

/** `count` distinct ids of 0..n-1, sorted (sorted reads are kinder to a file). */
function pickDistinct(n: number, count: number, rand: () => number): Uint32Array {
  const chosen = new Set<number>();
  if (count * 2 > n) {
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < count; i++) { const j = i + ((rand() * (n - i)) | 0); [all[i], all[j]] = [all[j], all[i]]; }
    return all.subarray(0, count).sort();
  }
  while (chosen.size < count) chosen.add((rand() * n) | 0);
  return Uint32Array.from(chosen).sort();
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}
