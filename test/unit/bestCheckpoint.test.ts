import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BestCheckpoint, type TrainCheckpoint } from '../../src/engine/lstm/bestCheckpoint';
import type { NamedWeight } from '../../src/engine/types';

const weights = (v: number): NamedWeight[] => [{ name: 'w', shape: [1], values: Float32Array.of(v) }];

test('keeps the best-scoring weights and hands every validation to onCheckpoint', async () => {
  const seen: TrainCheckpoint[] = [];
  const best = new BestCheckpoint((c) => void seen.push(c));
  assert.equal(best.bestPpl, null);
  assert.equal(best.weightsToKeep(true), undefined, 'nothing validated: keep what there is');
  assert.equal(await best.validated(50, 10, () => weights(1)), true);
  assert.equal(await best.validated(40, 20, () => weights(2)), true);
  assert.equal(await best.validated(45, 30, () => weights(3)), false);
  assert.equal(best.bestPpl, 40);
  assert.deepEqual(
    seen.map((c) => [c.step, c.validPpl, c.weights[0].values[0]]),
    [[10, 50, 1], [20, 40, 2], [30, 45, 3]],
  );
  // The last weights (ppl 45) overfit: the best (ppl 40) are the ones to end with.
  assert.equal(best.weightsToKeep(false)![0].values[0], 2);
});

test('the last weights stay when they are the best, unless training was cancelled', async () => {
  const best = new BestCheckpoint(undefined);
  await best.validated(50, 10, () => weights(1));
  await best.validated(40, 20, () => weights(2));
  assert.equal(best.weightsToKeep(false), undefined);
  assert.equal(best.weightsToKeep(true)![0].values[0], 2, 'a cancel may have stopped mid-epoch: the validated weights');
});
