// An inverted-file (IVF) index for approximate cosine neighbours of a large vocabulary: the
// unit vectors are grouped around `nlist` centroids (spherical k-means, ivfBuild.ts), each row
// in the lists of its two nearest centroids (a neighbour across a list boundary is then found
// without probing many more lists); a query ranks the centroids, then scores exactly only the
// members of the `nprobe` best lists. `nprobe` is chosen at build time as the smallest that
// reaches the target recall@10 on sampled words, and stored with the lists.
// File `neighbors.ivf`: a header of u32 (magic, version, n, dim, nlist, nprobe), f32 recall,
// then f32 centroids [nlist x dim], u32 offsets [nlist + 1], u32 ids [offsets[nlist]] (little-endian).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const IVF_FILE = 'neighbors.ivf';
const MAGIC = 0x5649_4c57; // "WLIV"
const VERSION = 2;
const HEADER_BYTES = 7 * 4;

export interface IvfHit { id: number; score: number }

export class IvfIndex {
  constructor(
    readonly n: number,
    readonly dim: number,
    /** Unit centroids, row-major [nlist x dim]. */
    readonly centroids: Float32Array,
    /** List l holds ids[offsets[l] .. offsets[l + 1]); a row is in one or two lists. */
    readonly offsets: Uint32Array,
    readonly ids: Uint32Array,
    /** Lists scanned per query. */
    public nprobe: number,
    /** recall@10 measured at build time on sampled words (against exact search). */
    readonly recall: number,
  ) {
    if (centroids.length % dim !== 0 || offsets.length !== centroids.length / dim + 1 || ids.length !== offsets[offsets.length - 1] || ids.length < n) {
      throw new Error(`IVF index: inconsistent sizes (n ${n}, dim ${dim}, ${centroids.length / dim} centroids, ${offsets.length} offsets, ${ids.length} ids)`);
    }
  }

  get nlist(): number { return this.offsets.length - 1; }

  /** Per row, the query that last scored it: a row in two probed lists is scored once. */
  private seen: Uint32Array | undefined;
  private query = 0;

  /** The lists of a unit query, best first (all of them, scored by the centroid's cosine). */
  rankLists(q: Float32Array): Uint32Array {
    const scores = dotAll(this.centroids, this.nlist, this.dim, q);
    return Uint32Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  }

  /**
   * The k rows of `unit` (row-major, unit length) with the highest cosine to the unit query,
   * among the members of the `nprobe` best lists; ids in `skip` are left out. Best first.
   */
  search(unit: Float32Array, q: Float32Array, k: number, skip?: Set<number>, nprobe = this.nprobe): IvfHit[] {
    const lists = this.rankLists(q).subarray(0, Math.min(this.nlist, nprobe));
    const top = new TopK(k);
    const dim = this.dim;
    const seen = (this.seen ??= new Uint32Array(this.n));
    if (++this.query === 0xffffffff) { seen.fill(0); this.query = 1; }
    const stamp = this.query;
    for (const l of lists) {
      for (let j = this.offsets[l]; j < this.offsets[l + 1]; j++) {
        const id = this.ids[j];
        if (seen[id] === stamp) continue;
        seen[id] = stamp;
        if (skip?.has(id)) continue;
        top.offer(id, dot(unit, id * dim, q, dim));
      }
    }
    return top.best();
  }

  serialize(): Uint8Array {
    const bytes = new Uint8Array(HEADER_BYTES + this.centroids.byteLength + this.offsets.byteLength + this.ids.byteLength);
    const view = new DataView(bytes.buffer);
    [MAGIC, VERSION, this.n, this.dim, this.nlist, this.nprobe].forEach((v, i) => view.setUint32(i * 4, v, true));
    view.setFloat32(24, this.recall, true);
    let at = HEADER_BYTES;
    for (const part of [this.centroids, this.offsets, this.ids]) {
      bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
      at += part.byteLength;
    }
    return bytes;
  }

  /** Reads an index file; throws one line when it is not one, or not for an n x dim matrix. */
  static deserialize(bytes: Uint8Array, n: number, dim: number): IvfIndex {
    if (bytes.byteLength < HEADER_BYTES) throw new Error('IVF index: file too short');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const [magic, version, fn, fdim, nlist, nprobe] = [0, 1, 2, 3, 4, 5].map((i) => view.getUint32(i * 4, true));
    if (magic !== MAGIC) throw new Error('IVF index: not a Wordlens neighbour index');
    if (version !== VERSION) throw new Error(`IVF index: version ${version}, expected ${VERSION}`);
    if (fn !== n || fdim !== dim) throw new Error(`IVF index: built for ${fn} x ${fdim}, the model is ${n} x ${dim}`);
    const listed = bytes.byteLength >= HEADER_BYTES + 4 * (nlist * dim + nlist + 1) ? view.getUint32(HEADER_BYTES + 4 * (nlist * dim + nlist), true) : -1;
    const expected = HEADER_BYTES + 4 * (nlist * dim + nlist + 1 + listed);
    if (listed < n || bytes.byteLength !== expected) throw new Error(`IVF index: ${bytes.byteLength} bytes, expected ${listed < n ? 'more' : expected}`);
    // Copies: the byte offsets of a read file need not be 4-aligned.
    const take = (from: number, count: number) => new Uint8Array(bytes.buffer, bytes.byteOffset + from, count * 4).slice().buffer;
    let at = HEADER_BYTES;
    const centroids = new Float32Array(take(at, nlist * dim)); at += nlist * dim * 4;
    const offsets = new Uint32Array(take(at, nlist + 1)); at += (nlist + 1) * 4;
    const ids = new Uint32Array(take(at, listed));
    return new IvfIndex(n, dim, centroids, offsets, ids, nprobe, view.getFloat32(24, true));
  }
}

/** The k largest scores offered, ties by smaller id; a sorted array (k is small). */
export class TopK {
  private readonly ids: number[] = [];
  private readonly scores: number[] = [];
  constructor(private readonly k: number) {}
  offer(id: number, score: number): void {
    const n = this.ids.length;
    if (n === this.k && !(score > this.scores[n - 1] || (score === this.scores[n - 1] && id < this.ids[n - 1]))) return;
    let pos = n;
    while (pos > 0 && (score > this.scores[pos - 1] || (score === this.scores[pos - 1] && id < this.ids[pos - 1]))) pos--;
    this.ids.splice(pos, 0, id);
    this.scores.splice(pos, 0, score);
    if (this.ids.length > this.k) { this.ids.pop(); this.scores.pop(); }
  }
  best(): IvfHit[] { return this.ids.map((id, i) => ({ id, score: this.scores[i] })); }
  /** A score must beat this to enter (-Infinity until k are kept): a cheap test before offer(). */
  get floor(): number { return this.ids.length < this.k ? -Infinity : this.scores[this.k - 1]; }
}

/** q . m[row] for a row starting at `base`; 4 accumulators so V8 keeps them in registers. */
export function dot(m: Float32Array, base: number, q: Float32Array, dim: number): number {
  let a = 0, b = 0, c = 0, d = 0, k = 0;
  for (; k + 3 < dim; k += 4) {
    a += m[base + k] * q[k];
    b += m[base + k + 1] * q[k + 1];
    c += m[base + k + 2] * q[k + 2];
    d += m[base + k + 3] * q[k + 3];
  }
  for (; k < dim; k++) a += m[base + k] * q[k];
  return a + b + c + d;
}

/** q . each of the `rows` rows of m. */
export function dotAll(m: Float32Array, rows: number, dim: number, q: Float32Array): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = dot(m, r * dim, q, dim);
  return out;
}

/**
 * The index saved in model folder `dir` for an n x dim matrix, or undefined when there is
 * none. A damaged or stale file is reported through `onProblem` and ignored: exact search
 * still answers, so a bad index never stops a model from loading.
 */
export async function readIvf(dir: string, n: number, dim: number, onProblem?: (message: string) => void): Promise<IvfIndex | undefined> {
  const file = join(dir, IVF_FILE);
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') onProblem?.(`cannot read ${file}: ${err.message}`);
    return undefined;
  });
  if (!bytes) return undefined;
  try {
    return IvfIndex.deserialize(bytes, n, dim);
  } catch (error) {
    onProblem?.(`${file}: ${(error as Error).message}; using exact search`);
    return undefined;
  }
}
