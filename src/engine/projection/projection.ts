// Projections of an embedding matrix to 2-D/3-D: PCA (instant, the first picture) and UMAP
// (umap-js 1.4's algorithm, refined progressively). UMAP takes the exact cosine kNN graph from
// EmbeddingIndex up to EXACT_KNN_MAX points and NN-descent's approximate one above, builds the
// fuzzy graph and runs the SGD epochs on flat typed arrays (umapGraph.ts, umapLayout.ts),
// starting from PCA. Seeded: on one thread (the default below LAYOUT_THREADS_FROM points) a seed
// gives the same map; with more threads maps vary slightly between runs.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { findABParams } from 'umap-js/dist/umap';
import { EmbeddingIndex, type KnnGraph } from '../embeddings/neighbors';
import { nnDescentKnn } from './nnDescent';
import { fuzzySimplicialSet } from './umapGraph';
import { UmapLayout } from './umapLayout';
import { mulberry32 } from '../prng';

/** Row-major n x dims coordinates. */
export interface Projection { coords: Float32Array; dims: number }
export interface PcaResult extends Projection {
  /** Share of the total variance along each output axis, largest first. */
  explainedVarianceRatio: number[];
}
export interface UmapOptions {
  nComponents?: 2 | 3;
  nNeighbors?: number;
  seed?: number;
  /** Default as umap-js: 500 epochs up to 2,500 points, ..., 200 above 7,500. */
  nEpochs?: number;
  minDist?: number;
  spread?: number;
  /** A kNN graph already computed (EmbeddingIndex.knn, >= nNeighbors columns, self first). */
  knn?: KnnGraph;
  /** How to compute the kNN graph when none is given (default: exact up to EXACT_KNN_MAX points). */
  knnMethod?: 'exact' | 'nndescent';
  /** NN-descent's similarities from int8 rows (default true; see nnDescent.ts). */
  knnInt8?: boolean;
  /** Threads for the epochs, this one included (default: 1 below LAYOUT_THREADS_FROM points,
   *  2 from there where the machine has 2 cores). More are not bit-for-bit reproducible. */
  threads?: number;
  /** The epoch loop: 'wasm' (default, 2-D) or 'js' (the reference; benches compare the two). */
  layoutKernel?: 'wasm' | 'js';
  /** A PCA of the same matrix already computed (the first picture), reused as the start. */
  init?: Projection;
  /** Called with a copy of the coordinates every `reportEvery` epochs and at the end. */
  onEpoch?: (coords: Float32Array, epoch: number, total: number) => void;
  reportEvery?: number;
  signal?: AbortSignal;
}
export interface UmapResult extends Projection {
  epochs: number;
  knn: KnnGraph;
  knnMethod: 'given' | 'exact' | 'nndescent';
  threads: number;
  /** Seconds spent per phase. */
  timings: { knn: number; graph: number; init: number; epochs: number };
}

const POWER_ITERATIONS = 300;
/** Rows the PCA's covariance is estimated from (all of them up to this many): 20k rows find axes
 *  that capture the same variance of a 1M x 300 set as 100k rows did, in a fifth of the time
 *  (bench/map-1m.ts). */
export const PCA_SAMPLE_ROWS = 20_000;
/** Above this many points the exact kNN graph (O(n²), 6 s at 20k × 128, 35–44 s at 50k on wasm
 *  here) gives way to NN-descent (2 s and 6 s, with ~0.95 and ~0.9 of the exact neighbours on
 *  bench/projection.ts's deliberately hard data). */
export const EXACT_KNN_MAX = 10_000;
/** From this many points the epochs run on 2 threads by default: on this 2-core machine (one
 *  core busy with other work) they were 1.35x faster per epoch at 200k and 1.6x at 1M, where
 *  every negative sample waits on memory; at 50k 1 thread was faster (docs/benchmarks.md). */
export const LAYOUT_THREADS_FROM = 200_000;
const YIELD_EVERY_MS = 40;

/** Principal components by subspace iteration on the D x D covariance (deterministic). Above
 *  PCA_SAMPLE_ROWS rows the mean and covariance come from that many evenly spaced rows (a
 *  first picture of 1M words in seconds, and no 1.2 GB tensor); every row is still projected. */
export function pca(matrix: Float32Array, n: number, dim: number, outDims: 2 | 3 = 2, sampleRows = PCA_SAMPLE_ROWS): PcaResult {
  checkMatrix(matrix, n, dim);
  if (outDims !== 2 && outDims !== 3) throw new Error(`pca: outDims must be 2 or 3, got ${outDims}`);
  if (!Number.isInteger(sampleRows) || sampleRows < 2) throw new Error(`pca: sampleRows must be an integer >= 2, got ${sampleRows}`);
  const m = Math.min(n, sampleRows);
  const sample = m === n ? matrix : new Float32Array(m * dim);
  if (m < n) for (let j = 0; j < m; j++) { const i = Math.floor((j * n) / m); sample.set(matrix.subarray(i * dim, (i + 1) * dim), j * dim); }
  const mean = new Float64Array(dim);
  for (let i = 0; i < m; i++) for (let d = 0; d < dim; d++) mean[d] += sample[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= m;
  // X^T X on the TF backend (the only O(m D^2) step); centring is applied afterwards.
  const xtx = tf.tidy(() => {
    const x = tf.tensor2d(sample, [m, dim]);
    return tf.matMul(x, x, true, false);
  });
  const raw = xtx.dataSync();
  xtx.dispose();
  const cov = new Float64Array(dim * dim);
  for (let p = 0; p < dim; p++) {
    for (let q = 0; q < dim; q++) cov[p * dim + q] = (raw[p * dim + q] - m * mean[p] * mean[q]) / Math.max(1, m - 1);
  }
  const { vectors, values } = topEigen(cov, dim, Math.min(outDims, dim));
  let total = 0;
  for (let d = 0; d < dim; d++) total += cov[d * dim + d];
  const coords = new Float32Array(n * outDims);
  const shifts = vectors.map((v) => { let sh = 0; for (let d = 0; d < dim; d++) sh += mean[d] * v[d]; return sh; });
  // The first two components in one pass (each value read once for both), a third in another.
  if (vectors.length >= 2) projectPair(matrix, n, dim, vectors[0], vectors[1], shifts, coords, outDims, 0);
  else if (vectors.length === 1) projectPair(matrix, n, dim, vectors[0], new Float64Array(dim), [shifts[0], 0], coords, outDims, 0);
  if (vectors.length === 3) projectPair(matrix, n, dim, vectors[2], new Float64Array(dim), [shifts[2], 0], coords, outDims, 2);
  return { coords, dims: outDims, explainedVarianceRatio: values.map((v) => (total > 0 ? Math.max(0, v) / total : 0)) };
}

/** coords[i * stride + at (+1)] = row i . a (. b) minus the shifts; a lone last column (at =
 *  stride - 1) gets only a's. */
function projectPair(m: Float32Array, n: number, dim: number, a: Float64Array, b: Float64Array, shifts: number[], coords: Float32Array, stride: number, at: number): void {
  const both = at + 1 < stride;
  for (let i = 0; i < n; i++) {
    const base = i * dim;
    let a0 = 0, a1 = 0, b0 = 0, b1 = 0, d = 0;
    for (; d + 1 < dim; d += 2) {
      const x0 = m[base + d], x1 = m[base + d + 1];
      a0 += x0 * a[d]; a1 += x1 * a[d + 1];
      b0 += x0 * b[d]; b1 += x1 * b[d + 1];
    }
    if (d < dim) { a0 += m[base + d] * a[d]; b0 += m[base + d] * b[d]; }
    coords[i * stride + at] = a0 + a1 - shifts[0];
    if (both) coords[i * stride + at + 1] = b0 + b1 - shifts[1];
  }
}

/** UMAP of the rows of `matrix`; asynchronous so it reports progress and can be cancelled. */
export async function umapProject(matrix: Float32Array, n: number, dim: number, opts: UmapOptions = {}): Promise<UmapResult> {
  checkMatrix(matrix, n, dim);
  const nComponents = opts.nComponents ?? 2;
  const nNeighbors = opts.nNeighbors ?? 15;
  if (nComponents !== 2 && nComponents !== 3) throw new Error(`umapProject: nComponents must be 2 or 3, got ${nComponents}`);
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2) throw new Error(`umapProject: nNeighbors must be an integer >= 2, got ${nNeighbors}`);
  if (n <= nNeighbors) throw new Error(`umapProject: ${n} points are too few for ${nNeighbors} neighbours; add points or lower nNeighbors`);
  const signal = opts.signal;
  signal?.throwIfAborted();
  const clock = () => performance.now() / 1000;

  let t = clock();
  let knn = opts.knn;
  const knnMethod = knn ? 'given' : (opts.knnMethod ?? (n > EXACT_KNN_MAX ? 'nndescent' : 'exact'));
  if (!knn && knnMethod === 'nndescent') {
    knn = await nnDescentKnn(matrix, n, dim, nNeighbors, { seed: opts.seed ?? 42, signal, int8: opts.knnInt8 });
  } else if (!knn) {
    const index = new EmbeddingIndex(Array.from({ length: n }, (_, i) => String(i)), matrix, dim);
    try {
      knn = await index.knnAsync(nNeighbors, { signal });
    } finally {
      index.dispose();
    }
  }
  const tKnn = clock() - t;

  t = clock();
  const graph = fuzzySimplicialSet(knn, nNeighbors);
  const tGraph = clock() - t;

  t = clock();
  const random = mulberry32(opts.seed ?? 42);
  const start = opts.init ?? pca(matrix, n, dim, nComponents);
  if (start.dims !== nComponents || start.coords.length !== n * nComponents) throw new Error('umapProject: init does not match n x nComponents');
  // As umap-learn does for a PCA/spectral start: scale to +-10 and add a little noise.
  let maxAbs = 0;
  for (const v of start.coords) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = maxAbs > 0 ? 10 / maxAbs : 1;
  const threads = opts.threads ?? (n >= LAYOUT_THREADS_FROM ? Math.min(2, availableParallelism()) : 1);
  const embedding = new Float64Array(n * nComponents);
  for (let i = 0; i < embedding.length; i++) embedding[i] = start.coords[i] * scale + gaussian(random) * 1e-4;
  const { a, b } = findABParams(opts.spread ?? 1, opts.minDist ?? 0.1);
  const nEpochs = opts.nEpochs ?? defaultEpochs(n);
  const layout = new UmapLayout(graph, embedding, nComponents, { a, b, nEpochs, threads, kernel: opts.layoutKernel }, random);
  const tInit = clock() - t;

  t = clock();
  const every = Math.max(1, opts.reportEvery ?? 10);
  let lastYield = performance.now();
  try {
    while (!layout.done) {
      layout.step();
      if (opts.onEpoch && (layout.epoch % every === 0 || layout.done)) opts.onEpoch(Float32Array.from(embedding), layout.epoch, nEpochs);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
        lastYield = performance.now();
      }
    }
  } finally {
    layout.dispose();
  }
  return {
    coords: Float32Array.from(embedding),
    dims: nComponents,
    epochs: nEpochs,
    knn,
    knnMethod,
    threads,
    timings: { knn: tKnn, graph: tGraph, init: tInit, epochs: clock() - t },
  };
}

/** Share of each point's k nearest neighbours in the original space (from a kNN graph whose
 *  rows start with the point itself) that are among its k nearest on the map. Computed over
 *  `sample` evenly spaced points (all when n <= sample). */
export function neighborhoodPreservation(highDimKnn: KnnGraph | number[][], coords: Projection | number[][], k = 15, sample = 5000): number {
  const indices = Array.isArray(highDimKnn) ? highDimKnn : highDimKnn.indices;
  const n = indices.length;
  const map = Array.isArray(coords) ? { coords: Float32Array.from(coords.flat()), dims: coords[0]?.length ?? 0 } : coords;
  const dims = map.dims;
  if (map.coords.length !== n * dims) throw new Error(`neighborhoodPreservation: ${n} kNN rows but ${map.coords.length / Math.max(1, dims)} map points`);
  const m = Math.min(n, sample);
  let total = 0;
  for (let s = 0; s < m; s++) {
    const i = Math.floor((s * n) / m);
    const truth = indices[i].filter((j) => j !== i).slice(0, k);
    if (truth.length === 0) continue;
    const near = mapNeighbors(map.coords, dims, n, i, truth.length);
    let hit = 0;
    for (const j of truth) if (near.has(j)) hit++;
    total += hit / truth.length;
  }
  return total / m;
}

/** The k nearest points to point i on the map (brute force). */
function mapNeighbors(c: Float32Array, dims: number, n: number, i: number, k: number): Set<number> {
  const best = new Float64Array(k).fill(Infinity);
  const ids = new Int32Array(k).fill(-1);
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let d2 = 0;
    for (let d = 0; d < dims; d++) d2 += (c[i * dims + d] - c[j * dims + d]) ** 2;
    if (d2 >= best[k - 1]) continue;
    let p = k - 1;
    while (p > 0 && best[p - 1] > d2) {
      best[p] = best[p - 1];
      ids[p] = ids[p - 1];
      p--;
    }
    best[p] = d2;
    ids[p] = j;
  }
  return new Set(ids);
}

function defaultEpochs(n: number): number {
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

function checkMatrix(matrix: Float32Array, n: number, dim: number): void {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) throw new Error(`projection: n and dim must be positive integers (got ${n}, ${dim})`);
  if (matrix.length !== n * dim) throw new Error(`projection: matrix has ${matrix.length} values, expected ${n} x ${dim} = ${n * dim}`);
}

/** The top `count` eigenpairs of a symmetric PSD matrix: subspace iteration with a few
 *  extra vectors, then Rayleigh-Ritz. Signs fixed (largest |component| positive). */
function topEigen(cov: Float64Array, dim: number, count: number): { vectors: Float64Array[]; values: number[] } {
  const m = Math.min(dim, count + 3);
  const rand = mulberry32(1);
  let q: Float64Array[] = Array.from({ length: m }, () => Float64Array.from({ length: dim }, () => rand() - 0.5));
  orthonormalize(q);
  let prev = Infinity;
  for (let it = 0; it < POWER_ITERATIONS; it++) {
    q = q.map((v) => mulSym(cov, dim, v));
    const trace = q.reduce((s, v) => s + Math.hypot(...v), 0);
    orthonormalize(q);
    if (Math.abs(trace - prev) <= 1e-12 * Math.abs(trace)) break;
    prev = trace;
  }
  // Rayleigh-Ritz: eigenvectors of Q^T C Q.
  const cq = q.map((v) => mulSym(cov, dim, v));
  const t = new Float64Array(m * m);
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) t[r * m + c] = dot(q[r], cq[c]);
  const { values, vectors } = jacobiEigen(t, m);
  const order = [...values.keys()].sort((x, y) => values[y] - values[x]).slice(0, count);
  const outVectors = order.map((e) => {
    const v = new Float64Array(dim);
    for (let r = 0; r < m; r++) for (let d = 0; d < dim; d++) v[d] += vectors[r * m + e] * q[r][d];
    let big = 0;
    for (let d = 1; d < dim; d++) if (Math.abs(v[d]) > Math.abs(v[big])) big = d;
    if (v[big] < 0) for (let d = 0; d < dim; d++) v[d] = -v[d];
    return v;
  });
  return { vectors: outVectors, values: order.map((e) => values[e]) };
}

function mulSym(a: Float64Array, dim: number, v: Float64Array): Float64Array {
  const out = new Float64Array(dim);
  for (let r = 0; r < dim; r++) {
    let s = 0;
    for (let c = 0; c < dim; c++) s += a[r * dim + c] * v[c];
    out[r] = s;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Modified Gram-Schmidt in place; a vector that vanishes is replaced by a basis vector. */
function orthonormalize(q: Float64Array[]): void {
  for (let i = 0; i < q.length; i++) {
    for (let j = 0; j < i; j++) {
      const p = dot(q[i], q[j]);
      for (let d = 0; d < q[i].length; d++) q[i][d] -= p * q[j][d];
    }
    let norm = Math.sqrt(dot(q[i], q[i]));
    if (norm < 1e-300) {
      q[i].fill(0);
      q[i][i % q[i].length] = 1;
      norm = 1;
    }
    for (let d = 0; d < q[i].length; d++) q[i][d] /= norm;
  }
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix (columns of `vectors`). */
function jacobiEigen(input: Float64Array, m: number): { values: number[]; vectors: Float64Array } {
  const a = input.slice();
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += a[p * m + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p], akq = a[k * m + q];
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k], aqk = a[q * m + k];
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p], vkq = v[k * m + q];
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Array.from({ length: m }, (_, i) => a[i * m + i]), vectors: v };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
