// One LSTM layer over T steps as a single differentiable op with a hand-written backward.
// Autodiff of the per-step TF.js ops costs ~30 small kernels per step and layer (slices,
// splits, activations and their gradients); here each step is one wasm matMul (h·U, and
// dz·U^T going back) and the gate arithmetic runs as plain loops over Float32Arrays.
// Gate order is Keras's: i, f, c (candidate, "g" below), o.
import * as tf from '@tensorflow/tfjs';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * `xw` [T*B, 4H]: input projections plus bias, time-major (row t*B + b). `recurrent` [H, 4H].
 * `h0`, `c0` [B*H]: the initial state (not differentiated: truncated backprop).
 * Returns [(T+1)*B, H]: rows t*B..t*B+B-1 are h_t; the last B rows are the final cell state c_T.
 */
export function lstmLayer(
  xw: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  h0: Float32Array,
  c0: Float32Array,
  steps: number,
  batch: number,
): tf.Tensor2D {
  const fourH = recurrent.shape[1];
  const H = fourH / 4;
  const B = batch;
  const op = tf.customGrad(((xwIn: tf.Tensor, uIn: tf.Tensor) => {
    const X = xwIn.dataSync() as Float32Array;
    const acts = new Float32Array(steps * B * fourH); // i, f, g, o after activation
    const cs = new Float32Array(steps * B * H); // c_t
    const tcs = new Float32Array(steps * B * H); // tanh(c_t)
    const out = new Float32Array((steps + 1) * B * H); // h_t rows, then c_T
    let hPrev: Float32Array = h0;
    let cPrev: Float32Array = c0;
    for (let t = 0; t < steps; t++) {
      const r = matMulSync(hPrev, B, H, uIn as tf.Tensor2D);
      const zOff = t * B * fourH;
      const sOff = t * B * H;
      for (let b = 0; b < B; b++) {
        const zr = zOff + b * fourH;
        const rr = b * fourH;
        const sr = sOff + b * H;
        for (let j = 0; j < H; j++) {
          const i = sigmoid(X[zr + j] + r[rr + j]);
          const f = sigmoid(X[zr + H + j] + r[rr + H + j]);
          const g = Math.tanh(X[zr + 2 * H + j] + r[rr + 2 * H + j]);
          const o = sigmoid(X[zr + 3 * H + j] + r[rr + 3 * H + j]);
          const c = f * cPrev[b * H + j] + i * g;
          const tc = Math.tanh(c);
          acts[zr + j] = i;
          acts[zr + H + j] = f;
          acts[zr + 2 * H + j] = g;
          acts[zr + 3 * H + j] = o;
          cs[sr + j] = c;
          tcs[sr + j] = tc;
          out[sr + j] = o * tc;
        }
      }
      hPrev = out.subarray(sOff, sOff + B * H);
      cPrev = cs.subarray(sOff, sOff + B * H);
    }
    out.set(cPrev, steps * B * H);
    const value = tf.tensor2d(out, [(steps + 1) * B, H]);
    const gradFunc = (dy: tf.Tensor) => {
      const dOut = dy.dataSync() as Float32Array;
      const dZ = new Float32Array(steps * B * fourH);
      const uT = tf.transpose(uIn);
      let dhNext: Float32Array = new Float32Array(B * H);
      const dcNext = dOut.slice(steps * B * H); // gradient reaching c_T (zero unless c_T is used)
      for (let t = steps - 1; t >= 0; t--) {
        const zOff = t * B * fourH;
        const sOff = t * B * H;
        for (let b = 0; b < B; b++) {
          const zr = zOff + b * fourH;
          const sr = sOff + b * H;
          for (let j = 0; j < H; j++) {
            const k = b * H + j;
            const dh = dOut[sr + j] + dhNext[k];
            const i = acts[zr + j];
            const f = acts[zr + H + j];
            const g = acts[zr + 2 * H + j];
            const o = acts[zr + 3 * H + j];
            const tc = tcs[sr + j];
            const dc = dh * o * (1 - tc * tc) + dcNext[k];
            const cp = t > 0 ? cs[sr - B * H + j] : c0[k];
            dZ[zr + j] = dc * g * i * (1 - i);
            dZ[zr + H + j] = dc * cp * f * (1 - f);
            dZ[zr + 2 * H + j] = dc * i * (1 - g * g);
            dZ[zr + 3 * H + j] = dh * tc * o * (1 - o);
            dcNext[k] = dc * f;
          }
        }
        if (t > 0) dhNext = matMulSync(dZ.subarray(zOff, zOff + B * fourH), B, fourH, uT as tf.Tensor2D);
      }
      uT.dispose();
      // h_{t-1} for every step, to form dU = Hprev^T · dZ in one matMul.
      const hp = new Float32Array(steps * B * H);
      hp.set(h0, 0);
      hp.set(out.subarray(0, (steps - 1) * B * H), B * H);
      return tf.tidy(() => {
        const dz = tf.tensor2d(dZ, [steps * B, fourH]);
        const du = tf.matMul(tf.tensor2d(hp, [steps * B, H]), dz, true, false);
        return [dz, du];
      });
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(xw, recurrent) as tf.Tensor2D;
}

/** rows [n, k] (plain array) · w [k, m] on the backend, read back synchronously. */
function matMulSync(rows: Float32Array, n: number, k: number, w: tf.Tensor2D): Float32Array {
  const a = tf.tensor2d(rows, [n, k]);
  const r = tf.matMul(a, w);
  const data = r.dataSync() as Float32Array;
  a.dispose();
  r.dispose();
  return data;
}
