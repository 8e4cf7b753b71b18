// UMAP layout epochs in 2-D (see ../umapEdges.ts): the same operations, in the same order, as
// edges2d and fastPow in projection/umapLayout.ts, so both give the same coordinates
// (coordinates stored as f32, as umap-learn keeps them, arithmetic in f64 as JS does; only
// fastPow's rare exact fallback uses AssemblyScript's exp/log, not V8's).
// Over an imported shared memory: the Hogwild helper threads run it on the same coordinates.

const CLIP: f64 = 4;
const TWO_TO_MINUS_32: f64 = 2.3283064365386963e-10;
const L0: f64 = 1.442683251951833, L1: f64 = -0.7204423704995792, L2: f64 = 0.46930168755813895, L3: f64 = -0.30338966822676294, L4: f64 = 0.14643361538616242, L5: f64 = -0.03459521143223881;
const E0: f64 = 0.9999998957624473, E1: f64 = 0.6931546200329586, E2: f64 = 0.2401407698777535, E3: f64 = 0.05586328321523444, E4: f64 = 0.008946214066462345, E5: f64 = 0.001895107520282873;

// @ts-ignore: decorator
@inline function clip(x: f64): f64 {
  return x > CLIP ? CLIP : x < -CLIP ? -CLIP : x;
}

/** x^b from the float32 bits of x (projection/umapLayout.ts fastPow). */
// @ts-ignore: decorator
@inline function fastPow(x: f64, b: f64): f64 {
  const bits = reinterpret<i32>(<f32>x);
  const m = <f64>(bits & 0x7fffff) * 1.1920928955078125e-7;
  const y = b * (<f64>((bits >> 23) - 127) + m * (L0 + m * (L1 + m * (L2 + m * (L3 + m * (L4 + m * L5))))));
  const k = Math.floor(y);
  if (k < -125 || k > 126 || x < 1e-37 || x > 1e37) return Math.exp(b * Math.log(x));
  const f = y - k;
  return <f64>reinterpret<f32>((<i32>k + 127) << 23) * (E0 + f * (E1 + f * (E2 + f * (E3 + f * (E4 + f * E5)))));
}

/** The attraction's gradient coefficient at squared distance d2 > 0: -2ab d2^(b-1) / (1 + a d2^b),
 *  in the JS's order of operations. */
// @ts-ignore: decorator
@inline function attraction(d2: f64, a: f64, b: f64, twoAB: f64): f64 {
  const pb = fastPow(d2, b);
  return (-twoAB * (pb / d2)) / (a * pb + 1);
}

/** fastPow on both lanes of x (f64x2): the scalar operations lane by lane, so the same bits;
 *  a lane outside the polynomial's range takes the scalar fallback. */
// @ts-ignore: decorator
@inline function fastPow2(x: v128, b: f64): v128 {
  const bits = f32x4.demote_f64x2_zero(x);
  const m = f64x2.mul(f64x2.convert_low_i32x4_s(v128.and(bits, i32x4.splat(0x7fffff))), f64x2.splat(1.1920928955078125e-7));
  const e = f64x2.convert_low_i32x4_s(i32x4.sub(i32x4.shr_s(bits, 23), i32x4.splat(127)));
  let poly = f64x2.add(f64x2.splat(L4), f64x2.mul(m, f64x2.splat(L5)));
  poly = f64x2.add(f64x2.splat(L3), f64x2.mul(m, poly));
  poly = f64x2.add(f64x2.splat(L2), f64x2.mul(m, poly));
  poly = f64x2.add(f64x2.splat(L1), f64x2.mul(m, poly));
  poly = f64x2.add(f64x2.splat(L0), f64x2.mul(m, poly));
  const y = f64x2.mul(f64x2.splat(b), f64x2.add(e, f64x2.mul(m, poly)));
  const k = f64x2.floor(y);
  const out = v128.or(v128.or(f64x2.lt(k, f64x2.splat(-125)), f64x2.gt(k, f64x2.splat(126))), v128.or(f64x2.lt(x, f64x2.splat(1e-37)), f64x2.gt(x, f64x2.splat(1e37))));
  if (v128.any_true(out)) return f64x2.replace_lane(f64x2.splat(fastPow(f64x2.extract_lane(x, 0), b)), 1, fastPow(f64x2.extract_lane(x, 1), b));
  const f = f64x2.sub(y, k);
  const two = f64x2.promote_low_f32x4(i32x4.shl(i32x4.add(i32x4.trunc_sat_f64x2_s_zero(k), i32x4.splat(127)), 23));
  let q = f64x2.add(f64x2.splat(E4), f64x2.mul(f, f64x2.splat(E5)));
  q = f64x2.add(f64x2.splat(E3), f64x2.mul(f, q));
  q = f64x2.add(f64x2.splat(E2), f64x2.mul(f, q));
  q = f64x2.add(f64x2.splat(E1), f64x2.mul(f, q));
  q = f64x2.add(f64x2.splat(E0), f64x2.mul(f, q));
  return f64x2.mul(two, q);
}

// @ts-ignore: decorator
@inline function clip2(x: v128): v128 {
  return f64x2.pmax(f64x2.splat(-CLIP), f64x2.pmin(f64x2.splat(CLIP), x));
}

/** Edges [from, to) of epoch n; head/tail are i32 arrays, the epoch arrays f64 and y/yNeg
 *  f32 (byte offsets). Returns the xorshift32 state after the epoch's negative samples. */
export function edges2d(
  head: usize, tail: usize, perSample: usize, nextSample: usize, perNegative: usize, nextNegative: usize,
  y: usize, yNeg: usize, nVertices: i32, from: i32, to: i32, n: f64, alpha: f64, rng: i32, a: f64, b: f64, gamma: f64,
): i32 {
  const twoAB = 2 * a * b, twoGammaB = 2 * gamma * b;
  const nv = <f64>nVertices;
  for (let i = from; i < to; i++) {
    const e8 = <usize>i << 3;
    const next = load<f64>(nextSample + e8);
    if (next > n) continue;
    const h = load<i32>(head + (<usize>i << 2));
    const cur = y + (<usize>h << 3);
    const oth = y + (<usize>load<i32>(tail + (<usize>i << 2)) << 3);
    let cx = <f64>load<f32>(cur), cy = <f64>load<f32>(cur, 4);
    const ox = <f64>load<f32>(oth), oy = <f64>load<f32>(oth, 4);
    const dx = cx - ox, dy = cy - oy;
    const d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      const coeff = attraction(d2, a, b, twoAB);
      const gx = clip(coeff * dx) * alpha, gy = clip(coeff * dy) * alpha;
      cx += gx;
      cy += gy;
      store<f32>(oth, <f32>(ox - gx));
      store<f32>(oth, <f32>(oy - gy), 4);
    }
    store<f64>(nextSample + e8, next + load<f64>(perSample + e8));
    const perNeg = load<f64>(perNegative + e8);
    const nextNeg = load<f64>(nextNegative + e8);
    const nNeg = Math.floor((n - nextNeg) / perNeg);
    // Repulsions measured from the position before them, as the JS does.
    // Two draws at a time on f64x2 lanes (independent, as both read px, py), their steps then
    // added in draw order: the same sums as one at a time. An odd last draw pairs with the
    // point itself (k1 = h), which is skipped as the JS skips it.
    const px = cx, py = cy;
    for (let p = 0; <f64>p < nNeg; p += 2) {
      rng ^= rng << 13;
      rng ^= <i32>(<u32>rng >> 17);
      rng ^= rng << 5;
      const k0 = <i32>Math.floor(<f64><u32>rng * TWO_TO_MINUS_32 * nv);
      let k1 = h;
      if (<f64>(p + 1) < nNeg) {
        rng ^= rng << 13;
        rng ^= <i32>(<u32>rng >> 17);
        rng ^= rng << 5;
        k1 = <i32>Math.floor(<f64><u32>rng * TWO_TO_MINUS_32 * nv);
      }
      // Each draw's (x, y) pair is one 8-byte load; the two pairs, promoted, give the x and y lanes.
      const p0 = f64x2.promote_low_f32x4(v128.load64_zero(yNeg + (<usize>k0 << 3)));
      const p1 = f64x2.promote_low_f32x4(v128.load64_zero(yNeg + (<usize>k1 << 3)));
      const ex = f64x2.sub(f64x2.splat(px), i64x2.shuffle(p0, p1, 0, 2));
      const ey = f64x2.sub(f64x2.splat(py), i64x2.shuffle(p0, p1, 1, 3));
      const e2 = f64x2.add(f64x2.mul(ex, ex), f64x2.mul(ey, ey));
      const den = f64x2.mul(f64x2.add(f64x2.splat(0.001), e2), f64x2.add(f64x2.mul(f64x2.splat(a), fastPow2(e2, b)), f64x2.splat(1)));
      const rc = f64x2.div(f64x2.splat(twoGammaB), den);
      // Coincident points (e2 = 0) get the full clipped step, as in the JS.
      const apart = f64x2.gt(e2, f64x2.splat(0)), full = f64x2.splat(CLIP * alpha);
      const sx = v128.bitselect(f64x2.mul(clip2(f64x2.mul(rc, ex)), f64x2.splat(alpha)), full, apart);
      const sy = v128.bitselect(f64x2.mul(clip2(f64x2.mul(rc, ey)), f64x2.splat(alpha)), full, apart);
      if (k0 != h) { cx += f64x2.extract_lane(sx, 0); cy += f64x2.extract_lane(sy, 0); }
      if (k1 != h) { cx += f64x2.extract_lane(sx, 1); cy += f64x2.extract_lane(sy, 1); }
    }
    store<f32>(cur, <f32>cx);
    store<f32>(cur, <f32>cy, 4);
    store<f64>(nextNegative + e8, nextNeg + nNeg * perNeg);
  }
  return rng;
}
