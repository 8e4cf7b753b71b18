import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { mulberry32, uniformArray } from '../../src/engine/prng';

// Every check runs the same computation on 'wasm' (with our kernels) and on 'cpu'
// (TF.js's reference kernels) and compares the values.

/** n values uniform in [-0.5, 0.5), seeded. */
function rand(n: number, seed: number): Float32Array {
  return uniformArray(n, 0.5, mulberry32(seed));
}

async function on<T>(backend: 'wasm' | 'cpu', fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  try {
    return fn();
  } finally {
    await tf.setBackend('wasm');
  }
}

async function compare(fn: () => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<void> {
  const run = () => tf.tidy(() => [fn()].flat().map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) })));
  const wasm = await on('wasm', run);
  const cpu = await on('cpu', run);
  assert.equal(wasm.length, cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    assert.deepEqual(wasm[i].shape, cpu[i].shape);
    for (let j = 0; j < cpu[i].values.length; j++) {
      const diff = Math.abs(wasm[i].values[j] - cpu[i].values[j]);
      assert.ok(diff <= tol * (1 + Math.abs(cpu[i].values[j])), `output ${i}[${j}]: wasm ${wasm[i].values[j]} vs cpu ${cpu[i].values[j]}`);
    }
  }
}

const dataIds = (): number => (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();

before(async () => {
  assert.equal(await initBackend('wasm'), 'wasm');
});

test('UnsortedSegmentSum is registered for wasm and matches cpu (repeats, dropped ids, int32)', async () => {
  assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm'));
  await compare(() => tf.unsortedSegmentSum(tf.tensor2d(rand(6 * 5, 1), [6, 5]), tf.tensor1d([2, 0, 2, 3, 0, 2], 'int32'), 4));
  await compare(() => tf.unsortedSegmentSum(tf.tensor3d(rand(4 * 3 * 2, 2), [4, 3, 2]), tf.tensor1d([1, 1, 0, 1], 'int32'), 3));
  await compare(() => tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor1d([0, 0, 1], 'int32'), 2));
  const summed = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([0, 1, 0, 1], 'int32'), 2).arraySync());
  assert.deepEqual(summed, [4, 6]);
});

test('gradient of gather (an Embedding lookup) works on wasm and matches cpu', async () => {
  const table = rand(10 * 4, 3);
  const w = rand(2 * 3 * 4, 4);
  await compare(() => {
    const ids = tf.tensor2d([1, 7, 1, 0, 9, 7], [2, 3], 'int32');
    const loss = (e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, ids), tf.tensor3d(w, [2, 3, 4])));
    return tf.grad(loss)(tf.tensor2d(table, [10, 4]));
  });
  const rowsNotLooked = tf.tidy(() => {
    const g = tf.grad((e: tf.Tensor) => tf.sum(tf.gather(e, tf.tensor1d([2, 2], 'int32'))))(tf.ones([3, 2]));
    return g.arraySync();
  });
  assert.deepEqual(rowsNotLooked, [[0, 0], [0, 0], [2, 2]]);
});

test('matMul in all four transpose combinations matches cpu, values and gradients', async () => {
  // Small outer sizes keep the stock kernel; larger ones take the explicit-transpose path.
  for (const [m, k, n] of [[7, 5, 6], [12, 5, 10], [1, 9, 20], [20, 9, 1]]) {
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      await compare(() => {
        const a = tf.tensor2d(rand(m * k, 5), ta ? [k, m] : [m, k]);
        const b = tf.tensor2d(rand(k * n, 6), tb ? [n, k] : [k, n]);
        const y = tf.tensor2d(rand(m * n, 7), [m, n]);
        const f = (x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, z as tf.Tensor2D, ta, tb), y));
        return [tf.matMul(a, b, ta, tb), ...tf.grads(f)([a, b])];
      });
    }
  }
  }
});

test('batched 3-D matMul (equal batches, broadcast either side, transposed) matches cpu', async () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[3, 4, 5], [3, 5, 2], false, false],
    [[3, 5, 4], [3, 2, 5], true, true],
    [[3, 9, 10], [3, 12, 9], true, true],
    [[2, 10, 9], [12, 9], false, true],
    [[1, 4, 5], [3, 5, 2], false, false],
    [[3, 4, 5], [1, 5, 2], false, false],
    [[3, 4, 5], [5, 2], false, false],
    [[2, 3, 4, 5], [2, 3, 2, 5], false, true],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    await compare(() => {
      const a = tf.tensor(rand(sa.reduce((p, d) => p * d), 8), sa);
      const b = tf.tensor(rand(sb.reduce((p, d) => p * d), 9), sb);
      const f = (x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, z, ta, tb)));
      // TF.js 4.22's BatchMatMul gradient cannot broadcast batches: values only there.
      const sameBatch = sa.length === sb.length && sa.slice(0, -2).every((d, i) => d === sb[i]);
      return [tf.matMul(a, b, ta, tb), ...(sameBatch ? tf.grads(f)([a, b]) : [])];
    });
  }
});

test('fused matMul with bias and activation, transposed, matches cpu', async () => {
  for (const [m, n] of [[4, 3], [9, 10]]) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      await compare(() => {
        const a = tf.tensor2d(rand(m * 5, 10), ta ? [5, m] : [m, 5]);
        const b = tf.tensor2d(rand(5 * n, 11), tb ? [n, 5] : [5, n]);
        return tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias: tf.tensor1d(rand(n, 12)), activation: 'relu' });
      });
    }
  }
});

test('the kernels leak neither tensors nor wasm buffers', () => {
  const a = tf.tensor3d(rand(3 * 4 * 5, 12), [3, 4, 5]);
  const b = tf.tensor3d(rand(3 * 5 * 2, 13), [3, 2, 5]);
  const run = () => tf.tidy(() => {
    tf.matMul(a, b, false, true).dataSync();
    tf.grad((e: tf.Tensor) => tf.sum(tf.gather(e, tf.tensor1d([1, 1, 0], 'int32'))))(tf.ones([4, 2])).dataSync();
  });
  run();
  const tensors = tf.memory().numTensors;
  const ids = dataIds();
  for (let i = 0; i < 5; i++) run();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(dataIds(), ids);
  tf.dispose([a, b]);
});
