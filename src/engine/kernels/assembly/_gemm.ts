// Single-precision GEMM for the fused LSTM trainer: C (+)= op(A) · op(B), row-major, with
// either operand transposed. GotoBLAS-style: B is packed into panels of NR columns (K rows
// of NR floats, zero-padded), a block of MC rows of A into panels of MR rows (K columns of
// MR floats), and a 4×8 register tile of f32x4 accumulators walks them. Packing makes every
// transposition the same inner loop and keeps a B panel in L1 while A's block stays in L2.
// All arguments are byte addresses into linear memory and element counts / strides.

const MR: i32 = 4;
const NR: i32 = 8;
const MC: i32 = 128;
const KC: i32 = 256;

// Scratch areas, set once by the host (setGemmScratch): packed A block (MC × KC floats),
// packed B (K × roundUp(N, 8) floats) and one 4×8 tile for partial edges.
let packedA: usize = 0;
let packedB: usize = 0;
let tile: usize = 0;

export function setGemmScratch(a: usize, b: usize, t: usize): void {
  packedA = a;
  packedB = b;
  tile = t;
}

/** Packs logical B [K, N] (element (k, j) = trans ? src[j*ld + k] : src[k*ld + j]) into `dst`:
 *  panel p holds columns 8p..8p+7 as K rows of 8 floats; missing columns are zero. */
export function packB(src: usize, ld: i32, trans: bool, K: i32, N: i32, dst: usize): void {
  for (let j0 = 0; j0 < N; j0 += NR) {
    const panel = dst + (<usize>j0 * <usize>K << 2);
    const cols = min(NR, N - j0);
    if (!trans) {
      if (cols == NR) {
        for (let k = 0; k < K; k++) {
          const s = src + ((<usize>k * <usize>ld + <usize>j0) << 2);
          const d = panel + (<usize>k << 5);
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
        }
      } else {
        for (let k = 0; k < K; k++) {
          const d = panel + (<usize>k << 5);
          for (let jj = 0; jj < NR; jj++) {
            store<f32>(d + (<usize>jj << 2), jj < cols ? load<f32>(src + ((<usize>k * <usize>ld + <usize>(j0 + jj)) << 2)) : 0);
          }
        }
      }
    } else {
      for (let jj = 0; jj < NR; jj++) {
        const d = panel + (<usize>jj << 2);
        if (jj < cols) {
          const s = src + (<usize>(j0 + jj) * <usize>ld << 2);
          for (let k = 0; k < K; k++) store<f32>(d + (<usize>k << 5), load<f32>(s + (<usize>k << 2)));
        } else {
          for (let k = 0; k < K; k++) store<f32>(d + (<usize>k << 5), 0);
        }
      }
    }
  }
}

/** Packs rows i0..i0+rows-1 of logical A [M, K] (element (i, k) = trans ? src[k*ld + i] :
 *  src[i*ld + k]), columns k0..k0+K-1, into panels of 4 rows: K groups of 4 floats; missing
 *  rows are zero. */
function packA(src: usize, ld: i32, trans: bool, i0: i32, rows: i32, k0: i32, K: i32, dst: usize): void {
  for (let p = 0; p < rows; p += MR) {
    const panel = dst + (<usize>p * <usize>K << 2);
    const r = min(MR, rows - p);
    if (trans) {
      if (r == MR) {
        for (let k = 0; k < K; k++) {
          v128.store(panel + (<usize>k << 4), v128.load(src + ((<usize>(k0 + k) * <usize>ld + <usize>(i0 + p)) << 2)));
        }
      } else {
        for (let k = 0; k < K; k++) {
          const d = panel + (<usize>k << 4);
          for (let q = 0; q < MR; q++) {
            store<f32>(d + (<usize>q << 2), q < r ? load<f32>(src + ((<usize>(k0 + k) * <usize>ld + <usize>(i0 + p + q)) << 2)) : 0);
          }
        }
      }
    } else {
      for (let q = 0; q < MR; q++) {
        const d = panel + (<usize>q << 2);
        if (q < r) {
          const s = src + ((<usize>(i0 + p + q) * <usize>ld + <usize>k0) << 2);
          for (let k = 0; k < K; k++) store<f32>(d + (<usize>k << 4), load<f32>(s + (<usize>k << 2)));
        } else {
          for (let k = 0; k < K; k++) store<f32>(d + (<usize>k << 4), 0);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function tileStore(c: usize, acc: bool, v: v128): void {
  v128.store(c, acc ? f32x4.add(v128.load(c), v) : v);
}

/** One 4×8 tile: C[rows, cols] (+)= Apanel · Bpanel over K. */
function kernel(a: usize, b: usize, K: i32, c: usize, ldc: i32, rows: i32, cols: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    // Each A value broadcast straight from memory (a load, not a shuffle on the FP ports).
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    a += 16;
    b += 32;
  }
  const ld = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    tileStore(c, acc, c00);
    tileStore(c + 16, acc, c01);
    tileStore(c + ld, acc, c10);
    tileStore(c + ld + 16, acc, c11);
    tileStore(c + 2 * ld, acc, c20);
    tileStore(c + 2 * ld + 16, acc, c21);
    tileStore(c + 3 * ld, acc, c30);
    tileStore(c + 3 * ld + 16, acc, c31);
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const d = c + <usize>r * ld + (<usize>j << 2);
      const v = load<f32>(tile + (<usize>(r * NR + j) << 2));
      store<f32>(d, acc ? load<f32>(d) + v : v);
    }
  }
}

/** C[M, N] (+)= op(A)[M, K] · B, B already packed by packB into `pb`. */
export function gemmPacked(M: i32, N: i32, K: i32, A: usize, lda: i32, transA: bool, pb: usize, C: usize, ldc: i32, acc: bool): void {
  if (K == 0) {
    if (!acc) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) store<f32>(C + ((<usize>i * <usize>ldc + <usize>j) << 2), 0);
    return;
  }
  // K in blocks of KC so the packed A block (MC × KC) stays in L2 across all of B's panels.
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kb = min(KC, K - k0);
    const accBlock = acc || k0 > 0;
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mb = min(MC, M - i0);
      packA(A, lda, transA, i0, mb, k0, kb, packedA);
      for (let j0 = 0; j0 < N; j0 += NR) {
        const bp = pb + ((<usize>j0 * <usize>K + (<usize>k0 << 3)) << 2);
        const cols = min(NR, N - j0);
        for (let ii = 0; ii < mb; ii += MR) {
          kernel(packedA + (<usize>ii * <usize>kb << 2), bp, kb, C + ((<usize>(i0 + ii) * <usize>ldc + <usize>j0) << 2), ldc, min(MR, mb - ii), cols, accBlock);
        }
      }
    }
  }
}

/** C[M, N] (+)= op(A)[M, K] · op(B)[K, N]; B is packed into the scratch area first. */
export function gemm(M: i32, N: i32, K: i32, A: usize, lda: i32, transA: bool, B: usize, ldb: i32, transB: bool, C: usize, ldc: i32, acc: bool): void {
  packB(B, ldb, transB, K, N, packedB);
  gemmPacked(M, N, K, A, lda, transA, packedB, C, ldc, acc);
}

/** y[N] (+)= x[K] · B for one row x (serving's batch-1 step), B packed by packB into `pb`. Two
 *  panels (16 columns) per pass share each broadcast x value; four accumulators hide the add
 *  latency. gemmPacked would pad x to a 4-row panel: four times the arithmetic. */
export function gemvPacked(N: i32, K: i32, x: usize, pb: usize, y: usize, acc: bool): void {
  const panelBytes = <usize>K << 5;
  let j0 = 0;
  for (; j0 + 2 * NR <= N; j0 += 2 * NR) {
    const b0 = pb + <usize>(j0 / NR) * panelBytes;
    const b1 = b0 + panelBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let k = 0; k < K; k++) {
      const xk = v128.load32_splat(x + (<usize>k << 2));
      const o = <usize>k << 5;
      a0 = f32x4.add(a0, f32x4.mul(xk, v128.load(b0 + o)));
      a1 = f32x4.add(a1, f32x4.mul(xk, v128.load(b0 + o, 16)));
      a2 = f32x4.add(a2, f32x4.mul(xk, v128.load(b1 + o)));
      a3 = f32x4.add(a3, f32x4.mul(xk, v128.load(b1 + o, 16)));
    }
    const d = y + (<usize>j0 << 2);
    tileStore(d, acc, a0);
    tileStore(d + 16, acc, a1);
    tileStore(d + 32, acc, a2);
    tileStore(d + 48, acc, a3);
  }
  // The last panel (8 columns or fewer): lane by lane through the tile scratch.
  for (; j0 < N; j0 += NR) {
    const b0 = pb + <usize>(j0 / NR) * panelBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (let k = 0; k < K; k++) {
      const xk = v128.load32_splat(x + (<usize>k << 2));
      const o = <usize>k << 5;
      a0 = f32x4.add(a0, f32x4.mul(xk, v128.load(b0 + o)));
      a1 = f32x4.add(a1, f32x4.mul(xk, v128.load(b0 + o, 16)));
    }
    v128.store(tile, a0);
    v128.store(tile, a1, 16);
    const cols = min(NR, N - j0);
    for (let j = 0; j < cols; j++) {
      const d = y + (<usize>(j0 + j) << 2);
      const v = load<f32>(tile + (<usize>j << 2));
      store<f32>(d, acc ? load<f32>(d) + v : v);
    }
  }
}
