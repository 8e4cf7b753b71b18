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
