// Softmax losses of the fused trainer. Sampled softmax (as src/engine/lstm/sampledSoftmax.ts):
// each row scores its target plus one shared set of S sampled words, logits corrected by
// log expected counts, a sampled word equal to the row's target masked out (accidental hit);
// the loss's gradient replaces the logits in place, no one-hot or hit matrices. Full softmax
// negative log-likelihood for exact evaluation, a cache-sized slice of columns at a time.
import { exp4 } from './_simdMath';

/** Σ exp(row[j] - max) over n floats, the exps written back to row when `keep`. */
function expSumRow(row: usize, n: i32, max: f32, keep: bool): f64 {
  const m = f32x4.splat(max);
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const e = exp4(f32x4.sub(v128.load(row + (<usize>j << 2)), m));
    if (keep) v128.store(row + (<usize>j << 2), e);
    acc = f32x4.add(acc, e);
  }
  let sum: f64 = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; j < n; j++) {
    const e = Mathf.exp(load<f32>(row + (<usize>j << 2)) - max);
    if (keep) store<f32>(row + (<usize>j << 2), e);
    sum += e;
  }
  return sum;
}

/**
 * Row pass of the sampled softmax. logits [N, S] hold hidden·W_samples^T on entry and
 * d(mean loss)/d(logit) on return. sampleAdj [S] = bias - logQ of each sample; targetAdj [N] =
 * -logQ of each row's target; posOf [V] = index of an id in the sample set or -1. Writes
 * dTrue [N] (gradient at each row's true logit). Gradients are of Σ loss / totalRows (the
 * whole step's rows, when threads share it). Returns the summed loss (float64).
 */
export function sampledSoftmaxRows(
  logits: usize, N: i32, S: i32, totalRows: i32, hidden: usize, H: i32, outW: usize, bias: usize,
  targets: usize, targetAdj: usize, sampleAdj: usize, posOf: usize, dTrue: usize,
): f64 {
  let loss: f64 = 0;
  const invN: f64 = 1.0 / <f64>totalRows;
  const hb = <usize>H << 2;
  for (let r = 0; r < N; r++) {
    const t = load<i32>(targets + (<usize>r << 2));
    const hr = hidden + <usize>r * hb;
    const wr = outW + <usize>t * hb;
    let acc = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= H; k += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(hr + (<usize>k << 2)), v128.load(wr + (<usize>k << 2))));
    let dot = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; k < H; k++) dot += load<f32>(hr + (<usize>k << 2)) * load<f32>(wr + (<usize>k << 2));
    const trueLogit: f32 = dot + load<f32>(bias + (<usize>t << 2)) + load<f32>(targetAdj + (<usize>r << 2));
    const row = logits + (<usize>r * <usize>S << 2);
    const max = Mathf.max(trueLogit, addBiasMax(row, S, sampleAdj));
    const hit = load<i32>(posOf + (<usize>t << 2));
    if (hit >= 0) store<f32>(row + (<usize>hit << 2), -1e9);
    const eTrue = Mathf.exp(trueLogit - max);
    const sum: f64 = <f64>eTrue + expSumRow(row, S, max, true);
    loss += <f64>max + Math.log(sum) - <f64>trueLogit;
    const scale = <f32>(invN / sum);
    const sv = f32x4.splat(scale);
    let j = 0;
    for (; j + 4 <= S; j += 4) v128.store(row + (<usize>j << 2), f32x4.mul(v128.load(row + (<usize>j << 2)), sv));
    for (; j < S; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) * scale);
    store<f32>(dTrue + (<usize>r << 2), <f32>(<f64>eTrue * invN / sum - invN));
  }
  return loss;
}

/** The true logits' share of the gradients: dHidden[r] += dTrue[r]·W[t_r];
 *  gradW[t_r] += dTrue[r]·hidden[r]; gradBias[t_r] += dTrue[r]. */
export function targetGradients(hidden: usize, dHidden: usize, outW: usize, gradW: usize, gradBias: usize, targets: usize, dTrue: usize, N: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let r = 0; r < N; r++) {
    const t = <usize>load<i32>(targets + (<usize>r << 2));
    const d = load<f32>(dTrue + (<usize>r << 2));
    const dv = f32x4.splat(d);
    const hr = hidden + <usize>r * hb;
    const dr = dHidden + <usize>r * hb;
    const wr = outW + t * hb;
    const gr = gradW + t * hb;
    let k = 0;
    for (; k + 4 <= H; k += 4) {
      const o = <usize>k << 2;
      v128.store(dr + o, f32x4.add(v128.load(dr + o), f32x4.mul(dv, v128.load(wr + o))));
      v128.store(gr + o, f32x4.add(v128.load(gr + o), f32x4.mul(dv, v128.load(hr + o))));
    }
    for (; k < H; k++) {
      const o = <usize>k << 2;
      store<f32>(dr + o, load<f32>(dr + o) + d * load<f32>(wr + o));
      store<f32>(gr + o, load<f32>(gr + o) + d * load<f32>(hr + o));
    }
    store<f32>(gradBias + (t << 2), load<f32>(gradBias + (t << 2)) + d);
  }
}

/** row += bias over n floats; returns the row's largest value. */
function addBiasMax(row: usize, n: i32, bias: usize): f32 {
  let m4 = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const v = f32x4.add(v128.load(row + o), v128.load(bias + o));
    v128.store(row + o, v);
    m4 = f32x4.max(m4, v);
  }
  let best = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  for (; j < n; j++) {
    const v = load<f32>(row + (<usize>j << 2)) + load<f32>(bias + (<usize>j << 2));
    store<f32>(row + (<usize>j << 2), v);
    if (v > best) best = v;
  }
  return best;
}

/**
 * One slice of columns [c0, c0 + C) of a full softmax over N rows, folded into each row's running
 * state (float32 max, float32 target logit, float64 Σexp; 16 bytes a row at `state`; c0 = 0
 * starts afresh): logits [N, C] get the slice's biases added. The slices are small enough to
 * stay in cache between the GEMM that writes them and this pass (fusedReplica.evalStep).
 */
export function softmaxSlice(logits: usize, N: i32, C: i32, bias: usize, c0: i32, targets: usize, state: usize): void {
  for (let r = 0; r < N; r++) {
    const row = logits + (<usize>r * <usize>C << 2);
    const st = state + (<usize>r << 4);
    const m = addBiasMax(row, C, bias);
    let max = c0 == 0 ? m : load<f32>(st);
    let sum: f64 = 0;
    if (c0 > 0) {
      sum = load<f64>(st, 8);
      if (m > max) {
        sum *= Math.exp(<f64>max - <f64>m);
        max = m;
      }
    }
    store<f64>(st, sum + expSumRow(row, C, max, false), 8);
    store<f32>(st, max);
    const t = load<i32>(targets + (<usize>r << 2)) - c0;
    if (t >= 0 && t < C) store<f32>(st, load<f32>(row + (<usize>t << 2)), 4);
  }
}

/**
 * Σ_r (logsumexp_r - target logit_r) of the rows softmaxSlice folded every column into: the
 * full-softmax NLL, float64. Each row's log p(target) also goes to `scores` (float64 [N]).
 */
export function softmaxSliceNll(N: i32, state: usize, scores: usize): f64 {
  let total: f64 = 0;
  for (let r = 0; r < N; r++) {
    const st = state + (<usize>r << 4);
    const nll = <f64>load<f32>(st) + Math.log(load<f64>(st, 8)) - <f64>load<f32>(st, 4);
    store<f64>(scores + (<usize>r << 3), -nll);
    total += nll;
  }
  return total;
}
