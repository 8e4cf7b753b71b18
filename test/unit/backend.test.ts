import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend';

test('initBackend picks a working backend and reports it', async () => {
  const name = await initBackend();
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(name));
  assert.equal(tf.getBackend(), name);
  const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
  assert.equal(sum, 3);
});
