// Adam for the fused trainer, the formula of src/engine/lstm/optimizer.ts (bias correction
// folded into `step`): dense over a whole buffer, and lazy over listed rows only (rows no
// gradient touched keep their weights and moments). Gradients are scaled by the clip factor on
// the way in and zeroed on the way out, ready for the next step's accumulation.

// @ts-ignore: decorator
@inline
function adamRange(x: usize, m: usize, v: usize, g: usize, n: i32, scale: f32, step: f32, b1: f32, b2: f32, eps: f32): void {
  const sv = f32x4.splat(scale), stv = f32x4.splat(step);
  const b1v = f32x4.splat(b1), b2v = f32x4.splat(b2), c1 = f32x4.splat(1 - b1), c2 = f32x4.splat(1 - b2), ev = f32x4.splat(eps);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = f32x4.mul(v128.load(g + o), sv);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), b1v), f32x4.mul(gi, c1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + o), b2v), f32x4.mul(f32x4.mul(gi, gi), c2));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(x + o, f32x4.sub(v128.load(x + o), f32x4.mul(f32x4.div(mi, f32x4.add(f32x4.sqrt(vi), ev)), stv)));
    v128.store(g + o, zero);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o) * scale;
    const mi = load<f32>(m + o) * b1 + gi * (1 - b1);
    const vi = load<f32>(v + o) * b2 + gi * gi * (1 - b2);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(x + o, load<f32>(x + o) - (mi / (Mathf.sqrt(vi) + eps)) * step);
    store<f32>(g + o, 0);
  }
}

/** Adam over n floats. */
export function adamDense(x: usize, m: usize, v: usize, g: usize, n: i32, scale: f32, step: f32, b1: f32, b2: f32, eps: f32): void {
  adamRange(x, m, v, g, n, scale, step, b1, b2, eps);
}

/** Lazy Adam over the `count` rows listed in `list` (rows of `width` floats); clears each
 *  row's byte in `flags`, so the touched set starts empty next step. */
export function adamRows(x: usize, m: usize, v: usize, g: usize, list: usize, count: i32, width: i32, flags: usize, scale: f32, step: f32, b1: f32, b2: f32, eps: f32): void {
  const wb = <usize>width << 2;
  for (let r = 0; r < count; r++) {
    const id = <usize>load<i32>(list + (<usize>r << 2));
    const o = id * wb;
    adamRange(x + o, m + o, v + o, g + o, width, scale, step, b1, b2, eps);
    store<u8>(flags + id, 0);
  }
}
