// Linear-time argsort of integer pairs (two stable counting-sort passes, LSD), used to
// count n-grams over millions of tokens without comparison sorts or hash maps.

/** `check` runs every this many elements of a pass (a few milliseconds of work): where long work can stop. */
export const CHECK_MASK = (1 << 18) - 1;

/** Permutation ordering i by (major[i], minor[i]); values must lie in [0, range). */
export function argsortPairs(
  major: Int32Array,
  majorRange: number,
  minor: Int32Array,
  minorRange: number,
  /** Called every CHECK_MASK + 1 elements of each pass; may throw to stop. */
  check: () => void = () => undefined,
): Int32Array {
  const n = major.length;
  if (minor.length !== n) throw new Error('argsortPairs: arrays differ in length');
  const byMinor = countingPass(identity(n), minor, minorRange, check);
  return countingPass(byMinor, major, majorRange, check);
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Stable reorder of `order` by key[order[j]]. */
function countingPass(order: Int32Array, key: Int32Array, range: number, check: () => void): Int32Array {
  const start = new Int32Array(range + 1);
  for (let j = 0; j < order.length; j++) {
    if ((j & CHECK_MASK) === 0) check();
    start[key[order[j]] + 1]++;
  }
  for (let r = 0; r < range; r++) start[r + 1] += start[r];
  const out = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) {
    if ((j & CHECK_MASK) === 0) check();
    const i = order[j];
    out[start[key[i]]++] = i;
  }
  return out;
}
