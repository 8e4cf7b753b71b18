// Approximate cosine kNN graph by NN-descent (Dong, Charikar & Li 2011), as umap-learn gets its
// graph from pynndescent: random-projection trees give every point a first guess, then "a
// neighbour of my neighbour is probably my neighbour" refines all guesses at once. The exact
// graph is O(n² D) (34 s at 50k × 128 on wasm here); this is O(n k² D) per iteration, and a
// few iterations reach ~99% of the exact neighbours (bench/projection.ts prints the recall).
import type { KnnGraph } from '../embeddings/neighbors';
import { mulberry32 } from '../prng';
import { createSgnsKernels } from '../kernels/sgnsKernels';
import { Int8PairScorer } from '../kernels/int8Pairs';

export interface NnDescentOptions {
  seed?: number;
  /** Random-projection trees for the first guess (more: better start, slower). */
  nTrees?: number;
  /** Points per tree leaf; every pair in a leaf is compared. */
  leafSize?: number;
  maxIterations?: number;
  /** Stop once an iteration changes fewer than delta × n × k neighbours. */
  delta?: number;
  /** Neighbours (and reverse neighbours) of each point joined per iteration. */
  maxCandidates?: number;
  /** Similarities from int8 copies of the rows (default true where WebAssembly SIMD runs; the
   *  neighbours found are then re-scored in float32), or float32 throughout (false: ~1.6x
   *  slower at 200k x 300, and finds the near-ties int8 may swap). */
  int8?: boolean;
  signal?: AbortSignal;
  /** After the trees (iteration 0) and each iteration, with the neighbours it changed. */
  onProgress?: (iteration: number, updates: number) => void;
}

/** The k nearest rows (cosine) of each row of `matrix` [n, dim], self first at distance 0;
 *  distances are euclidean between the unit rows, as EmbeddingIndex.knn gives them. */
export async function nnDescentKnn(matrix: Float32Array, n: number, dim: number, k: number, opts: NnDescentOptions = {}): Promise<KnnGraph> {
  if (!Number.isInteger(k) || k < 2 || k > n) throw new Error(`nnDescent: k must be an integer in 2..${n}, got ${k}`);
  if (matrix.length !== n * dim) throw new Error(`nnDescent: matrix has ${matrix.length} values, expected ${n} x ${dim}`);
  const signal = opts.signal;
  const pause = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
  };
  const random = mulberry32(opts.seed ?? 42);
  const maxCandidates = opts.maxCandidates ?? Math.min(60, 3 * k);
  const batch = Math.max(n, 2 * maxCandidates);
  const int8 = opts.int8 === false ? undefined : int8Scorer(matrix, n, dim, batch);
  const sim = int8 ?? floatScorer(matrix, n, dim, batch);
  const heap = new NeighborHeap(n, k - 1); // self is added at the end
  const leafSize = Math.max(opts.leafSize ?? 30, k);
  const nTrees = opts.nTrees ?? Math.min(12, 4 + Math.round(Math.log2(Math.max(2, n / 1000))));
  for (let t = 0; t < nTrees; t++) {
    rpTreeLeafJoin(n, leafSize, random, heap, sim);
    if (t % 2 === 1) await pause();
  }
  opts.onProgress?.(0, n);

  const threshold = (opts.delta ?? 0.001) * n * (k - 1);
  const maxIterations = opts.maxIterations ?? 10;
  const cand = new Candidates(n, maxCandidates);
  for (let it = 1; it <= maxIterations; it++) {
    cand.collect(heap, random);
    const updates = localJoin(heap, cand, sim);
    opts.onProgress?.(it, updates);
    await pause();
    if (updates <= threshold) break;
  }
  // The int8 cosines chose the neighbours; their order and distances come from the floats.
  if (int8) heap.rescore((i, j) => cosine(matrix, dim, i, j, int8.invNorm));
  return heap.toGraph();
}

/** Cosines of one row with a batch of others (ids and out are the scorer's own buffers), and
 *  the trees' split direction kept as row n. */
interface Scorer {
  readonly ids: Int32Array;
  readonly out: Float32Array;
  /** out[t] = cosine of row `row` with row ids[t], for t < count. */
  score(row: number, count: number): void;
  /** Row n becomes unit(a) - unit(b): the normal of the plane halfway between them. */
  setDirection(a: number, b: number): void;
}

/** Offers p and q to each other's heaps; returns how many took it. */
function offerPair(heap: NeighborHeap, p: number, q: number, s: number): number {
  return heap.push(p, q, s) + heap.push(q, p, s);
}

function cosine(matrix: Float32Array, dim: number, i: number, j: number, invNorm: Float32Array): number {
  let s0 = 0, s1 = 0;
  const a = i * dim, b = j * dim;
  let d = 0;
  for (; d + 1 < dim; d += 2) {
    s0 += matrix[a + d] * matrix[b + d];
    s1 += matrix[a + d + 1] * matrix[b + d + 1];
  }
  if (d < dim) s0 += matrix[a + d] * matrix[b + d];
  return (s0 + s1) * invNorm[i] * invNorm[j];
}

/** 1 / |row| of each row (0 for a zero row: similarity 0 to all). */
function inverseNorms(matrix: Float32Array, n: number, dim: number): Float32Array {
  const inv = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += matrix[i * dim + d] ** 2;
    inv[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return inv;
}

/** The rows as int8 (kernels/int8Pairs.ts): 4x fewer bytes fetched a similarity, where at a
 *  million rows nearly every row fetched misses the cache. Their cosines are within ~0.003 of
 *  the float ones: enough to pick neighbours, though near-ties may swap (bench/umap-scale.ts
 *  measures the recall), which the final float re-scoring then orders exactly. */
function int8Scorer(matrix: Float32Array, n: number, dim: number, batch: number): (Scorer & { invNorm: Float32Array }) | undefined {
  const rows = Int8PairScorer.create(n + 1, dim, batch);
  if (!rows) return undefined;
  const invNorm = inverseNorms(matrix, n, dim);
  for (let i = 0; i < n; i++) rows.setRow(i, matrix, i * dim, invNorm[i]);
  const direction = new Float32Array(dim);
  return {
    ids: rows.ids,
    out: rows.out,
    invNorm,
    score: (row, count) => rows.score(row, count),
    setDirection(a, b) {
      for (let d = 0; d < dim; d++) direction[d] = matrix[a * dim + d] * invNorm[a] - matrix[b * dim + d] * invNorm[b];
      rows.setRow(n, direction);
    },
  };
}

/** The rows scaled to unit length in float32, padded to a multiple of 4 floats, in the wasm SIMD
 *  kernels' memory when this runtime has them (~3x faster dot products than a JS loop). */
function floatScorer(matrix: Float32Array, n: number, dim: number, batch: number): Scorer {
  const stride = Math.ceil(dim / 4) * 4;
  // One spare row after the data: the trees' split direction.
  const kernels = createSgnsKernels((n + 1) * stride * 4);
  const unit = kernels ? new Float32Array(kernels.memory.buffer, 0, (n + 1) * stride) : new Float32Array((n + 1) * stride);
  const invNorm = inverseNorms(matrix, n, dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) unit[i * stride + d] = matrix[i * dim + d] * invNorm[i];
  const bytes = stride * 4;
  const kdot = kernels?.dot;
  const sim = kdot ? (p: number, q: number) => kdot(p * bytes, q * bytes, stride) : (p: number, q: number) => dot(unit, p * stride, q * stride, stride);
  const ids = new Int32Array(batch), out = new Float32Array(batch);
  return {
    ids,
    out,
    score(row, count) {
      for (let t = 0; t < count; t++) out[t] = sim(row, ids[t]);
    },
    setDirection(a, b) {
      for (let d = 0; d < dim; d++) unit[n * stride + d] = unit[a * stride + d] - unit[b * stride + d];
    },
  };
}

function dot(x: Float32Array, a: number, b: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let d = 0; d < dim; d += 4) {
    s0 += x[a + d] * x[b + d];
    s1 += x[a + d + 1] * x[b + d + 1];
    s2 += x[a + d + 2] * x[b + d + 2];
    s3 += x[a + d + 3] * x[b + d + 3];
  }
  return s0 + s1 + s2 + s3;
}

/** Each point's best m neighbours so far: a min-heap on similarity (the root is the worst),
 *  with a "new" flag per slot (not yet used in a local join). */
class NeighborHeap {
  readonly ids: Int32Array;
  readonly sims: Float32Array;
  readonly fresh: Uint8Array;
  constructor(readonly n: number, readonly m: number) {
    this.ids = new Int32Array(n * m).fill(-1);
    this.sims = new Float32Array(n * m).fill(-Infinity);
    this.fresh = new Uint8Array(n * m);
  }

  /** Offers j as a neighbour of i; returns 1 when it was taken. */
  push(i: number, j: number, s: number): number {
    const { ids, sims, m } = this;
    const base = i * m;
    if (!(s > sims[base])) return 0;
    for (let t = base; t < base + m; t++) if (ids[t] === j) return 0;
    let pos = 0;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= m) break;
      const r = l + 1;
      const c = r < m && sims[base + r] < sims[base + l] ? r : l;
      if (sims[base + c] >= s) break;
      sims[base + pos] = sims[base + c];
      ids[base + pos] = ids[base + c];
      this.fresh[base + pos] = this.fresh[base + c];
      pos = c;
    }
    sims[base + pos] = s;
    ids[base + pos] = j;
    this.fresh[base + pos] = 1;
    return 1;
  }

  /** Replaces every stored similarity by sim(i, j) (the heap order is not kept: toGraph sorts). */
  rescore(sim: (i: number, j: number) => number): void {
    const { ids, sims, m } = this;
    for (let i = 0; i < this.n; i++) for (let t = i * m; t < i * m + m; t++) if (ids[t] >= 0) sims[t] = sim(i, ids[t]);
  }

  toGraph(): KnnGraph {
    const { m } = this;
    const indices: number[][] = [];
    const distances: number[][] = [];
    const order = [...Array(m).keys()];
    for (let i = 0; i < this.n; i++) {
      const base = i * m;
      order.sort((p, q) => this.sims[base + q] - this.sims[base + p] || this.ids[base + p] - this.ids[base + q]);
      const idx = [i];
      const dist = [0];
      for (const t of order) {
        if (this.ids[base + t] < 0) continue;
        idx.push(this.ids[base + t]);
        dist.push(Math.sqrt(Math.max(0, 2 - 2 * this.sims[base + t])));
      }
      indices.push(idx);
      distances.push(dist);
    }
    return { indices, distances };
  }
}

/** One random-projection tree (angular splits through the origin); every pair within a leaf
 *  is offered to both points' heaps. */
function rpTreeLeafJoin(n: number, leafSize: number, random: () => number, heap: NeighborHeap, sim: Scorer): void {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const side = new Uint8Array(n);
  const { ids, out } = sim;
  const stack: number[] = [0, n];
  while (stack.length) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= leafSize) {
      for (let a = lo; a < hi - 1; a++) {
        const p = perm[a];
        ids.set(perm.subarray(a + 1, hi));
        sim.score(p, hi - a - 1);
        for (let t = 0; t < hi - a - 1; t++) offerPair(heap, p, ids[t], out[t]);
      }
      continue;
    }
    // The hyperplane halfway between two random points of the node; row n is its normal.
    const a = perm[lo + Math.floor(random() * (hi - lo))];
    let b = perm[lo + Math.floor(random() * (hi - lo))];
    if (b === a) b = perm[a === perm[lo] ? lo + 1 : lo];
    sim.setDirection(a, b);
    ids.set(perm.subarray(lo, hi));
    sim.score(n, hi - lo);
    let left = 0;
    for (let t = lo; t < hi; t++) {
      const s = out[t - lo];
      // Points on the plane (duplicates, zero rows) go to a random side.
      const l = s > 0 || (s === 0 && random() < 0.5);
      side[t - lo] = l ? 1 : 0;
      if (l) left++;
    }
    if (left === 0 || left === hi - lo) {
      // A degenerate split (all points equal along it): halve the node at random instead.
      left = 0;
      for (let t = lo; t < hi; t++) {
        side[t - lo] = random() < 0.5 ? 1 : 0;
        left += side[t - lo];
      }
      if (left === 0 || left === hi - lo) left = (side[0] = 1 - side[0]) ? 1 : hi - lo - 1;
    }
    // Stable partition: left side first.
    const tmp = perm.slice(lo, hi);
    let wl = lo, wr = lo + left;
    for (let t = 0; t < tmp.length; t++) perm[side[t] ? wl++ : wr++] = tmp[t];
    stack.push(lo, lo + left, lo + left, hi);
  }
}

/** Per point, a random sample (reservoir) of at most c new and c old candidates, drawn from its
 *  neighbours and the points that have it as a neighbour. */
class Candidates {
  readonly fresh: Int32Array;
  readonly freshCount: Int32Array;
  readonly old: Int32Array;
  readonly oldCount: Int32Array;
  private readonly freshSeen: Int32Array;
  private readonly oldSeen: Int32Array;
  constructor(readonly n: number, readonly c: number) {
    this.fresh = new Int32Array(n * c);
    this.old = new Int32Array(n * c);
    this.freshCount = new Int32Array(n);
    this.oldCount = new Int32Array(n);
    this.freshSeen = new Int32Array(n);
    this.oldSeen = new Int32Array(n);
  }

  collect(heap: NeighborHeap, random: () => number): void {
    const { n, c } = this;
    const { ids, fresh: isFresh, m } = heap;
    this.freshCount.fill(0);
    this.oldCount.fill(0);
    this.freshSeen.fill(0);
    this.oldSeen.fill(0);
    const offer = (list: Int32Array, count: Int32Array, seen: Int32Array, i: number, j: number) => {
      const k = seen[i]++;
      if (k < c) list[i * c + count[i]++] = j;
      else {
        const r = Math.floor(random() * (k + 1));
        if (r < c) list[i * c + r] = j;
      }
    };
    for (let i = 0; i < n; i++) {
      for (let t = i * m; t < i * m + m; t++) {
        const j = ids[t];
        if (j < 0) continue;
        if (isFresh[t]) {
          offer(this.fresh, this.freshCount, this.freshSeen, i, j);
          offer(this.fresh, this.freshCount, this.freshSeen, j, i);
        } else {
          offer(this.old, this.oldCount, this.oldSeen, i, j);
          offer(this.old, this.oldCount, this.oldSeen, j, i);
        }
      }
    }
    // Neighbours sampled as new candidates are joined now: from here on they are old.
    for (let i = 0; i < n; i++) {
      const list = this.fresh.subarray(i * c, i * c + this.freshCount[i]);
      for (let t = i * m; t < i * m + m; t++) if (isFresh[t] && list.includes(ids[t])) isFresh[t] = 0;
    }
  }
}

/** Compares every new candidate of each point with the other new ones and the old ones. */
function localJoin(heap: NeighborHeap, cand: Candidates, sim: Scorer): number {
  const { n, c, fresh, old, freshCount, oldCount } = cand;
  const { ids, out } = sim;
  let updates = 0;
  for (let i = 0; i < n; i++) {
    const nf = freshCount[i], no = oldCount[i];
    for (let a = 0; a < nf; a++) {
      const p = fresh[i * c + a];
      // The later new candidates, then the old ones, scored against p in one batch.
      const count = nf - a - 1 + no;
      ids.set(fresh.subarray(i * c + a + 1, i * c + nf));
      ids.set(old.subarray(i * c, i * c + no), nf - a - 1);
      sim.score(p, count);
      for (let t = 0; t < count; t++) if (ids[t] !== p) updates += offerPair(heap, p, ids[t], out[t]);
    }
  }
  return updates;
}
