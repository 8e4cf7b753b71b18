// The wall-clock budget's policy (issue 10, item 3), deterministic: fake rates and an injected
// clock, no timing. The loop leaves the reserved time, validation stays within its share and
// its subsample is sized from the measured rate, the phases after the loop are sized to fit.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { TrainBudget } from '../../src/engine/lstm/trainBudget';
import { sampleValidation } from '../../src/engine/lstm/validationSample';
import { trainLstm } from '../../src/engine/lstm/train';
import type { TrainStepperFactory } from '../../src/engine/lstm/trainStepper';
import { afterLoopReserve, savedWeightBytes, ASSUMED_SAVE_BYTES_PER_MS, ESTIMATE_SLACK, lstmMinutes, MINIMAL_LSTM_SHARE, runBudgetMs } from '../../src/engine/pipeline/budget';
import { lstmParameters } from '../../src/engine/lstm/memoryBudget';
import { scoresAt, scoresAtRuns } from '../../src/engine/lstm/evaluate';
import { NgramModel } from '../../src/engine/ngram/ngram';
import { mulberry32 } from '../../src/engine/prng';

before(async () => {
  await initBackend();
});

test('the validation subsample is sized from the measured rate: one pass gets share / passes of the budget', () => {
  const b = new TrainBudget({ budgetMs: 60_000, validShare: 0.1, passes: 3 });
  b.measured(1000, 500, false); // 2 tokens per ms
  assert.equal(b.sampleTokens(22_000), 4000); // 2 × 60,000 × 0.1 / 3
  assert.equal(b.passMs(), 2000);
  assert.equal(b.sampleTokens(3000), 3000, 'all of a text that fits');
  assert.equal(b.sampleTokens(22_000, true), 22_000, 'all when asked (validateAll)');
  assert.equal(b.passMs(), 11_000, 'and the reserve counts that pass');
  b.measured(10, 1000, false); // 0.01 tokens per ms: the floor, not a handful
  assert.equal(b.sampleTokens(22_000), 200);
  const unbounded = new TrainBudget({ budgetMs: Infinity });
  unbounded.measured(10, 1000, false);
  assert.equal(unbounded.sampleTokens(22_000), 22_000, 'no budget: every validation token');
  assert.equal(unbounded.loopEndMs(), Infinity);
});

test('the loop ends early enough for the final validation, the caller\'s reserve and one more step', () => {
  const b = new TrainBudget({ budgetMs: 60_000, reserveAfterMs: (rate, tokens) => 1000 + tokens / rate });
  b.measured(1000, 500, false);
  b.sampleTokens(22_000); // 4000 tokens: a pass is 2,000 ms; the reserve after is 3,000 ms
  assert.equal(b.reserveMs(), 5000);
  assert.equal(b.loopEndMs(), 55_000);
  b.stepTook(1500);
  assert.equal(b.shouldStop(53_000, 10), false);
  assert.equal(b.shouldStop(53_500, 10), true, 'the next step would end past the loop\'s end');
  assert.equal(b.shouldStop(70_000, 0), false, 'one step always runs');
});

test('validation during training stays within 10% of the budget and before the loop\'s end', () => {
  const b = new TrainBudget({ budgetMs: 60_000 });
  b.measured(1000, 500, false);
  b.sampleTokens(22_000); // 2,000 ms a pass, 6,000 ms allowed
  assert.equal(b.mayValidate(1000), true);
  b.measured(4000, 2000, true);
  b.measured(4000, 2000, true);
  assert.equal(b.mayValidate(20_000), true, 'a third pass reaches 6,000 ms exactly');
  b.measured(4000, 2000, true);
  assert.equal(b.validationMs, 6000);
  assert.equal(b.mayValidate(20_000), false, 'a fourth would exceed the share');
  const late = new TrainBudget({ budgetMs: 60_000 });
  late.measured(1000, 500, false);
  late.sampleTokens(22_000);
  assert.equal(late.mayValidate(57_000), false, 'no pass that would end after the loop');
});

test('the subsample: one window per stream at a seeded place in its tenth, tokens traced to their origin', () => {
  const valid = Int32Array.from({ length: 10_000 }, (_, i) => (i * 31) % 997);
  const s = sampleValidation(valid, 1000, 10, 7);
  assert.equal(s.ids.length, 1000);
  assert.equal(s.whole, false);
  for (let w = 0; w < 10; w++) {
    const start = s.origin[w * 100];
    assert.ok(start >= w * 1000 && start + 100 <= (w + 1) * 1000, `window ${w} inside its tenth`);
    for (let i = 0; i < 100; i++) {
      assert.equal(s.origin[w * 100 + i], start + i, 'contiguous');
      assert.equal(s.ids[w * 100 + i], valid[start + i]);
    }
  }
  assert.deepEqual(sampleValidation(valid, 1000, 10, 7).origin, s.origin, 'fixed by the seed');
  assert.notDeepEqual(sampleValidation(valid, 1000, 10, 8).origin, s.origin);
  const all = sampleValidation(valid, 20_000);
  assert.equal(all.whole, true);
  assert.equal(all.ids, valid);
});

test('reading and the n-gram count against the budget; past it the LSTM gets a minimal share', () => {
  assert.equal(runBudgetMs(2, undefined, 5), 120_000);
  assert.equal(runBudgetMs(undefined, undefined, 5), 300_000);
  assert.equal(runBudgetMs(undefined, 3, 5), Infinity, 'epochs alone: no time budget');
  assert.deepEqual(lstmMinutes(120_000, 30_000), { minutes: 1.5, minimal: false });
  assert.deepEqual(lstmMinutes(120_000, 150_000), { minutes: (MINIMAL_LSTM_SHARE * 120_000) / 60_000, minimal: true });
  assert.deepEqual(lstmMinutes(Infinity, 1e9), { minutes: Infinity, minimal: false });
});

test('the λ fit and the final save are sized from the rate, the sample and the save size or a timed save', () => {
  const hyper = { vocabSize: 90_000, embedDim: 200, hiddenDim: 200, layers: 1, tied: true, dropout: 0.2 };
  let lastSave = 0;
  const reserve = afterLoopReserve({ hyper, fixedBytes: 40e6, ngramScoreMs: 800, lastSaveMs: () => lastSave });
  const bytes = savedWeightBytes(hyper) + 40e6;
  assert.equal(savedWeightBytes(hyper), 4 * (lstmParameters(hyper) + 200 * 90_000), 'a tied model saves its output kernel too');
  // Two saves: the final validation's checkpoint and the final save.
  const expected = ESTIMATE_SLACK * (1000 / 0.5 + 800 + (2 * bytes) / ASSUMED_SAVE_BYTES_PER_MS);
  assert.ok(Math.abs(reserve(0.5, 1000) - expected) < 1e-6);
  lastSave = 1200;
  assert.ok(Math.abs(reserve(0.5, 1000) - ESTIMATE_SLACK * (2000 + 800 + 2 * 1200)) < 1e-6, 'a timed checkpoint save replaces the estimate');
  // Put together with the loop's budget, the loop's end plus what follows it is the budget.
  const b = new TrainBudget({ budgetMs: 60_000, reserveAfterMs: reserve });
  b.measured(1000, 2000, false);
  const tokens = b.sampleTokens(50_000);
  assert.ok(Math.abs(b.loopEndMs() + b.passMs() + reserve(0.5, tokens) - 60_000) < 1e-6);
});

test('trainLstm under an injected clock stops with the reserve left', async () => {
  const V = 40;
  const cycle = (n: number, from = 0) => Int32Array.from({ length: n }, (_, i) => ((from + i) * 7) % V);
  let t = 0;
  let steps = 0;
  // Each step takes 1 s of the fake clock; everything else takes none.
  const stepper: TrainStepperFactory = (model) => ({
    step: async () => {
      t += 1000;
      steps++;
      return 1;
    },
    resetState: () => undefined,
    weights: () => model.weights(),
    syncModel: () => undefined,
    dispose: () => undefined,
  });
  const start = tf.memory().numTensors;
  const { model, validation } = await trainLstm(
    { train: cycle(40_000), valid: cycle(2000, 5), vocabSize: V },
    {
      hyper: { embedDim: 8, hiddenDim: 8, layers: 1, tied: true, dropout: 0 },
      minutes: 1,
      batch: 4,
      bptt: 5,
      stepper,
      clock: () => t,
      reserveAfterMs: () => 10_000,
      progressEverySeconds: 1e9,
    },
  );
  // Budget 60 s, 10 s reserved after, passes free on this clock: a 50th step would end at the
  // loop's end (50 s), so the loop stops after 49.
  assert.equal(steps, 49);
  assert.equal(t, 49_000, 'returned with the reserve left');
  // Free passes measure an unbounded rate: the whole validation text fits.
  assert.ok(validation && validation.tokensPerSecond > 0 && validation.sample.whole);
  model.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test('the λ fit scores only the subsample\'s windows with the n-gram, each from 4 tokens before it: the same scores', () => {
  const rand = mulberry32(3);
  const ids = Int32Array.from({ length: 6000 }, () => Math.floor(rand() * rand() * 60));
  const ngram = NgramModel.build(ids.subarray(0, 5000), 60, 5);
  const valid = ids.subarray(5000);
  const sample = sampleValidation(valid, 300, 10, 2);
  const positions = Int32Array.from({ length: 250 }, (_, i) => sample.origin[(i * 7) % sample.ids.length]);
  const runs = scoresAtRuns(ngram, valid, positions, 4);
  const full = scoresAt(ngram, valid, positions);
  for (let i = 0; i < positions.length; i++) assert.ok(Math.abs(runs[i] - full[i]) < 1e-12, `position ${positions[i]}`);
});
