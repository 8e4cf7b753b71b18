// UMAP layout epochs in 2-D (see ../umapEdges.ts): the same operations, in the same order, as
// edges2d and fastPow in projection/umapLayout.ts, so both give the same coordinates (f64
// throughout; only fastPow's rare exact fallback uses AssemblyScript's exp/log, not V8's).
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

/** Edges [from, to) of epoch n; head/tail are i32 arrays, the epoch arrays and y/yNeg f64
 *  (byte offsets). Returns the xorshift32 state after the epoch's negative samples. */
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
    const cur = y + (<usize>h << 4);
    const oth = y + (<usize>load<i32>(tail + (<usize>i << 2)) << 4);
    let cx = load<f64>(cur), cy = load<f64>(cur, 8);
    const dx = cx - load<f64>(oth), dy = cy - load<f64>(oth, 8);
    const d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      const pb = fastPow(d2, b);
      const coeff = (-twoAB * (pb / d2)) / (a * pb + 1);
      const gx = clip(coeff * dx) * alpha, gy = clip(coeff * dy) * alpha;
      cx += gx;
      cy += gy;
      store<f64>(oth, load<f64>(oth) - gx);
      store<f64>(oth, load<f64>(oth, 8) - gy, 8);
    }
    store<f64>(nextSample + e8, next + load<f64>(perSample + e8));
    const perNeg = load<f64>(perNegative + e8);
    const nextNeg = load<f64>(nextNegative + e8);
    const nNeg = Math.floor((n - nextNeg) / perNeg);
    // Repulsions measured from the position before them, as the JS does.
    const px = cx, py = cy;
    for (let p = 0; <f64>p < nNeg; p++) {
      rng ^= rng << 13;
      rng ^= <i32>(<u32>rng >> 17);
      rng ^= rng << 5;
      const k = <i32>Math.floor(<f64><u32>rng * TWO_TO_MINUS_32 * nv);
      if (k == h) continue;
      const o = yNeg + (<usize>k << 4);
      const ex = px - load<f64>(o), ey = py - load<f64>(o, 8);
      const e2 = ex * ex + ey * ey;
      if (e2 > 0) {
        const rc = twoGammaB / ((0.001 + e2) * (a * fastPow(e2, b) + 1));
        cx += clip(rc * ex) * alpha;
        cy += clip(rc * ey) * alpha;
      } else {
        cx += CLIP * alpha;
        cy += CLIP * alpha;
      }
    }
    store<f64>(cur, cx);
    store<f64>(cur, cy, 8);
    store<f64>(nextNegative + e8, nextNeg + nNeg * perNeg);
  }
  return rng;
}
