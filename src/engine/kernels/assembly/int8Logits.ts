// The int8 output layer of a batch-1 step (see ../int8Logits.ts): out[r] = Σ_k w[r, k] · h[k] with
// int8 weights and int16 h, summed in i32 by i32x4.dot_i16x8_s (8 products, pairwise added, per
// instruction). Weights are interleaved per group of 4 rows and 16-column block — rows 0..3 of a
// block, 16 bytes each — so each 16 values of h are loaded once for 4 rows.

/** acc + w16 · (hLow, hHigh): the 16 int8 weights widened to two i16x8 halves, each dotted with its h half. */
// @ts-ignore: decorator
@inline function dotBlock(acc: v128, w16: v128, hLow: v128, hHigh: v128): v128 {
  acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(w16), hLow));
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(w16), hHigh));
}

// @ts-ignore: decorator
@inline function laneSum(acc: v128): i32 {
  return i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
}

/** For each of `groups` groups of 4 rows: out[0..3] = the rows' i32 dot products with h (int16, `cols` values,
 *  a positive multiple of 16). w, h and out are byte offsets, 16-byte aligned. */
export function logits(w: usize, h: usize, out: usize, groups: i32, cols: i32): void {
  do {
    let acc0 = i32x4.splat(0), acc1 = i32x4.splat(0), acc2 = i32x4.splat(0), acc3 = i32x4.splat(0);
    let hp = h;
    let k = cols;
    do {
      const hLow = v128.load(hp), hHigh = v128.load(hp, 16);
      acc0 = dotBlock(acc0, v128.load(w), hLow, hHigh);
      acc1 = dotBlock(acc1, v128.load(w, 16), hLow, hHigh);
      acc2 = dotBlock(acc2, v128.load(w, 32), hLow, hHigh);
      acc3 = dotBlock(acc3, v128.load(w, 48), hLow, hHigh);
      w += 64;
      hp += 32;
      k -= 16;
    } while (k != 0);
    store<i32>(out, laneSum(acc0));
    store<i32>(out, laneSum(acc1), 4);
    store<i32>(out, laneSum(acc2), 8);
    store<i32>(out, laneSum(acc3), 12);
    out += 16;
    groups -= 1;
  } while (groups != 0);
}
