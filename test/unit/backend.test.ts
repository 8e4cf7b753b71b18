import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';

test('initBackend picks a working backend and reports it', async () => {
  const name = await initBackend();
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(name));
  assert.equal(tf.getBackend(), name);
  const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
  assert.equal(sum, 3);
});

test('choosing wasm installs the kernel fixes (gather gradient runs)', async () => {
  const name = await initBackend();
  if (name !== 'wasm') return; // the fixes concern wasm only; tfjs-node/cpu have these kernels
  assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm'), 'UnsortedSegmentSum registered');
  const g = tf.tidy(() => tf.grad((e: tf.Tensor) => tf.sum(tf.gather(e, tf.tensor1d([1, 1], 'int32'))))(tf.ones([2, 2])).arraySync());
  assert.deepEqual(g, [[0, 0], [2, 2]]);
});
