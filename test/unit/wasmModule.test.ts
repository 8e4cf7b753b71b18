import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { growTo, kernelModule, optionalKernelModule } from '../../src/engine/kernels/wasmModule';

test('every AssemblyScript kernel is built and loads; the workers\' module imports only the shared memory', () => {
  const names = readdirSync('src/engine/kernels/assembly').filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3));
  for (const used of ['expSum', 'int8Logits', 'sgns', 'sgnsShared']) assert.ok(names.includes(used), used);
  for (const name of names) assert.ok(WebAssembly.Module.exports(kernelModule(name)).some((e) => e.kind === 'function'), name);
  assert.equal(kernelModule('sgns'), kernelModule('sgns'), 'compiled once, then cached');
  // skipgramThreads.ts instantiates it in each worker with { env: { memory } } and nothing else.
  assert.deepEqual(WebAssembly.Module.imports(kernelModule('sgnsShared')), [{ module: 'env', name: 'memory', kind: 'memory' }]);
  for (const name of ['sgns', 'int8Logits', 'expSum']) assert.deepEqual(WebAssembly.Module.imports(kernelModule(name)), [], name);
});

test('a kernel that is not built is an error naming the fix, also where SIMD is optional', () => {
  assert.throws(() => kernelModule('noSuchKernel'), /'noSuchKernel' is not built .*npm run build/);
  assert.throws(() => optionalKernelModule('noSuchKernel'), /not built/);
});

test('growTo grows a memory to whole pages holding the bytes, and never shrinks it', () => {
  const memory = new WebAssembly.Memory({ initial: 0 });
  growTo(memory, 1);
  assert.equal(memory.buffer.byteLength, 65536);
  growTo(memory, 3 * 65536 + 1);
  assert.equal(memory.buffer.byteLength, 4 * 65536);
  growTo(memory, 100);
  assert.equal(memory.buffer.byteLength, 4 * 65536);
});
