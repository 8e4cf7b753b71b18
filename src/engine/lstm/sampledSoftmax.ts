// Sampled softmax for training (Jean et al. 2015, as TF's sampled_softmax_loss): the full
// softmax over V words is most of a CPU step's cost, so each step scores the targets plus
// S distinct words drawn from a unigram^alpha proposal, with the logQ correction that
// makes the estimate consistent. Inference always uses the exact full softmax.
import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from './softmax';

export class UnigramSampler {
  private readonly cdf: Float64Array;
  private readonly q: Float64Array;

  /** `counts[id]` from the training ids; `alpha` < 1 flattens the distribution. */
  constructor(counts: ArrayLike<number>, alpha: number, private readonly rand: () => number) {
    const v = counts.length;
    this.q = new Float64Array(v);
    let total = 0;
    // +1 smoothing: every word can be drawn, so no target has zero proposal mass.
    for (let i = 0; i < v; i++) total += this.q[i] = Math.pow(counts[i] + 1, alpha);
    this.cdf = new Float64Array(v);
    let acc = 0;
    for (let i = 0; i < v; i++) {
      this.q[i] /= total;
      acc += this.q[i];
      this.cdf[i] = acc;
    }
  }

  static fromIds(ids: Int32Array, vocabSize: number, alpha: number, rand: () => number): UnigramSampler {
    const counts = new Float64Array(vocabSize);
    for (let i = 0; i < ids.length; i++) counts[ids[i]]++;
    return new UnigramSampler(counts, alpha, rand);
  }

  get vocabSize(): number {
    return this.q.length;
  }

  private draw(): number {
    const r = this.rand() * this.cdf[this.cdf.length - 1];
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * `size` distinct ids and the log of each id's expected count under the draws made
   * (1 - (1 - q)^tries), the correction subtracted from their logits.
   */
  sample(size: number): { ids: Int32Array; tries: number } {
    const n = Math.min(size, this.q.length);
    const seen = new Set<number>();
    let tries = 0;
    while (seen.size < n) {
      seen.add(this.draw());
      tries++;
    }
    return { ids: Int32Array.from(seen), tries };
  }

  /** log(expected count) of each id after `tries` draws. */
  logExpected(ids: Int32Array, tries: number): Float32Array {
    const out = new Float32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const q = this.q[ids[i]];
      // -expm1(tries * log1p(-q)) is 1 - (1-q)^tries without cancellation for small q.
      out[i] = Math.log(-Math.expm1(tries * Math.log1p(-q)));
    }
    return out;
  }
}

/**
 * Mean sampled-softmax cross-entropy. `hidden` [N,H]; `targetW` [N,H] and `targetB` [N] the
 * output weights of each row's target; `sampleW` [H,S] and `sampleB` [S] those of the samples.
 */
export function sampledSoftmaxLoss(
  hidden: tf.Tensor2D,
  targetW: tf.Tensor2D,
  targetB: tf.Tensor1D,
  sampleW: tf.Tensor2D,
  sampleB: tf.Tensor1D,
  targets: Int32Array,
  sample: { ids: Int32Array; tries: number },
  sampler: UnigramSampler,
): tf.Scalar {
  const n = targets.length;
  const s = sample.ids.length;
  const targetCorr = tf.tensor1d(sampler.logExpected(targets, sample.tries));
  const sampleCorr = tf.tensor1d(sampler.logExpected(sample.ids, sample.tries));
  // A sampled word equal to the row's target would count twice: mask it out (accidental hit).
  const hits = new Float32Array(n * s);
  const pos = new Map<number, number>();
  sample.ids.forEach((id, j) => pos.set(id, j));
  for (let r = 0; r < n; r++) {
    const j = pos.get(targets[r]);
    if (j !== undefined) hits[r * s + j] = -1e9;
  }
  const trueLogit = tf.sum(tf.mul(hidden, targetW), 1).add(targetB).sub(targetCorr);
  const sampleLogits = tf
    .matMul(hidden, sampleW)
    .add(sampleB.sub(sampleCorr))
    .add(tf.tensor2d(hits, [n, s]));
  const all = tf.concat([trueLogit.reshape([n, 1]), sampleLogits], 1) as tf.Tensor2D;
  // The target is column 0 of every row.
  return softmaxCrossEntropy(all, new Int32Array(n));
}
