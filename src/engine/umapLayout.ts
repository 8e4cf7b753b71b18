// UMAP's layout optimisation (SGD with negative sampling), umap-js 1.4's optimizeLayoutStep
// on flat typed arrays instead of arrays of arrays: same update rule, same edge schedule.
import type { FuzzyGraph } from './umapGraph';

export interface LayoutParams {
  a: number;
  b: number;
  nEpochs: number;
  learningRate?: number;
  repulsionStrength?: number;
  negativeSampleRate?: number;
}

const CLIP = 4;
// x^b is written exp(b ln x) throughout: same value to ~1 ulp, ~2x faster than Math.pow in V8.
const clip = (x: number): number => (x > CLIP ? CLIP : x < -CLIP ? -CLIP : x);

export class UmapLayout {
  epoch = 0;
  readonly nEpochs: number;
  private readonly head: Int32Array; // the point moved (umap-js: head = column)
  private readonly tail: Int32Array;
  private readonly epochsPerSample: Float64Array;
  private readonly epochOfNextSample: Float64Array;
  private readonly epochsPerNegativeSample: Float64Array;
  private readonly epochOfNextNegativeSample: Float64Array;
  private readonly a: number;
  private readonly b: number;
  private readonly gamma: number;
  private readonly initialAlpha: number;
  private alpha: number;

  /** `embedding` (n x dim, row-major) is updated in place. */
  constructor(graph: FuzzyGraph, readonly embedding: Float64Array, readonly dim: number, params: LayoutParams, private readonly random: () => number) {
    this.nEpochs = params.nEpochs;
    this.a = params.a;
    this.b = params.b;
    this.gamma = params.repulsionStrength ?? 1;
    this.initialAlpha = this.alpha = params.learningRate ?? 1;
    const negativeRate = params.negativeSampleRate ?? 5;
    // Edges too weak to be sampled even once in nEpochs are dropped, as umap-js does.
    let max = 0;
    for (const w of graph.weights) if (w > max) max = w;
    const keep: number[] = [];
    for (let e = 0; e < graph.weights.length; e++) if (graph.weights[e] > 0 && graph.weights[e] >= max / this.nEpochs) keep.push(e);
    const m = keep.length;
    this.head = new Int32Array(m);
    this.tail = new Int32Array(m);
    this.epochsPerSample = new Float64Array(m);
    keep.forEach((e, i) => {
      this.head[i] = graph.cols[e];
      this.tail[i] = graph.rows[e];
      this.epochsPerSample[i] = this.nEpochs / ((graph.weights[e] / max) * this.nEpochs);
    });
    this.epochOfNextSample = this.epochsPerSample.slice();
    this.epochsPerNegativeSample = this.epochsPerSample.map((e) => e / negativeRate);
    this.epochOfNextNegativeSample = this.epochsPerNegativeSample.slice();
  }

  get done(): boolean {
    return this.epoch >= this.nEpochs;
  }

  /** Runs one epoch. */
  step(): void {
    if (this.done) return;
    if (this.dim === 2) this.step2d();
    else this.stepAnyDim();
    this.alpha = this.initialAlpha * (1 - this.epoch / this.nEpochs);
    this.epoch++;
  }

  /** The 2-D case unrolled (the common one: ~2x faster than the loop over dimensions). */
  private step2d(): void {
    const { head, tail, embedding: y, a, b, gamma, random, alpha } = this;
    const { epochsPerSample, epochOfNextSample, epochsPerNegativeSample, epochOfNextNegativeSample } = this;
    const n = this.epoch;
    const nVertices = y.length / 2;
    const twoAB = 2 * a * b, twoGammaB = 2 * gamma * b;
    for (let i = 0; i < epochsPerSample.length; i++) {
      if (epochOfNextSample[i] > n) continue;
      const cur = head[i] * 2;
      const oth = tail[i] * 2;
      let cx = y[cur], cy = y[cur + 1];
      const dx = cx - y[oth], dy = cy - y[oth + 1];
      const d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const pb = Math.exp(b * Math.log(d2));
        const coeff = (-twoAB * (pb / d2)) / (a * pb + 1);
        const gx = clip(coeff * dx) * alpha, gy = clip(coeff * dy) * alpha;
        cx += gx;
        cy += gy;
        y[oth] -= gx;
        y[oth + 1] -= gy;
      }
      epochOfNextSample[i] += epochsPerSample[i];
      const nNeg = Math.floor((n - epochOfNextNegativeSample[i]) / epochsPerNegativeSample[i]);
      for (let p = 0; p < nNeg; p++) {
        const k = Math.floor(random() * nVertices);
        if (k === head[i]) continue; // itself (its position is held in cx, cy)
        const o = k * 2;
        const ex = cx - y[o], ey = cy - y[o + 1];
        const e2 = ex * ex + ey * ey;
        if (e2 > 0) {
          const rc = twoGammaB / ((0.001 + e2) * (a * Math.exp(b * Math.log(e2)) + 1));
          cx += clip(rc * ex) * alpha;
          cy += clip(rc * ey) * alpha;
        } else {
          cx += CLIP * alpha;
          cy += CLIP * alpha;
        }
      }
      y[cur] = cx;
      y[cur + 1] = cy;
      epochOfNextNegativeSample[i] += nNeg * epochsPerNegativeSample[i];
    }
  }

  private stepAnyDim(): void {
    const { head, tail, embedding: y, dim, a, b, gamma, random, alpha } = this;
    const { epochsPerSample, epochOfNextSample, epochsPerNegativeSample, epochOfNextNegativeSample } = this;
    const n = this.epoch;
    const nVertices = y.length / dim;
    for (let i = 0; i < epochsPerSample.length; i++) {
      if (epochOfNextSample[i] > n) continue;
      const cur = head[i] * dim;
      const oth = tail[i] * dim;
      let d2 = 0;
      for (let d = 0; d < dim; d++) d2 += (y[cur + d] - y[oth + d]) ** 2;
      let coeff = 0;
      if (d2 > 0) {
        const pb = Math.exp(b * Math.log(d2));
        coeff = (-2 * a * b * (pb / d2)) / (a * pb + 1);
      }
      for (let d = 0; d < dim; d++) {
        const g = clip(coeff * (y[cur + d] - y[oth + d]));
        y[cur + d] += g * alpha;
        y[oth + d] -= g * alpha;
      }
      epochOfNextSample[i] += epochsPerSample[i];
      const nNeg = Math.floor((n - epochOfNextNegativeSample[i]) / epochsPerNegativeSample[i]);
      for (let p = 0; p < nNeg; p++) {
        const k = Math.floor(random() * nVertices);
        const o = k * dim;
        let e2 = 0;
        for (let d = 0; d < dim; d++) e2 += (y[cur + d] - y[o + d]) ** 2;
        let rc = 0;
        if (e2 > 0) rc = (2 * gamma * b) / ((0.001 + e2) * (a * Math.exp(b * Math.log(e2)) + 1));
        else if (head[i] === k) continue;
        for (let d = 0; d < dim; d++) {
          const g = rc > 0 ? clip(rc * (y[cur + d] - y[o + d])) : CLIP;
          y[cur + d] += g * alpha;
        }
      }
      epochOfNextNegativeSample[i] += nNeg * epochsPerNegativeSample[i];
    }
  }
}
