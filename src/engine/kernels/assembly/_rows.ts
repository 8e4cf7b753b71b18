// Row and element-wise helpers of the fused trainer: embedding gather and scatter-add,
// touched-row bookkeeping for sparse updates, bias broadcast and column sums, inverted
// dropout from a seeded generator, squared norms. Addresses are bytes; widths are floats.

/** d[j] = s[j] for j < width. */
// @ts-ignore: decorator
@inline function copyRow(d: usize, s: usize, width: i32): void {
  let j = 0;
  for (; j + 4 <= width; j += 4) v128.store(d + (<usize>j << 2), v128.load(s + (<usize>j << 2)));
  for (; j < width; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
}

/** d[j] += s[j] for j < width. */
// @ts-ignore: decorator
@inline function addRow(d: usize, s: usize, width: i32): void {
  let j = 0;
  for (; j + 4 <= width; j += 4) {
    const o = <usize>j << 2;
    v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
  }
  for (; j < width; j++) store<f32>(d + (<usize>j << 2), load<f32>(d + (<usize>j << 2)) + load<f32>(s + (<usize>j << 2)));
}

/** dst[r] = table[ids[r]] for r < n (rows of `width` floats). */
export function gatherRows(table: usize, ids: usize, n: i32, width: i32, dst: usize): void {
  const wb = <usize>width << 2;
  for (let r = 0; r < n; r++) {
    copyRow(dst + <usize>r * wb, table + <usize>load<i32>(ids + (<usize>r << 2)) * wb, width);
  }
}

/** table[ids[r]] += src[r] for r < n (repeated ids accumulate). */
export function scatterAddRows(table: usize, ids: usize, n: i32, width: i32, src: usize): void {
  const wb = <usize>width << 2;
  for (let r = 0; r < n; r++) {
    addRow(table + <usize>load<i32>(ids + (<usize>r << 2)) * wb, src + <usize>r * wb, width);
  }
}

/** Marks ids[0..n) in `flags` (one byte per row) and appends newly marked ones to `list`,
 *  which holds `count` ids already; returns the new count. */
export function touchRows(ids: usize, n: i32, flags: usize, list: usize, count: i32): i32 {
  for (let r = 0; r < n; r++) {
    const id = load<i32>(ids + (<usize>r << 2));
    if (load<u8>(flags + <usize>id) == 0) {
      store<u8>(flags + <usize>id, 1);
      store<i32>(list + (<usize>count << 2), id);
      count++;
    }
  }
  return count;
}

/** dst[r] = bias for every row r < rows. */
export function fillRows(dst: usize, bias: usize, rows: i32, width: i32): void {
  const wb = <usize>width << 2;
  for (let r = 0; r < rows; r++) {
    copyRow(dst + <usize>r * wb, bias, width);
  }
}

/** dst[j] += Σ_r src[r, j]. */
export function addColumnSums(dst: usize, src: usize, rows: i32, width: i32): void {
  const wb = <usize>width << 2;
  for (let r = 0; r < rows; r++) {
    addRow(dst, src + <usize>r * wb, width);
  }
}

/** x[i] *= m[i] for i < n. */
export function mulInPlace(x: usize, m: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), v128.load(m + o)));
  }
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) * load<f32>(m + (<usize>i << 2)));
}

/** dst[i] = src[i] · m[i] for i < n. */
export function mulInto(dst: usize, src: usize, m: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o) * load<f32>(m + o));
  }
}

// mulberry32, as src/engine/prng.ts: the dropout masks follow from the trainer's seed.
let rngState: u32 = 1;

export function setSeed(seed: u32): void {
  rngState = seed;
}

export function getSeed(): u32 {
  return rngState;
}

// @ts-ignore: decorator
@inline
function nextUniform(): f64 {
  rngState += 0x6d2b79f5;
  let t = rngState;
  t = (t ^ (t >>> 15)) * (t | 1);
  t ^= t + (t ^ (t >>> 7)) * (t | 61);
  return <f64>(t ^ (t >>> 14)) / 4294967296.0;
}

/** Inverted dropout (as tf.dropout): mask[i] = 0 with probability `rate`, else 1/(1-rate). */
export function dropoutMask(mask: usize, n: i32, rate: f64): void {
  const keep = <f32>(1 / (1 - rate));
  for (let i = 0; i < n; i++) store<f32>(mask + (<usize>i << 2), nextUniform() < rate ? 0 : keep);
}

/** Σ x[i]² over n floats, in float64. */
export function sumSquares(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** Σ of squares over the rows listed in `list` (count ids) of a [*, width] matrix. */
export function sumSquaresRows(x: usize, list: usize, count: i32, width: i32): f64 {
  let s: f64 = 0;
  for (let r = 0; r < count; r++) s += sumSquares(x + <usize>load<i32>(list + (<usize>r << 2)) * (<usize>width << 2), width);
  return s;
}

/** dst[i] += src[i]; src[i] = 0 (one thread's dense gradient folded into another's). */
export function addAndClear(dst: usize, src: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    v128.store(src + o, zero);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    store<f32>(src + o, 0);
  }
}

/** Folds the listed rows of one thread's row gradient into another's (adding the rows to the
 *  destination's touched set) and clears them at the source. Returns the destination's count. */
export function mergeRows(dst: usize, src: usize, width: i32, srcList: usize, srcCount: i32, srcFlags: usize, dstFlags: usize, dstList: usize, dstCount: i32): i32 {
  const wb = <usize>width << 2;
  for (let r = 0; r < srcCount; r++) {
    const id = load<i32>(srcList + (<usize>r << 2));
    addAndClear(dst + <usize>id * wb, src + <usize>id * wb, width);
    store<u8>(srcFlags + <usize>id, 0);
    if (load<u8>(dstFlags + <usize>id) == 0) {
      store<u8>(dstFlags + <usize>id, 1);
      store<i32>(dstList + (<usize>dstCount << 2), id);
      dstCount++;
    }
  }
  return dstCount;
}
