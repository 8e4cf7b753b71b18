// Serving an LSTM language model (batch 1) on the fused trainer's GEMM and gate kernels: a
// next-token step, a batched read of n tokens (one GEMM for all input projections, then the
// recurrence), and the output layer (int8 or float32) with its log-softmax. The weights stay
// in linear memory, packed once by packB; see ../../lstm/servingKernel.ts for the layout.

import { gemmPacked, gemvPacked } from './_gemm';
import { lstmGatesForward } from './_lstm';
import { fillRows } from './_rows';
import { logits } from './int8Logits';
import { expSum } from './expSum';

/** One layer, one token: z = bias + x·Wx + h·Wh, then the gates; h and c [H] are updated in place. */
export function stepLayer(x: usize, inDim: i32, h: usize, c: usize, H: i32, pWx: usize, pWh: usize, bias: usize, z: usize, tc: usize): void {
  const G = 4 * H;
  fillRows(z, bias, 1, G);
  gemvPacked(G, inDim, x, pWx, z, true);
  gemvPacked(G, H, h, pWh, z, true);
  lstmGatesForward(z, c, c, tc, h, 1, H);
}

/** One layer over n tokens: Z [n, 4H] = bias + X [n, inDim] · Wx in one GEMM, then per token
 *  z_t += h·Wh and the gates. Every h_t goes to hs [n, H] (the next layer's input); h and c
 *  [H] start as the state before the first token and end as the state after the last. */
export function readLayer(X: usize, n: i32, inDim: i32, h: usize, c: usize, H: i32, pWx: usize, pWh: usize, bias: usize, Z: usize, tc: usize, hs: usize): void {
  const G = 4 * H;
  const hb = <usize>H << 2;
  fillRows(Z, bias, n, G);
  gemmPacked(n, G, inDim, X, inDim, false, pWx, Z, G, true);
  let hPrev = h;
  for (let t = 0; t < n; t++) {
    const z = Z + <usize>t * (<usize>G << 2);
    const ht = hs + <usize>t * hb;
    gemvPacked(G, H, hPrev, pWh, z, true);
    lstmGatesForward(z, c, c, tc, ht, 1, H);
    hPrev = ht;
  }
  memory.copy(h, hPrev, hb);
}

/** int8 output layer (the layout of ../int8Logits.ts): h [H] rounded to int16 in hq (cols
 *  values, zero padded), i32 sums, then out[v] = sums[v]·scales[v] + bias[v] in float32 (the
 *  TF.js path's Int8Logits rounds once from float64: logits differ by float32 rounding); returns max out. */
export function outInt8(h: usize, H: i32, hq: usize, cols: i32, w: usize, groups: i32, sums: usize, scales: usize, bias: usize, out: usize, V: i32, hScale: f32): f32 {
  for (let k = 0; k < H; k++) {
    const v = max<f32>(-1, min<f32>(1, load<f32>(h + (<usize>k << 2))));
    store<i16>(hq + (<usize>k << 1), <i16>Mathf.floor(v * hScale + 0.5));
  }
  logits(w, hq, sums, groups, cols);
  // 4 words at a time; the f32 product of the i32 sum (exact to 2^-24) and the scale.
  let m4 = f32x4.splat(-Infinity);
  let v = 0;
  for (; v + 4 <= V; v += 4) {
    const o = <usize>v << 2;
    const x = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(v128.load(sums + o)), v128.load(scales + o)), v128.load(bias + o));
    v128.store(out + o, x);
    m4 = f32x4.max(m4, x);
  }
  let m = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  for (; v < V; v++) {
    const o = <usize>v << 2;
    const x = <f32>load<i32>(sums + o) * load<f32>(scales + o) + load<f32>(bias + o);
    store<f32>(out + o, x);
    m = max(m, x);
  }
  return m;
}

/** float32 output layer: out [V] = h [H] · W + bias, W packed by packB; returns max out. */
export function outFloat(h: usize, H: i32, pW: usize, bias: usize, out: usize, V: i32): f32 {
  gemvPacked(V, H, h, pW, out, false);
  let m: f32 = -Infinity;
  for (let v = 0; v < V; v++) {
    const o = <usize>v << 2;
    const x = load<f32>(out + o) + load<f32>(bias + o);
    store<f32>(out + o, x);
    m = max(m, x);
  }
  return m;
}

/** log Σ exp(out[v]) given its max (SIMD exp, float64 sum). */
export function logSumExp(out: usize, V: i32, m: f32): f64 {
  const n4 = V & ~3;
  let s: f64 = n4 > 0 ? expSum(out, n4, m) : 0;
  for (let v = n4; v < V; v++) s += Math.exp(<f64>load<f32>(out + (<usize>v << 2)) - <f64>m);
  return <f64>m + Math.log(s);
}

/** out[v] = float32(out[v] - lse), the difference taken in float64 as LstmModel.logProbs and
 *  exactLogProb round it (two float64 lanes at a time). */
export function subtractLse(out: usize, V: i32, lse: f64): void {
  const l2 = f64x2.splat(lse);
  let v = 0;
  for (; v + 4 <= V; v += 4) {
    const p = out + (<usize>v << 2);
    const x = v128.load(p);
    const lo = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(x), l2));
    const hi = f32x4.demote_f64x2_zero(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)), l2));
    v128.store(p, i32x4.shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; v < V; v++) {
    const o = out + (<usize>v << 2);
    store<f32>(o, <f32>(<f64>load<f32>(o) - lse));
  }
}
