// The fused step plugged into train.ts's loop (fusedTrainStepper.ts): the same losses as the
// TF.js step while lazy and dense Adam still coincide, and a returned model that holds the
// fused weights; validation scores the fused trainer's own weights (no copy to the LstmModel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainLstm, evaluatePerplexity, type TrainOptions } from '../../src/engine/lstm/train';
import { fusedTrainStepper } from '../../src/engine/lstm/fusedTrainStepper';
import { mulberry32 } from '../../src/engine/prng';
import { LstmModel } from '../../src/engine/lstm/lstm';

const V = 40;
const r = mulberry32(4);
// A corpus with structure: each id usually followed by (id * 7 + 3) % V.
const ids = new Int32Array(3000);
for (let i = 1; i < ids.length; i++) ids[i] = r() < 0.8 ? (ids[i - 1] * 7 + 3) % V : Math.floor(r() * V);
const data = { train: ids.subarray(0, 2600), valid: ids.subarray(2600), vocabSize: V };
const base: TrainOptions = {
  hyper: { embedDim: 16, hiddenDim: 16, layers: 1, tied: true, dropout: 0 },
  batch: 4, bptt: 10, samples: 12, epochs: 4, lr: 0.02, seed: 3, progressEverySeconds: 0, validEverySeconds: 1e9,
};

test('train.ts with the fused stepper: first losses equal the TF.js step, and the returned model holds the fused weights', async () => {
  const tfjs = await trainLstm(data, base);
  const fused = await trainLstm(data, { ...base, stepper: fusedTrainStepper({ bptt: 10 }) });
  // Loss EMAs after steps 1 and 2 (before any row has moments, lazy Adam is dense Adam).
  const a = tfjs.curve.filter((p) => p.validPpl === undefined).map((p) => p.loss);
  const b = fused.curve.filter((p) => p.validPpl === undefined).map((p) => p.loss);
  assert.ok(Math.abs(a[0] - b[0]) / a[0] < 1e-5, `step 1: ${a[0]} vs ${b[0]}`);
  assert.ok(Math.abs(a[1] - b[1]) / a[1] < 1e-5, `step 2: ${a[1]} vs ${b[1]}`);
  // Far below the uniform perplexity V, and the result's figure is the model's own.
  const own = await evaluatePerplexity(fused.model, data.valid);
  // Trained as well as the TF.js step (measured 4.63 vs 4.54 here; lazy rows differ from dense Adam).
  assert.ok(fused.result.valid_ppl! < V / 3, `valid ppl ${fused.result.valid_ppl}`);
  assert.ok(fused.result.valid_ppl! < tfjs.result.valid_ppl! * 1.1, `fused ${fused.result.valid_ppl} vs TF.js ${tfjs.result.valid_ppl}`);
  assert.ok(Math.abs(own.ppl - fused.result.valid_ppl!) / own.ppl < 1e-6, `${own.ppl} vs ${fused.result.valid_ppl}`);
  tfjs.model.dispose();
  fused.model.dispose();
});

test('the fused stepper validates its current weights without syncModel: TF.js on the synced model agrees; a stop gives null', async () => {
  const model = LstmModel.create({ vocabSize: V, embedDim: 16, hiddenDim: 16, layers: 2, tied: false, dropout: 0.1 }, 5);
  const stepper = fusedTrainStepper({ bptt: 10, threads: 2 })(model, { batch: 4, dropout: 0.1, clip: 0.25, optimizer: 'adam', sampled: null });
  const before = await evaluatePerplexity(model, data.valid);
  for (let s = 0; s < 5; s++) await stepper.step(data.train.subarray(s * 40, s * 40 + 40), data.train.subarray(s * 40 + 1, s * 40 + 41), 10, 0.02);
  const fused = await stepper.evaluate!(data.valid);
  // Not yet synced: the LstmModel still scores the initial weights.
  assert.equal((await evaluatePerplexity(model, data.valid)).ppl, before.ppl);
  assert.ok(Math.abs(fused!.ppl - before.ppl) / before.ppl > 1e-3, 'five steps moved the weights');
  stepper.syncModel();
  const synced = await evaluatePerplexity(model, data.valid);
  assert.equal(fused!.tokens, synced.tokens);
  assert.ok(Math.abs(fused!.ppl - synced.ppl) / synced.ppl < 1e-5, `${fused!.ppl} vs ${synced.ppl}`);
  assert.equal(await stepper.evaluate!(data.valid, AbortSignal.abort()), null);
  stepper.dispose();
  model.dispose();
});
