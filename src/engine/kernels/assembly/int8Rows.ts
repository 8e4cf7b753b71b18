// Approximate scores of int8 rows against an int16 query (see ../int8Rows.ts): for each listed row
// index, out = qScale · scale[row] · Σ_k rows[row, k] · q[k], the products summed in i32 by
// i32x4.dot_i16x8_s after widening the int8 values to i16 (8 products pairwise added an instruction).

// @ts-ignore: decorator
@inline function dotBlock(acc: v128, w16: v128, qLow: v128, qHigh: v128): v128 {
  acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(w16), qLow));
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(w16), qHigh));
}

/** For t in 0..count: r = idx[t] (u32); out[t] (f32) = qScale · scale[r] · (row r of `rows` · q).
 *  Rows are `cols` int8 values (a positive multiple of 16) at rows + r · cols; q is `cols` int16;
 *  scale is f32 per row. All are byte offsets; rows and q 16-byte aligned. */
export function scoreRows(rows: usize, cols: i32, scale: usize, idx: usize, count: i32, q: usize, qScale: f32, out: usize): void {
  for (let t = 0; t < count; t++) {
    const r = load<u32>(idx + (<usize>t << 2));
    let w = rows + <usize>r * <usize>cols;
    let qp = q;
    let acc0 = i32x4.splat(0), acc1 = i32x4.splat(0);
    let k = cols;
    // Two blocks a step where they fit: two independent accumulators hide the add latency.
    for (; k >= 32; k -= 32) {
      acc0 = dotBlock(acc0, v128.load(w), v128.load(qp), v128.load(qp, 16));
      acc1 = dotBlock(acc1, v128.load(w, 16), v128.load(qp, 32), v128.load(qp, 48));
      w += 32;
      qp += 64;
    }
    if (k != 0) acc0 = dotBlock(acc0, v128.load(w), v128.load(qp), v128.load(qp, 16));
    const acc = i32x4.add(acc0, acc1);
    const sum = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
    store<f32>(out + (<usize>t << 2), <f32>sum * (qScale * load<f32>(scale + (<usize>r << 2))));
  }
}
