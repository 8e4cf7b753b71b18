// LSTM gate arithmetic for the fused trainer, one time step for B streams. Gate order is
// Keras's (i, f, g = candidate, o) in blocks of H within each row of 4H pre-activations.
// Forward overwrites the pre-activations with the activations, which backward needs and then
// overwrites with the pre-activation gradients dZ (so one [T·B, 4H] buffer serves both).

import { sigmoid4, tanh4 } from './_simdMath';

// @ts-ignore: decorator
@inline
function sigmoid(x: f32): f32 {
  return 1 / (1 + Mathf.exp(-x));
}

/** z [B, 4H] pre-activations (input projection + bias + h·U) -> activations in place;
 *  c = f·cPrev + i·g, tc = tanh(c), h = o·tc (all [B, H]). */
export function lstmGatesForward(z: usize, cPrev: usize, c: usize, tc: usize, h: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const zr = z + (<usize>b * <usize>H << 4);
    const sr = <usize>b * <usize>H << 2;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o4 = <usize>j << 2;
      const i = sigmoid4(v128.load(zr + o4));
      const f = sigmoid4(v128.load(zr + hb + o4));
      const g = tanh4(v128.load(zr + 2 * hb + o4));
      const o = sigmoid4(v128.load(zr + 3 * hb + o4));
      const cv = f32x4.add(f32x4.mul(f, v128.load(cPrev + sr + o4)), f32x4.mul(i, g));
      const t = tanh4(cv);
      v128.store(zr + o4, i);
      v128.store(zr + hb + o4, f);
      v128.store(zr + 2 * hb + o4, g);
      v128.store(zr + 3 * hb + o4, o);
      v128.store(c + sr + o4, cv);
      v128.store(tc + sr + o4, t);
      v128.store(h + sr + o4, f32x4.mul(o, t));
    }
    for (; j < H; j++) {
      const o4 = <usize>j << 2;
      const i = sigmoid(load<f32>(zr + o4));
      const f = sigmoid(load<f32>(zr + hb + o4));
      const g = Mathf.tanh(load<f32>(zr + 2 * hb + o4));
      const o = sigmoid(load<f32>(zr + 3 * hb + o4));
      const cv = f * load<f32>(cPrev + sr + o4) + i * g;
      const t = Mathf.tanh(cv);
      store<f32>(zr + o4, i);
      store<f32>(zr + hb + o4, f);
      store<f32>(zr + 2 * hb + o4, g);
      store<f32>(zr + 3 * hb + o4, o);
      store<f32>(c + sr + o4, cv);
      store<f32>(tc + sr + o4, t);
      store<f32>(h + sr + o4, o * t);
    }
  }
}

/** One step back: z holds the activations of step t and becomes dZ; dhOut [B, H] is the loss's
 *  gradient at h_t, dhNext and dcNext [B, H] the carries from step t+1 (dcNext becomes dc·f). */
export function lstmGatesBackward(z: usize, cPrev: usize, tc: usize, dhOut: usize, dhNext: usize, dcNext: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const zr = z + (<usize>b * <usize>H << 4);
    const sr = <usize>b * <usize>H << 2;
    for (let j = 0; j < H; j++) {
      const o4 = <usize>j << 2;
      const i = load<f32>(zr + o4);
      const f = load<f32>(zr + hb + o4);
      const g = load<f32>(zr + 2 * hb + o4);
      const o = load<f32>(zr + 3 * hb + o4);
      const t = load<f32>(tc + sr + o4);
      const dh = load<f32>(dhOut + sr + o4) + load<f32>(dhNext + sr + o4);
      const dc = dh * o * (1 - t * t) + load<f32>(dcNext + sr + o4);
      store<f32>(zr + o4, dc * g * i * (1 - i));
      store<f32>(zr + hb + o4, dc * load<f32>(cPrev + sr + o4) * f * (1 - f));
      store<f32>(zr + 2 * hb + o4, dc * i * (1 - g * g));
      store<f32>(zr + 3 * hb + o4, dh * t * o * (1 - o));
      store<f32>(dcNext + sr + o4, dc * f);
    }
  }
}
