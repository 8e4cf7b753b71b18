import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { LstmModel } from '../../src/engine/lstm/lstm';
import { evaluatePerplexity } from '../../src/engine/lstm/train';
import { NgramModel } from '../../src/engine/ngram/ngram';
import { fitLambdaFromLogProbs, InterpolatedModel, tokenLogProbs } from '../../src/engine/decode/interpolate';
import { lstmTokenScores, mixturePerplexity, perplexityOf, scoresAt } from '../../src/engine/lstm/evaluate';

const hyper = { vocabSize: 12, embedDim: 6, hiddenDim: 6, layers: 1, tied: false, dropout: 0 };
const ids = Int32Array.from({ length: 203 }, (_, i) => (i * 7 + (i % 5)) % 12);

test('per-token LSTM scores give exactly the perplexity evaluatePerplexity reports', async () => {
  await initBackend();
  const model = LstmModel.create(hyper, 3);
  const scores = await lstmTokenScores(model, ids, { batch: 10 });
  const reference = await evaluatePerplexity(model, ids, { batch: 10 });
  assert.equal(scores.logProbs.length, reference.tokens);
  assert.ok(Math.abs(perplexityOf(scores.logProbs) - reference.ppl) / reference.ppl < 1e-5);
  model.dispose();
});

test('each score belongs to the position it is tagged with (checked against the token-by-token path)', async () => {
  await initBackend();
  const model = LstmModel.create(hyper, 4);
  const scores = await lstmTokenScores(model, ids, { batch: 4 });
  const rows = Math.floor(ids.length / 4);
  // Column 1 starts at ids[rows]: replay it one token at a time from a fresh state.
  let state = model.initialState();
  const byPosition = new Map(Array.from(scores.positions, (p, i) => [p, scores.logProbs[i]]));
  for (let t = 0; t < 20; t++) {
    state = model.advance(state, ids[rows + t]);
    const expected = model.logProbs(state)[ids[rows + t + 1]];
    assert.ok(Math.abs(byPosition.get(rows + t + 1)! - expected) < 1e-4, `position ${rows + t + 1}`);
  }
  assert.equal(new Set(scores.positions).size, scores.positions.length, 'no position scored twice');
  model.dispose();
});

test('the mixture perplexity matches InterpolatedModel and the fitted λ', async () => {
  await initBackend();
  const model = LstmModel.create(hyper, 5);
  const ngram = NgramModel.build(ids.subarray(0, 150), 12, 3);
  const valid = ids.subarray(150);
  const scores = await lstmTokenScores(model, valid, { batch: 1 });
  const lb = scoresAt(ngram, valid, scores.positions);
  const fit = fitLambdaFromLogProbs(scores.logProbs, lb);
  assert.ok(Math.abs(mixturePerplexity(scores.logProbs, lb, fit.lambda) - fit.ppl) < 1e-9);
  // With one stream the LSTM reads from the start like the token-by-token mixture does.
  const mixed = tokenLogProbs(new InterpolatedModel(model, ngram, fit.lambda), valid).subarray(1);
  assert.ok(Math.abs(perplexityOf(mixed) - fit.ppl) / fit.ppl < 1e-4);
  model.dispose();
});

test('scoring leaves no tensors behind', async () => {
  await initBackend();
  const model = LstmModel.create(hyper, 6);
  await lstmTokenScores(model, ids);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await lstmTokenScores(model, ids);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

const shapes = [
  { label: 'tied, 1 layer', hyper: { vocabSize: 57, embedDim: 8, hiddenDim: 8, layers: 1, tied: true, dropout: 0 } },
  { label: 'untied, 2 layers', hyper: { vocabSize: 57, embedDim: 5, hiddenDim: 9, layers: 2, tied: false, dropout: 0.3 } },
  // More words than one slice of the fused softmax (1,024): the running log-sum-exp across slices.
  { label: 'V = 2,500: three vocabulary slices', hyper: { vocabSize: 2500, embedDim: 4, hiddenDim: 4, layers: 1, tied: true, dropout: 0 } },
];
const textOf = (V: number) => Int32Array.from({ length: 1501 }, (_, i) => (i * 1013 + ((i * i) % 7)) % V);
const text = textOf(57);

for (const { label, hyper: h } of shapes) {
  test(`the fused kernels score the same tokens, positions and log-probabilities as TF.js (${label})`, async () => {
    await initBackend();
    const model = LstmModel.create(h, 8);
    const text = textOf(h.vocabSize);
    // Non-zero output biases, so the bias path is compared too.
    const w = model.weights();
    w.find((x) => x.name === 'dense/bias')!.values.forEach((_, i, a) => (a[i] = Math.sin(i)));
    model.assignWeights(w);
    for (const [batch, ids] of [[10, text], [3, text], [10, text.subarray(0, 9)]] as const) {
      const ref = await lstmTokenScores(model, ids, { batch, kernels: 'tfjs' });
      const got = await lstmTokenScores(model, ids, { batch, kernels: 'fused' });
      assert.equal(ref.kernels, 'tfjs');
      assert.equal(got.kernels, 'fused');
      assert.deepEqual(got.positions, ref.positions, `positions at batch ${batch}, ${ids.length} ids`);
      for (let i = 0; i < ref.logProbs.length; i++) {
        assert.ok(Math.abs(got.logProbs[i] - ref.logProbs[i]) <= 1e-4 * Math.abs(ref.logProbs[i]), `token ${i}: ${got.logProbs[i]} vs ${ref.logProbs[i]}`);
      }
    }
    model.dispose();
  });
}

test('fused scoring reports progress up to every token and stops at an abort with an AbortError', async () => {
  await initBackend();
  const model = LstmModel.create(shapes[0].hyper, 9);
  const seen: [number, number][] = [];
  const all = await lstmTokenScores(model, text, { batch: 2, kernels: 'fused', onProgress: (d, t) => seen.push([d, t]) });
  assert.ok(seen.length >= 1);
  assert.deepEqual(seen.at(-1), [all.logProbs.length, all.logProbs.length]);
  const abort = new AbortController();
  let calls = 0;
  await assert.rejects(
    lstmTokenScores(model, text, { batch: 10, kernels: 'fused', signal: abort.signal, onProgress: () => (++calls === 1 ? abort.abort() : undefined) }),
    { name: 'AbortError' },
  );
  assert.equal(calls, 1, 'no block after the abort');
  model.dispose();
});
