// Loads a compiled WebAssembly kernel: dist/kernels/<name>.wasm, built by `npm run build`
// (scripts/build-kernels.mjs) from kernels/assembly/<name>.ts. Synchronous and cached, so a
// kernel is compiled once per thread; a Module can be posted to worker threads as it is.
import * as fs from 'node:fs';
import * as path from 'node:path';

const modules = new Map<string, WebAssembly.Module>();

/** Where the kernel's .wasm lies: beside the bundle (dist/kernels) or, from source, the repo's dist/kernels. */
export function kernelPath(name: string): string {
  const candidates = [path.join(__dirname, 'kernels', `${name}.wasm`), path.resolve(__dirname, '../../../dist/kernels', `${name}.wasm`)];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`WebAssembly kernel '${name}' is not built (looked in ${candidates.join(', ')}): run npm run build`);
  return found;
}

export function kernelModule(name: string): WebAssembly.Module {
  let module = modules.get(name);
  if (!module) {
    module = new WebAssembly.Module(fs.readFileSync(kernelPath(name)));
    modules.set(name, module);
  }
  return module;
}
