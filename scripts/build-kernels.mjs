// Compiles the WebAssembly kernels from their AssemblyScript sources
// (src/engine/kernels/assembly/<name>.ts, one module per file) into dist/kernels/<name>.wasm,
// where src/engine/kernels/wasmModule.ts loads them from source runs and bundles alike.
// Kernels take raw pointers into linear memory: no AssemblyScript runtime, no GC.
import asc from 'assemblyscript/asc';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const sourceDir = 'src/engine/kernels/assembly';
const outDir = 'dist/kernels';
// Flags shared by every kernel: speed-optimised, SIMD, no runtime (kernels never allocate).
const common = ['--runtime', 'stub', '-O3', '--noAssert', '--enable', 'simd', '--disable', 'bulk-memory'];
// Per-kernel flags, e.g. kernels whose memory is shared between worker threads.
const extra = {
  sgnsShared: ['--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536', '--enable', 'threads'],
  lstmServe: ['--importMemory', '--initialMemory', '1', '--maximumMemory', '65536'],
  umapLayout: ['--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536', '--enable', 'threads'],
  lstmTrain: ['--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536', '--enable', 'threads'],
};

mkdirSync(outDir, { recursive: true });
const sources = existsSync(sourceDir) ? readdirSync(sourceDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_')) : [];
let failed = false;
for (const file of sources) {
  const name = path.basename(file, '.ts');
  const input = path.join(sourceDir, file);
  const output = path.join(outDir, `${name}.wasm`);
  if (existsSync(output) && statSync(output).mtimeMs > newestSource()) continue;
  const { error, stderr } = await asc.main([input, '-o', output, ...common, ...(extra[name] ?? [])]);
  if (error) {
    failed = true;
    console.error(`kernels: ${input} did not compile\n${stderr.toString()}`);
  }
}
if (failed) process.exit(1);

/** Newest mtime among the sources (helpers starting with `_` are shared by several kernels). */
function newestSource() {
  return Math.max(...readdirSync(sourceDir).map((f) => statSync(path.join(sourceDir, f)).mtimeMs), statSync(import.meta.filename).mtimeMs);
}
