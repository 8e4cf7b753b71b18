import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LearningRateSchedule } from '../../src/engine/lstm/learningRate';

test('the learning rate holds until decayFrom, then falls linearly to 10% at the end of the budget', () => {
  const s = new LearningRateSchedule(0.01, 0.5);
  assert.equal(s.at(0), 0.01);
  assert.equal(s.at(0.5), 0.01);
  assert.ok(Math.abs(s.at(0.75) - 0.0055) < 1e-12, `halfway through the decay: ${s.at(0.75)}`);
  assert.ok(Math.abs(s.at(1) - 0.001) < 1e-12);
});

test('a plateau quarters the rate from then on, on top of the decay', () => {
  const s = new LearningRateSchedule(0.01, 0.5);
  s.plateaued();
  assert.equal(s.at(0.2), 0.0025);
  s.plateaued();
  assert.ok(Math.abs(s.at(1) - 0.01 / 16 / 10) < 1e-12);
});
