// The cooperative stop: a signal linked to a shared flag counts as aborted the moment another
// thread raises the flag, even inside a synchronous loop that never lets an event through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { createStopFlag, isStopError, linkStopFlag, stopChecker, stopRequested, throwIfStopped } from '../../src/engine/stop';

test('a flag raised by another thread stops a synchronous loop of this one', () => {
  const flag = createStopFlag();
  const controller = new AbortController();
  linkStopFlag(controller, flag);
  // The other thread waits until this loop has started, then raises the flag.
  const started = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     Atomics.wait(workerData.started, 0, 0);
     Atomics.store(workerData.flag, 0, 1);`,
    { eval: true, workerData: { started, flag } },
  );
  const check = stopChecker(controller.signal, 1000);
  let iterations = 0;
  const t0 = Date.now();
  assert.throws(() => {
    for (;;) {
      iterations++;
      if (iterations === 1) {
        Atomics.store(started, 0, 1);
        Atomics.notify(started, 0);
      }
      check();
      if (Date.now() - t0 > 20_000) throw new Error('never stopped');
    }
  }, (error) => isStopError(error));
  assert.equal(controller.signal.aborted, true, 'the signal itself is aborted for later listeners and checks');
  assert.ok(iterations >= 1000, `polled every 1000 iterations, stopped after ${iterations}`);
  void worker.terminate();
});

test('without a stop nothing throws; an aborted plain signal stops at the next poll', () => {
  assert.equal(stopRequested(undefined), false);
  throwIfStopped(undefined);
  const controller = new AbortController();
  const check = stopChecker(controller.signal, 3);
  check();
  check();
  check(); // the 3rd call polls: not aborted
  controller.abort();
  check();
  check(); // not polled: the stop is seen at the next poll only
  assert.throws(() => check(), { name: 'AbortError' });
  assert.equal(isStopError(new Error('other')), false);
});
