// The policy of continued training in the background (src/server/liveTraining.ts), on a
// simulated clock: a run starts only with enough change and an idle editor, never beyond the
// hour's budget nor while another job runs, and a result is swapped in only when better.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDLE_MS, isImprovement, LiveTrainingPolicy, MAX_RUN_MINUTES, MIN_CHANGED } from '../../src/server/liveTraining';

const MIN = 60_000;
const on = { enabled: true, minutesPerHour: 5 };

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('enough change and an idle editor start a run, with the budget left (at most MAX_RUN_MINUTES)', () => {
  const c = clock();
  const p = new LiveTrainingPolicy(c.now);
  assert.equal(p.decide(on, false).start, false, 'nothing changed');
  p.noteEdit(MIN_CHANGED / 2);
  c.advance(IDLE_MS);
  assert.match(JSON.stringify(p.decide(on, false)), /not enough change/);
  p.noteEdit(MIN_CHANGED / 2);
  assert.match(JSON.stringify(p.decide(on, false)), /not idle/, 'just edited');
  c.advance(IDLE_MS - 1);
  assert.equal(p.decide(on, false).start, false);
  c.advance(1);
  assert.deepEqual(p.decide(on, false), { start: true, minutes: MAX_RUN_MINUTES });
  assert.match(JSON.stringify(p.decide(on, true)), /a training job is running/);
  assert.match(JSON.stringify(p.decide({ ...on, enabled: false }, false)), /off/);
});

test('the budget per rolling hour is respected, and frees up as the hour rolls on', () => {
  const c = clock();
  const p = new LiveTrainingPolicy(c.now);
  const run = (minutes: number) => {
    p.noteEdit(MIN_CHANGED);
    c.advance(IDLE_MS);
    const d = p.decide(on, false);
    assert.ok(d.start, JSON.stringify(d));
    const start = p.started();
    c.advance(Math.min(minutes, d.minutes) * MIN);
    p.ended(start);
    return d.minutes;
  };
  assert.equal(run(2), 2);
  assert.equal(run(2), 2);
  // 4 of 5 minutes spent: the next run gets what is left.
  assert.ok(Math.abs(run(1) - 1) < 0.02);
  p.noteEdit(MIN_CHANGED);
  c.advance(IDLE_MS);
  assert.match(JSON.stringify(p.decide(on, false)), /budget is spent/);
  assert.ok(p.minutesLeft(on) < 0.5);
  // Within the hour the runs still count (the first in part); an hour after the last one, all is back.
  c.advance(55 * MIN);
  const partly = p.decide(on, false);
  assert.ok(partly.start && partly.minutes < 2, JSON.stringify(partly));
  c.advance(5 * MIN);
  assert.deepEqual(p.decide(on, false), { start: true, minutes: MAX_RUN_MINUTES });
  // minutesPerHour 0 never trains.
  assert.match(JSON.stringify(p.decide({ enabled: true, minutesPerHour: 0 }, false)), /budget is spent/);
});

test('a continued model is swapped in only when better on validation', () => {
  assert.equal(isImprovement(120, 130), true);
  assert.equal(isImprovement(130, 130), false, 'equal is not better');
  assert.equal(isImprovement(140, 130), false, 'worse is not swapped in');
  assert.equal(isImprovement(null, 130), false, 'no validation, no swap');
  assert.equal(isImprovement(120, null), true);
});
