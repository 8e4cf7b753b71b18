// The IVF index's lists scanned in int8 (kernels/int8Rows.ts): the unit rows quantised and laid
// out in list order — each row once, after the other rows of the first list that holds it, so
// most of a list is one contiguous run — then a query scores the probed lists with the SIMD
// kernel, keeps the best `candidates` and re-scores those exactly in float32. Same lists, same
// nprobe as IvfIndex.search; the int8 copy costs n x dim bytes (300 MB at 1M x 300).
import { Int8Rows } from '../kernels/int8Rows';
import { optionalKernelModule } from '../kernels/wasmModule';
import { dot, type IvfHit, type IvfIndex, TopK } from './ivfIndex';

export class Int8IvfScan {
  private readonly rows: Int8Rows;
  private readonly seen: Uint32Array;
  private stamp = 0;

  /** `unit`: the n x dim unit rows the index was built for (kept and read for re-scoring). */
  constructor(readonly ivf: IvfIndex, private readonly unit: Float32Array) {
    const { n, dim, ids } = ivf;
    if (unit.length !== n * dim) throw new Error(`Int8IvfScan: ${unit.length} values, expected ${n} x ${dim}`);
    this.rows = new Int8Rows(n, dim, ids.length);
    // A row's position: its place among the rows of its first list; entries point at positions.
    const position = new Uint32Array(n).fill(0xffffffff);
    let next = 0;
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j];
      if (position[id] === 0xffffffff) { position[id] = next; this.rows.setRow(next++, unit, id * dim); }
      this.rows.index[j] = position[id];
    }
    if (next !== n) throw new Error(`Int8IvfScan: the index lists ${next} of ${n} rows`);
    this.seen = new Uint32Array(n);
  }

  /** As IvfIndex.search (unit query, best first, `skip` left out), the lists scanned in int8 and
   *  the best `candidates` re-scored in float32. */
  search(q: Float32Array, k: number, skip?: Set<number>, nprobe = this.ivf.nprobe, candidates = Math.max(100, 10 * k)): IvfHit[] {
    const { ivf, rows, unit, seen } = this;
    const { offsets, ids, dim } = ivf;
    if (++this.stamp === 0xffffffff) { seen.fill(0); this.stamp = 1; }
    const stamp = this.stamp;
    rows.setQuery(q);
    const pool = new TopK(candidates);
    let floor = -Infinity;
    for (const l of ivf.rankLists(q).subarray(0, Math.min(ivf.nlist, nprobe))) {
      const from = offsets[l], to = offsets[l + 1];
      rows.score(from, to - from);
      const out = rows.out;
      for (let j = from; j < to; j++) {
        if (!(out[j] > floor)) continue;
        const id = ids[j];
        // A row in two probed lists has the same score twice: offered once.
        if (seen[id] === stamp || skip?.has(id)) continue;
        seen[id] = stamp;
        pool.offer(id, out[j]);
        floor = pool.floor;
      }
    }
    const top = new TopK(k);
    for (const { id } of pool.best()) top.offer(id, dot(unit, id * dim, q, dim));
    return top.best();
  }
}

/** The int8 scan of `ivf`, or undefined where this runtime has no WebAssembly SIMD or the rows do
 *  not fit a wasm memory (the float32 scan of IvfIndex.search then answers). */
export function int8Scan(ivf: IvfIndex, unit: Float32Array, onProblem?: (message: string) => void): Int8IvfScan | undefined {
  if (!optionalKernelModule('int8Rows')) return undefined;
  try {
    return new Int8IvfScan(ivf, unit);
  } catch (error) {
    onProblem?.(`int8 neighbour scan unavailable (${(error as Error).message}); scanning float32`);
    return undefined;
  }
}
