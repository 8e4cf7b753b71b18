import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSgnsKernels } from '../../src/engine/kernels/sgnsKernels';

test('SIMD kernels match plain arithmetic (dot, fused update, add) at arbitrary aligned offsets', () => {
  const k = createSgnsKernels(1 << 16);
  assert.ok(k, 'WebAssembly SIMD is available in Node 20');
  const f = new Float32Array(k.memory.buffer);
  const n = 24, x = 100, u = 300, e = 500; // float indices; byte offsets are ×4
  for (let i = 0; i < 600; i++) f[i] = Math.fround(Math.sin(i) * 3);
  const X = f.slice(x, x + n), U = f.slice(u, u + n), E = f.slice(e, e + n);
  let dot = 0;
  for (let i = 0; i < n; i++) dot += X[i] * U[i];
  assert.ok(Math.abs(k.dot(x * 4, u * 4, n) - dot) < 1e-4);
  k.update(x * 4, u * 4, e * 4, 0.25, n);
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(f[e + i] - (E[i] + 0.25 * U[i])) < 1e-6);
    assert.ok(Math.abs(f[u + i] - (U[i] + 0.25 * X[i])) < 1e-6);
  }
  const before = f.slice(x, x + n);
  k.add(x * 4, u * 4, n);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(f[x + i] - (before[i] + f[u + i])) < 1e-6);
  assert.equal(f[x + n], Math.fround(Math.sin(x + n) * 3), 'nothing past n is touched');
});
