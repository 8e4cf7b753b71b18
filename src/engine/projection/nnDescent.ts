// Approximate cosine kNN graph by NN-descent (Dong, Charikar & Li 2011), as umap-learn gets its
// graph from pynndescent: random-projection trees give every point a first guess, then "a
// neighbour of my neighbour is probably my neighbour" refines all guesses at once. The exact
// graph is O(n² D) (34 s at 50k × 128 on wasm here); this is O(n k² D) per iteration, and a
// few iterations reach ~99% of the exact neighbours (bench/projection.ts prints the recall).
import type { KnnGraph } from '../embeddings/neighbors';
import { mulberry32 } from '../prng';
import { createSgnsKernels } from '../kernels/sgnsKernels';

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
  const { unit, sim } = unitRows(matrix, n, dim);
  const heap = new NeighborHeap(n, k - 1); // self is added at the end
  const leafSize = Math.max(opts.leafSize ?? 30, k);
  const nTrees = opts.nTrees ?? Math.min(12, 4 + Math.round(Math.log2(Math.max(2, n / 1000))));
  for (let t = 0; t < nTrees; t++) {
    rpTreeLeafJoin(unit, n, sim.stride, leafSize, random, heap, sim.dot);
    if (t % 2 === 1) await pause();
  }
  opts.onProgress?.(0, n);

  const maxCandidates = opts.maxCandidates ?? Math.min(60, 3 * k);
  const threshold = (opts.delta ?? 0.001) * n * (k - 1);
  const maxIterations = opts.maxIterations ?? 10;
  const cand = new Candidates(n, maxCandidates);
  for (let it = 1; it <= maxIterations; it++) {
    cand.collect(heap, random);
    const updates = localJoin(heap, cand, sim.dot);
    opts.onProgress?.(it, updates);
    await pause();
    if (updates <= threshold) break;
  }
  return heap.toGraph();
}

/** Similarity of rows p and q (unit rows, so cosine). */
type Sim = (p: number, q: number) => number;

/** The rows scaled to unit length, padded to a multiple of 4 floats, in the wasm SIMD kernels'
 *  memory when this runtime has them (~3x faster dot products than a JS loop). */
function unitRows(matrix: Float32Array, n: number, dim: number): { unit: Float32Array; sim: { dot: Sim; stride: number } } {
  const stride = Math.ceil(dim / 4) * 4;
  // One spare row after the data: the trees' split direction.
  const kernels = createSgnsKernels((n + 1) * stride * 4);
  const unit = kernels ? new Float32Array(kernels.memory.buffer, 0, (n + 1) * stride) : new Float32Array((n + 1) * stride);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += matrix[i * dim + d] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0; // a zero row stays zero: similarity 0 to all
    for (let d = 0; d < dim; d++) unit[i * stride + d] = matrix[i * dim + d] * inv;
  }
  if (kernels) {
    const kdot = kernels.dot;
    const bytes = stride * 4;
    return { unit, sim: { stride, dot: (p, q) => kdot(p * bytes, q * bytes, stride) } };
  }
  return { unit, sim: { stride, dot: (p, q) => dot(unit, p * stride, q * stride, stride) } };
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
function rpTreeLeafJoin(unit: Float32Array, n: number, dim: number, leafSize: number, random: () => number, heap: NeighborHeap, sim: Sim): void {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const side = new Uint8Array(n);
  const normal = unit.subarray(n * dim, (n + 1) * dim); // row n: sim(p, n) projects p on it
  const stack: number[] = [0, n];
  while (stack.length) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (hi - lo <= leafSize) {
      for (let a = lo; a < hi; a++) {
        const p = perm[a];
        for (let b = a + 1; b < hi; b++) {
          const q = perm[b];
          const s = sim(p, q);
          heap.push(p, q, s);
          heap.push(q, p, s);
        }
      }
      continue;
    }
    // The hyperplane halfway between two random points of the node.
    const a = perm[lo + Math.floor(random() * (hi - lo))];
    let b = perm[lo + Math.floor(random() * (hi - lo))];
    if (b === a) b = perm[a === perm[lo] ? lo + 1 : lo];
    for (let d = 0; d < dim; d++) normal[d] = unit[a * dim + d] - unit[b * dim + d];
    let left = 0;
    for (let t = lo; t < hi; t++) {
      const s = sim(perm[t], n);
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
function localJoin(heap: NeighborHeap, cand: Candidates, sim: Sim): number {
  const { n, c, fresh, old, freshCount, oldCount } = cand;
  let updates = 0;
  for (let i = 0; i < n; i++) {
    const nf = freshCount[i], no = oldCount[i];
    for (let a = 0; a < nf; a++) {
      const p = fresh[i * c + a];
      for (let b = a + 1; b < nf; b++) {
        const q = fresh[i * c + b];
        if (p === q) continue;
        const s = sim(p, q);
        updates += heap.push(p, q, s) + heap.push(q, p, s);
      }
      for (let b = 0; b < no; b++) {
        const q = old[i * c + b];
        if (p === q) continue;
        const s = sim(p, q);
        updates += heap.push(p, q, s) + heap.push(q, p, s);
      }
    }
  }
  return updates;
}
