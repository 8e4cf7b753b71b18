import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NgramModel, kneserNeyDiscounts, type NgramState } from '../../src/engine/ngram/ngram';
import { naiveKn, randomCorpus } from './naiveKn';

const [a, b, c] = [0, 1, 2];
// Corpus "a b a b c" over V = 3 (the hand computations below use it).
const tiny = [a, b, a, b, c];

function stateAfter(model: NgramModel, ids: number[]): NgramState {
  return ids.reduce((s, id) => model.advance(s, id), model.initialState());
}

function probs(model: NgramModel, s: NgramState): number[] {
  return Array.from(model.logProbs(s), Math.exp);
}

function assertClose(actual: number[], expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < tol, `index ${i}: ${x} vs ${expected[i]}`));
}

test('bigram probabilities match a hand computation', () => {
  // Raw bigrams: (<s>,a)=1 (a,b)=2 (b,a)=1 (b,c)=1 -> n1=3 n2=1: D1=0.6, D2=2, D3+=1.5.
  // Unigram continuation counts a=2 b=1 c=1 -> D1=0.5, D2=2; gamma=(0.5*2+2*1)/4=0.75,
  // p(a)=0+0.25=0.25, p(b)=p(c)=0.5/4+0.25=0.375.
  const m = NgramModel.build(tiny, 3, 2);
  assertClose(probs(m, stateAfter(m, [b])), [0.4 / 2 + 0.6 * 0.25, 0.6 * 0.375, 0.4 / 2 + 0.6 * 0.375]);
  assertClose(probs(m, stateAfter(m, [a])), [0.25, 0.375, 0.375]); // count 2 fully discounted (D2=2), gamma 1
  assertClose(probs(m, m.initialState()), [0.4 + 0.6 * 0.25, 0.6 * 0.375, 0.6 * 0.375]);
  assertClose(probs(m, stateAfter(m, [c])), [0.25, 0.375, 0.375]); // unseen context: unigram
});

test('trigram probabilities match a hand computation', () => {
  // Raw trigrams all count 1 -> discounts 0.5; bigram continuation counts equal the raw
  // bigram counts above, so the bigram level is the previous test's model.
  const m = NgramModel.build(tiny, 3, 3);
  const pb = [0.35, 0.225, 0.425]; // p(.|b)
  assertClose(probs(m, stateAfter(m, [a, b])), [0.25 + 0.5 * pb[0], 0.5 * pb[1], 0.25 + 0.5 * pb[2]]);
  assertClose(probs(m, stateAfter(m, [b, a])), [0.5 * 0.25, 0.5 + 0.5 * 0.375, 0.5 * 0.375]);
  assertClose(probs(m, stateAfter(m, [c, b])), pb); // (c,b) unseen: back off to p(.|b)
  assertClose(probs(m, m.initialState()), [0.5 + 0.5 * 0.55, 0.5 * 0.225, 0.5 * 0.225]); // (<s>,<s>)
});

test('discounts follow Chen & Goodman with the anchor floor and fallbacks', () => {
  assert.deepEqual(kneserNeyDiscounts(0, 3, 1, 1), [0.5, 0.5, 0.5]);
  const [d1, d2, d3] = kneserNeyDiscounts(10, 5, 2, 1);
  const y = 10 / 20;
  assert.ok(Math.abs(d1 - (1 - 2 * y * 0.5)) < 1e-12);
  assert.ok(Math.abs(d2 - (2 - 3 * y * 2 / 5)) < 1e-12);
  assert.ok(Math.abs(d3 - (3 - 4 * y * 1 / 2)) < 1e-12);
  assert.equal(kneserNeyDiscounts(1, 100, 1, 0)[0], 0.05);
});

test('agrees with a naive implementation of the estimator at orders 1 to 5', () => {
  const V = 12;
  const ids = randomCorpus(400, V, 7);
  const probe = randomCorpus(60, V, 99);
  for (let order = 1; order <= 5; order++) {
    const m = NgramModel.build(ids, V, order);
    const ref = naiveKn(ids, V, order);
    let s = m.initialState();
    let ctx: number[] = new Array(order - 1).fill(-1);
    for (const next of probe) {
      const dense = m.logProbs(s);
      for (let w = 0; w < V; w++) {
        const expected = ref(ctx, w);
        assert.ok(Math.abs(Math.exp(m.logProb(s, w)) - expected) < 1e-12, `order ${order} logProb`);
        assert.ok(Math.abs(Math.exp(dense[w]) - expected) < 1e-6 * expected + 1e-9, `order ${order} logProbs`);
      }
      s = m.advance(s, next);
      ctx = [...ctx.slice(1), next];
    }
  }
});

test('every context gives a distribution that sums to 1', () => {
  const V = 40;
  const ids = randomCorpus(2000, V, 3);
  const m = NgramModel.build(ids, V, 5);
  let s = m.initialState();
  // Seen contexts (the training text) then unseen ones (another text).
  for (const next of [...ids.slice(0, 300), ...randomCorpus(100, V, 1234)]) {
    const sum = probs(m, s).reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `sum ${sum}`);
    s = m.advance(s, next);
  }
});

test('states are immutable and perplexity falls on text the model has seen', () => {
  const V = 30;
  const ids = randomCorpus(3000, V, 5);
  const m = NgramModel.build(ids, V, 4);
  const s1 = stateAfter(m, [1, 2, 3]);
  const before = JSON.stringify(s1);
  const s2 = m.advance(s1, 4);
  assert.equal(JSON.stringify(s1), before);
  assert.notDeepEqual(s2.history, s1.history);
  const seen = m.perplexity(ids.slice(0, 500));
  const fresh = m.perplexity(randomCorpus(500, V, 4242));
  assert.ok(seen < fresh, `${seen} should be below ${fresh}`);
  assert.ok(fresh < V * 2, 'smoothing keeps unseen text finite and moderate');
});

test('serialize round-trips exactly, also from an unaligned buffer', () => {
  const V = 25;
  const ids = randomCorpus(1500, V, 11);
  const m = NgramModel.build(ids, V, 5);
  const bytes = m.serialize();
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  const back = NgramModel.deserialize(shifted.subarray(1));
  assert.equal(back.order, 5);
  assert.equal(back.vocabSize, V);
  let s1 = m.initialState();
  let s2 = back.initialState();
  for (const id of ids.slice(0, 200)) {
    assert.deepEqual(back.logProbs(s2), m.logProbs(s1));
    s1 = m.advance(s1, id);
    s2 = back.advance(s2, id);
  }
});

test('corrupt or foreign bytes fail with a clear error', () => {
  const bytes = NgramModel.build(randomCorpus(500, 10, 2), 10, 3).serialize();
  const corrupt = /Corrupt or unsupported n-gram model file/;
  const flipped = bytes.slice();
  flipped[bytes.length - 7] ^= 0x10;
  assert.throws(() => NgramModel.deserialize(flipped), /checksum/);
  assert.throws(() => NgramModel.deserialize(bytes.slice(0, bytes.length - 8)), /truncated or padded/);
  assert.throws(() => NgramModel.deserialize(new TextEncoder().encode('{"not":"a model file"}  ')), /bad magic/);
  assert.throws(() => NgramModel.deserialize(new Uint8Array(0)), corrupt);
  const newer = bytes.slice();
  newer[4] = 9;
  assert.throws(() => NgramModel.deserialize(newer), /version 9/);
});

test('build rejects bad input clearly', () => {
  assert.throws(() => NgramModel.build([0, 5], 5), /outside the vocabulary/);
  assert.throws(() => NgramModel.build([], 5), /no tokens/);
  assert.throws(() => NgramModel.build([0], 5, 0), /order/);
  const m = NgramModel.build([0, 1], 2, 2);
  assert.throws(() => m.advance(m.initialState(), 2), /outside the vocabulary/);
});
