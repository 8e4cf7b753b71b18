import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InterpolatedModel, fitLambda, fitLambdaFromLogProbs } from '../../src/engine/decode/interpolate';
import { NgramModel } from '../../src/engine/ngram/ngram';
import type { LanguageModel } from '../../src/engine/types';

/** Context-free model with fixed probabilities; counts logProbs calls. */
class FixedModel implements LanguageModel<number> {
  readonly vocabSize: number;
  calls = 0;
  constructor(private readonly p: number[]) {
    this.vocabSize = p.length;
  }
  initialState(): number {
    return 0;
  }
  advance(s: number): number {
    return s + 1;
  }
  logProbs(): Float32Array {
    this.calls++;
    return Float32Array.from(this.p, Math.log);
  }
}

const a = new FixedModel([0.9, 0.1]);
const b = new FixedModel([0.1, 0.9]);

function data(zeros: number, total: number): number[] {
  return Array.from({ length: total }, (_, i) => (i < zeros ? 0 : 1));
}

test('fitLambda finds the known optimum of a two-unigram mixture', () => {
  // Mixture p(0) = 0.1 + 0.8λ; the likelihood peaks where p(0) equals the share of zeros.
  for (const [zeros, lambda] of [[70, 0.75], [50, 0.5], [30, 0.25]]) {
    const fit = fitLambda(a, b, data(zeros, 100));
    assert.ok(Math.abs(fit.lambda - lambda) < 1e-4, `${zeros}% zeros: λ=${fit.lambda}, expected ${lambda}`);
    assert.ok(fit.ppl <= Math.min(fit.pplA, fit.pplB) + 1e-9);
  }
});

test('fitLambda reaches the ends of [0, 1] when one model is simply better', () => {
  assert.equal(fitLambda(a, b, data(95, 100)).lambda, 1);
  assert.equal(fitLambda(a, b, data(5, 100)).lambda, 0);
  assert.throws(() => fitLambdaFromLogProbs([], []), /non-zero/);
});

test('the mixture is p = λ·p_a + (1−λ)·p_b, a distribution in every context', () => {
  const V = 6;
  const ids1 = [0, 1, 2, 3, 4, 5, 0, 1, 2, 0, 1, 0];
  const ids2 = [5, 4, 3, 2, 1, 0, 5, 5, 4, 4, 3, 3];
  const m1 = NgramModel.build(ids1, V, 3);
  const m2 = NgramModel.build(ids2, V, 2);
  const mix = new InterpolatedModel(m1, m2, 0.3);
  let s = mix.initialState();
  let s1 = m1.initialState();
  let s2 = m2.initialState();
  for (const id of [0, 1, 5, 4, 2]) {
    const lp = mix.logProbs(s);
    const p1 = m1.logProbs(s1);
    const p2 = m2.logProbs(s2);
    let sum = 0;
    for (let w = 0; w < V; w++) {
      const expected = 0.3 * Math.exp(p1[w]) + 0.7 * Math.exp(p2[w]);
      assert.ok(Math.abs(Math.exp(lp[w]) - expected) < 1e-6);
      assert.ok(Math.abs(Math.exp(mix.logProb(s, w)) - expected) < 1e-6);
      sum += Math.exp(lp[w]);
    }
    assert.ok(Math.abs(sum - 1) < 1e-5);
    s = mix.advance(s, id);
    s1 = m1.advance(s1, id);
    s2 = m2.advance(s2, id);
  }
});

test('extreme weights stay finite and skip the unused model', () => {
  const zero = new FixedModel([1, 0]);
  const mix = new InterpolatedModel(zero, b, 0.5);
  const lp = mix.logProbs(mix.initialState());
  assert.ok(Math.abs(Math.exp(lp[1]) - 0.45) < 1e-6, 'log(0) on one side is handled');
  b.calls = 0;
  const onlyA = mix.withLambda(1);
  onlyA.logProbs(onlyA.initialState());
  assert.equal(b.calls, 0);
  assert.throws(() => new InterpolatedModel(a, new FixedModel([1]), 0.5), /different vocabularies/);
  assert.throws(() => new InterpolatedModel(a, b, 1.5), /lambda/);
});

test('advanceMany reads a range batched on the side that can, token by token on the other', () => {
  const ranges: [number, number][] = [];
  const batched = new (class extends FixedModel {
    advanceMany(s: number, _ids: ArrayLike<number>, start: number, end: number): number {
      ranges.push([start, end]);
      return s + (end - start);
    }
  })([0.5, 0.5]);
  const stepped = new FixedModel([0.5, 0.5]);
  const m = new InterpolatedModel(batched, stepped, 0.5);
  const s = m.advanceMany(m.initialState(), [1, 0, 1, 1, 0], 1, 4);
  assert.deepEqual(s, { a: 3, b: 3 });
  assert.deepEqual(ranges, [[1, 4]]);
});
