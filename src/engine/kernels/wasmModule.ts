// Loads a compiled WebAssembly kernel: dist/kernels/<name>.wasm, built by `npm run build`
// (scripts/build-kernels.mjs) from kernels/assembly/<name>.ts. Synchronous and cached, so a
// kernel is compiled once per thread; a Module can be posted to worker threads as it is.
// Kernel memories start empty (0 pages): their wrappers grow them with growTo.
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

/** The kernel's module, or undefined when this runtime cannot compile it (no WebAssembly SIMD):
 *  callers then keep a plain-JS path. A kernel that was not built still throws. */
export function optionalKernelModule(name: string): WebAssembly.Module | undefined {
  try {
    return kernelModule(name);
  } catch (e) {
    if (e instanceof WebAssembly.CompileError) return undefined;
    throw e;
  }
}

/** An instance's memory grown to hold at least `bytes`. */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}
