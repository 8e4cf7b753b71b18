// Approximate scores of int8 rows against an int16 query (see ../int8Rows.ts), and the rows'
// quantisation. scoreRows: for each listed row
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

/** Quantises `cols` f32 at src (a multiple of 16, zero past the row's values) to int8 at dst,
 *  the largest |value| to 127 (round to nearest); stores that largest / 127 at scale. */
export function quantizeRow(src: usize, cols: i32, dst: usize, scale: usize): void {
  let m = f32x4.splat(0);
  for (let k = 0; k < cols; k += 4) m = f32x4.max(m, f32x4.abs(v128.load(src + (<usize>k << 2))));
  const top = max<f32>(max<f32>(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max<f32>(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  store<f32>(scale, top / 127);
  const f = f32x4.splat(top > 0 ? <f32>127 / top : 0);
  for (let k = 0; k < cols; k += 16) {
    const p = src + (<usize>k << 2);
    const a = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(p), f)));
    const b = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(p, 16), f)));
    const c = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(p, 32), f)));
    const d = i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(v128.load(p, 48), f)));
    v128.store(dst + <usize>k, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
  }
}

/** For t in 0..count: r = idx[t] (u32); out[t] (f32) = scale[row] · scale[r] · (row `row` · row r),
 *  both rows int8 (NN-descent's similarities between stored rows; ../int8Pairs.ts). Sums of
 *  products of two int8 fit i32 for any cols below 133,000. */
export function scoreAgainstRow(rows: usize, cols: i32, scale: usize, row: u32, idx: usize, count: i32, out: usize): void {
  const base = rows + <usize>row * <usize>cols;
  const rowScale = load<f32>(scale + (<usize>row << 2));
  for (let t = 0; t < count; t++) {
    const r = load<u32>(idx + (<usize>t << 2));
    let w = rows + <usize>r * <usize>cols;
    let qp = base;
    let acc0 = i32x4.splat(0), acc1 = i32x4.splat(0);
    for (let k = 0; k < cols; k += 16) {
      const a = v128.load(w), b = v128.load(qp);
      acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b)));
      acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b)));
      w += 16;
      qp += 16;
    }
    const acc = i32x4.add(acc0, acc1);
    const sum = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
    store<f32>(out + (<usize>t << 2), <f32>sum * (rowScale * load<f32>(scale + (<usize>r << 2))));
  }
}
