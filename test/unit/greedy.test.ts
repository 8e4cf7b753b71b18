import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { complete } from '../../src/engine/decode/complete';
import { argmax } from '../../src/engine/decode/generate';
import { greedyPick, pickFromProbs } from '../../src/engine/decode/greedy';
import { InterpolatedModel } from '../../src/engine/decode/interpolate';
import { LstmModel } from '../../src/engine/lstm/lstm';
import { NgramModel } from '../../src/engine/ngram/ngram';
import { PrefixCache } from '../../src/engine/decode/prefixCache';
import { mulberry32 } from '../../src/engine/prng';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import type { LanguageModel, LstmHyper, NextTokenProbs } from '../../src/engine/types';
import { Vocab } from '../../src/engine/text/vocab';

before(async () => {
  await initBackend();
});

/** The same model seen only through the LanguageModel contract (no probs/greedy fast path). */
function plain<S>(m: LanguageModel<S>): LanguageModel<S> {
  return { vocabSize: m.vocabSize, initialState: () => m.initialState(), advance: (s, id) => m.advance(s, id), logProbs: (s) => m.logProbs(s) };
}

/** An LSTM whose weights are scaled: random init gives near-uniform (near-tie) distributions, scaled ones peaky ones. */
function lstm(V: number, scale: number, seed: number): LstmModel {
  const hyper: LstmHyper = { vocabSize: V, embedDim: 12, hiddenDim: 12, layers: 1, tied: false, dropout: 0 };
  const w = LstmModel.create(hyper, seed);
  const weights = w.weights().map((x) => ({ ...x, values: x.values.map((v) => v * scale) }));
  w.dispose();
  return LstmModel.fromWeights(hyper, weights);
}

function randomIds(n: number, V: number, seed: number): number[] {
  const r = mulberry32(seed);
  // Skewed, so the n-gram has sharp and flat contexts.
  return Array.from({ length: n }, () => Math.floor(V * r() * r()));
}

/** Option sets covering argmax's two iteration orders (allow set order vs ascending) and exclusions. */
function optionSets(V: number, seed: number) {
  const r = mulberry32(seed);
  const subset = [...new Set(Array.from({ length: 8 }, () => Math.floor(r() * V)))].reverse();
  return [{}, { exclude: new Set([0, 1]) }, { allow: new Set(subset) }, { allow: new Set(subset), exclude: new Set([subset[0]]) }, { allow: new Set([V - 1]) }];
}

test('pickFromProbs re-ranks near-ties on the exact log-probabilities, ties to the first in argmax order', () => {
  // Ids 1-3 are nearer than float32 tells apart: p ranks 2 first, the exact values tie 1 and 2.
  const p = new Float64Array([0.1, 0.3, 0.3 * (1 + 1e-9), 0.3 * (1 - 1e-9)]);
  const exact = [-2.3, -1.2, -1.2, -1.21];
  const d: NextTokenProbs = { p, exactLogProb: (id) => exact[id] };
  assert.equal(pickFromProbs(d, {}), 1, 'ascending scan: the first of the exact ties, not the largest p');
  assert.equal(pickFromProbs(d, { allow: new Set([2, 1]) }), 2, 'allow-set order decides a tie, as argmax does');
  assert.equal(pickFromProbs(d, { exclude: new Set([1]) }), 2);
  assert.equal(pickFromProbs(d, { allow: new Set([3]) }), 3);
  assert.equal(pickFromProbs(d, { allow: new Set([0]) }), 0);
  assert.equal(pickFromProbs(d, { allow: new Set([]) }), undefined, 'nothing allowed: the caller falls back');
  assert.equal(pickFromProbs({ p: new Float64Array(3), exactLogProb: () => -800 }, {}), undefined, 'underflow: the caller falls back');
  // Versus generate's argmax over the same exact values:
  const values = Float32Array.from(exact);
  for (const opts of [{}, { allow: new Set([2, 1]) }, { exclude: new Set([1]) }]) assert.equal(pickFromProbs(d, opts), argmax(values, opts));
});

test('probs reproduce logProbs bit for bit (LSTM, n-gram, mixture) and greedyPick equals argmax(logProbs)', () => {
  const V = 40;
  const ids = randomIds(400, V, 7);
  const ngram = NgramModel.build(ids, V, 4);
  for (const [scale, seed] of [[1, 1], [30, 2]]) {
    const net = lstm(V, scale, seed);
    const models: [string, LanguageModel<unknown>][] = [
      ['lstm', net as LanguageModel<unknown>],
      ['ngram', ngram as LanguageModel<unknown>],
      ...[0, 0.007, 0.3, 0.9, 1].map((l) => [`mix λ=${l}`, new InterpolatedModel(net, ngram, l) as LanguageModel<unknown>] as [string, LanguageModel<unknown>]),
    ];
    for (const [name, m] of models) {
      let s = m.initialState();
      for (let t = 0; t < 30; t++) {
        const lp = m.logProbs(s);
        const d = m.probs!(s);
        for (let id = 0; id < V; id++) {
          assert.equal(d.exactLogProb(id), lp[id], `${name} scale ${scale} step ${t} id ${id}`);
          assert.ok(Math.abs(d.p[id] - Math.exp(lp[id])) <= 1e-6 * Math.exp(lp[id]) + 1e-12);
        }
        for (const opts of optionSets(V, t)) assert.equal(greedyPick(m, s, opts), argmax(lp, opts), `${name} scale ${scale} step ${t} ${JSON.stringify([...(opts.allow ?? [])])}`);
        s = m.advance(s, ids[t + 100]);
      }
    }
    net.dispose();
  }
});

test('LSTM: logits tied or nearer than float32 resolves pick what argmax(logProbs) picks; NaN picks nothing', () => {
  const V = 12;
  const hyper: LstmHyper = { vocabSize: V, embedDim: 4, hiddenDim: 4, layers: 1, tied: false, dropout: 0 };
  const base = LstmModel.create(hyper, 1);
  // A zero output kernel: the logits are the bias, crafted with exact and sub-float32 near-ties.
  const withBias = (bias: number[]) =>
    LstmModel.fromWeights(
      hyper,
      base.weights().map((w) => (w.name === 'dense/kernel' ? { ...w, values: new Float32Array(w.values.length) } : w.name === 'dense/bias' ? { ...w, values: Float32Array.from(bias) } : w)),
    );
  // Logits one float32 step apart near 0.75, log-probabilities near -2.5 (four times coarser):
  // distinct logits round to equal logProbs values, where ties go to the first id walked.
  const lo = Math.fround(0.75 - 2 ** -24);
  const hi = Math.fround(0.75 + 2 ** -24);
  const cases = [
    [0.75, 0.75, 0.75, lo, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.7],
    [0.75, lo, 0.75, hi, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.7],
    [40, 40, 39.99999, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  ];
  let decidedByExactValues = 0;
  for (const bias of cases) {
    const m = withBias(bias);
    const s = m.advance(m.initialState(), 2);
    const lp = m.logProbs(s);
    for (const opts of [{}, { exclude: new Set([0]) }, { allow: new Set([4, 3, 1]) }, { allow: new Set([3, 4]) }, { allow: new Set([1, 3]) }, { allow: new Set([11]) }]) {
      const want = argmax(lp, opts);
      assert.equal(greedyPick(m, s, opts), want, `${bias} ${JSON.stringify([...(opts.allow ?? [])])}`);
      if (want !== argmax(Float32Array.from(bias), opts)) decidedByExactValues++;
    }
    m.dispose();
  }
  assert.ok(decidedByExactValues > 0, 'some cases are ones the largest logit alone gets wrong');
  const broken = withBias([1, NaN, ...new Array(V - 2).fill(0)]);
  const s = broken.initialState();
  assert.equal(argmax(broken.logProbs(s)), -1);
  assert.equal(greedyPick(broken, s), -1);
  broken.dispose();
  base.dispose();
});

test('exact ties in the n-gram go to the lowest id, as argmax(logProbs) does', () => {
  // Every word seen equally often: a flat unigram distribution (all values equal).
  const V = 6;
  const ngram = NgramModel.build([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5], V, 1);
  const s = ngram.initialState();
  assert.equal(greedyPick(ngram, s), 0);
  assert.equal(greedyPick(ngram, s, { exclude: new Set([0]) }), 1);
  assert.equal(greedyPick(ngram, s, { allow: new Set([4, 2]) }), argmax(ngram.logProbs(s), { allow: new Set([4, 2]) }));
});

test('a mixture skips the LSTM output layer when the n-gram decides alone, and only then', () => {
  const V = 30;
  const ids: number[] = [];
  for (let i = 0; i < 50; i++) ids.push(1, 2, 3, 4); // deterministic: after 1 comes 2
  const ngram = NgramModel.build(ids, V, 3);
  const net = lstm(V, 30, 5);
  let calls = 0;
  const probs = net.probs.bind(net);
  net.probs = (st) => {
    calls++;
    return probs(st);
  };
  const after1 = (m: LanguageModel<unknown>) => m.advance(m.advance(m.initialState(), 4), 1);
  const small = new InterpolatedModel(net, ngram, 0.01) as LanguageModel<unknown>;
  const s = after1(small);
  assert.equal(greedyPick(small, s), argmax(small.logProbs(s)));
  assert.equal(greedyPick(small, s), 2);
  calls = 0;
  greedyPick(small, s);
  assert.equal(calls, 0, 'the n-gram is sure by more than λ: the LSTM is not consulted');
  const large = new InterpolatedModel(net, ngram, 0.9) as LanguageModel<unknown>;
  const s2 = after1(large);
  calls = 0;
  assert.equal(greedyPick(large, s2), argmax(large.logProbs(s2)));
  assert.equal(calls, 1, 'with λ = 0.9 the LSTM can overturn the n-gram: it is consulted');
  net.dispose();
});

test('complete() gives the same completions with the fast path as through logProbs alone', async () => {
  const tokenizer = createTokenizer('code');
  const text = 'function add(a, b) {\n  return a + b;\n}\nconst total = add(1, 2);\nif (total > 2) console.log(total);\n'.repeat(6);
  const tokens = tokenizer.tokenize(text);
  const vocab = Vocab.build(tokens);
  const ngram = NgramModel.build(vocab.encode(tokens), vocab.size, 4);
  for (const [scale, lambda] of [[1, 0.5], [20, 0.3], [20, 0.01]]) {
    const net = lstm(vocab.size, scale, 9);
    const fast = new InterpolatedModel(net, ngram, lambda) as LanguageModel<unknown>;
    const slow = plain(fast);
    const cache = new PrefixCache<unknown>();
    let nonEmpty = 0;
    for (let end = 1; end < 160; end += 3) {
      const before = text.slice(0, end);
      const opts = { maxTokens: 8, multiline: end % 2 === 0 };
      const a = await complete(fast, tokenizer, vocab, before, { ...opts, cache });
      const b = await complete(slow, tokenizer, vocab, before, opts);
      assert.equal(a.completion, b.completion, `scale ${scale} λ ${lambda} at ${JSON.stringify(before.slice(-20))}`);
      if (a.completion) nonEmpty++;
    }
    assert.ok(nonEmpty > 10, 'the comparison covers real completions');
    net.dispose();
  }
});

test('LSTM probs leaves no tensors behind', () => {
  const net = lstm(20, 1, 3);
  const s = net.advance(net.initialState(), 4);
  net.probs(s);
  const n = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) net.probs(s);
  assert.equal(tf.memory().numTensors, n);
  net.dispose();
});
