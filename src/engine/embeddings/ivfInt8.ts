// The IVF index's lists scanned in int8 (kernels/int8Rows.ts): the unit rows quantised and laid
// out in list order, then a query scores the probed lists with the SIMD kernel, keeps the best
// `candidates` and re-scores those exactly in float32. Same lists, same nprobe as
// IvfIndex.search; the int8 copy costs dim bytes a list entry (600 MB at 1M x 300, two lists a row).
import { Int8Rows } from '../kernels/int8Rows';
import { optionalKernelModule } from '../kernels/wasmModule';
import { dot, type IvfHit, type IvfIndex, TopK } from './ivfIndex';

export class Int8IvfScan {
  private readonly rows: Int8Rows;
  private readonly seen: Uint32Array;
  private stamp = 0;

  /** `unit`: the n x dim unit rows the index was built for (kept and read for re-scoring).
   *  `everyList` (default): a copy of a row in each of its lists, so every list is one contiguous
   *  run (2x the memory with two lists a row, 5-6x faster scans at 1M: bench/neighbors-1m.ts);
   *  else each row once, after the other rows of its first list, the rest of a list scattered. */
  constructor(readonly ivf: IvfIndex, private readonly unit: Float32Array, everyList = true) {
    const { n, dim, ids } = ivf;
    if (unit.length !== n * dim) throw new Error(`Int8IvfScan: ${unit.length} values, expected ${n} x ${dim}`);
    const rows = (this.rows = new Int8Rows(everyList ? ids.length : n, dim, ids.length));
    const NONE = 0xffffffff;
    const first = new Uint32Array(n).fill(NONE); // where each row was first stored
    let next = 0, distinct = 0;
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j];
      if (first[id] === NONE) { first[id] = next; rows.setRow(next, unit, id * dim); rows.index[j] = next++; distinct++; }
      else if (everyList) { rows.copyRow(first[id], next); rows.index[j] = next++; }
      else rows.index[j] = first[id];
    }
    if (distinct !== n) throw new Error(`Int8IvfScan: the index lists ${distinct} of ${n} rows`);
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
