// The skip-gram SIMD kernels (f32x4), shared by sgns.ts (own memory) and sgnsShared.ts (a shared
// memory imported by every worker thread). V8 does not vectorise JS loops; these run the 2 × dim
// multiply-adds per (context, target) update 4 lanes at a time. Pointers are byte offsets into
// linear memory; n (floats) must be a positive multiple of 4.

/** Σ x[i]·y[i] for i < n, in float32: one f32x4 accumulator, then lanes ((0 + 1) + 2) + 3. */
export function dot(x: usize, y: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  do {
    acc = f32x4.add(acc, f32x4.mul(v128.load(x), v128.load(y)));
    x += 16;
    y += 16;
    n -= 4;
  } while (n != 0);
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
}

/** e += g·u; u += g·x (the output vector's update and the input's gradient, fused: u is read once, before it changes). */
export function update(x: usize, u: usize, e: usize, g: f32, n: i32): void {
  const gs = f32x4.splat(g);
  do {
    const uv = v128.load(u);
    v128.store(e, f32x4.add(v128.load(e), f32x4.mul(gs, uv)));
    v128.store(u, f32x4.add(uv, f32x4.mul(gs, v128.load(x))));
    x += 16;
    u += 16;
    e += 16;
    n -= 4;
  } while (n != 0);
}

/** dst += src. */
export function add(dst: usize, src: usize, n: i32): void {
  do {
    v128.store(dst, f32x4.add(v128.load(dst), v128.load(src)));
    dst += 16;
    src += 16;
    n -= 4;
  } while (n != 0);
}
