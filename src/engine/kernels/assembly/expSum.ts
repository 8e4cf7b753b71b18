// Σ exp(x[i] - max) over float32 logits, 4 lanes at a time (see ../expSum.ts). exp(t) = 2^y with
// y = t · log2 e, split as y = k + f (k = floor(y), f in [0, 1)): 2^k is built directly in the
// float's exponent bits, 2^f is a degree-5 polynomial (relative error 2.3e-7). Terms are summed in
// float64 so that 10k of them lose nothing to rounding.

// 2^f on [0, 1): least-squares fit (scripted with numpy), highest degree first for Horner.
const C5: f32 = 0.001894379423367964;
const C4: f32 = 0.008940582529419422;
const C3: f32 = 0.05587655686892634;
const C2: f32 = 0.2401316918719624;
const C1: f32 = 0.6931567766988594;
const C0: f32 = 0.9999997696337071;
const LOG2E: f32 = 1.4426950408889634;
/** Below 2^-126 (the smallest normal float) a term is lost in the sum anyway; the clamp also keeps k + 127 ≥ 1. */
const MIN_EXPONENT: f32 = -126;

/** 2^f for f in [0, 1), by Horner's rule (multiply then add, no fused multiply-add). */
// @ts-ignore: decorator
@inline function exp2Fraction(f: v128): v128 {
  let q = f32x4.splat(C5);
  q = f32x4.add(f32x4.mul(q, f), f32x4.splat(C4));
  q = f32x4.add(f32x4.mul(q, f), f32x4.splat(C3));
  q = f32x4.add(f32x4.mul(q, f), f32x4.splat(C2));
  q = f32x4.add(f32x4.mul(q, f), f32x4.splat(C1));
  return f32x4.add(f32x4.mul(q, f), f32x4.splat(C0));
}

/** 2^k for integral k in [-126, 127]: the bits (k + 127) << 23 are that float. */
// @ts-ignore: decorator
@inline function exp2Integer(k: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
}

/** Σ exp(p[i] - max) for i < n (a positive multiple of 4); p is a byte offset. Lanes 0, 1 and
 *  lanes 2, 3 are summed in two float64x2 accumulators, added ((0 + 1) + 2) + 3 at the end. */
export function expSum(p: usize, n: i32, max: f32): f64 {
  const maxes = f32x4.splat(max);
  let low = f64x2.splat(0), high = f64x2.splat(0);
  do {
    const y = f32x4.max(f32x4.mul(f32x4.sub(v128.load(p), maxes), f32x4.splat(LOG2E)), f32x4.splat(MIN_EXPONENT));
    const k = f32x4.floor(y);
    const e = f32x4.mul(exp2Integer(k), exp2Fraction(f32x4.sub(y, k)));
    low = f64x2.add(low, f64x2.promote_low_f32x4(e));
    high = f64x2.add(high, f64x2.promote_low_f32x4(f32x4.shuffle(e, e, 2, 3, 0, 1)));
    p += 16;
    n -= 4;
  } while (n != 0);
  return f64x2.extract_lane(low, 0) + f64x2.extract_lane(low, 1) + f64x2.extract_lane(high, 0) + f64x2.extract_lane(high, 1);
}
