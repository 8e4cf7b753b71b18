// Bundles: client (extension host), server (LSP process), CLI, the engine's worker threads
// (every src/engine/**/*Worker.ts as dist/<name>.js: src/engine/workers.ts starts them), webview.
// TF.js is bundled into the node bundles (one tfjs-core per bundle, shared by tfjs and the
// wasm backend), and the wasm backend's binaries are copied beside them into dist/, so the
// installed extension (.vsix) needs no node_modules at all.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const watch = process.argv.includes('--watch');
// tfjs-node stays external and optional: a native addon that cannot be bundled and is not
// shipped; where it is missing the engine falls back to wasm (src/engine/kernels/backend.ts).
const nodeExternal = ['vscode', '@tensorflow/tfjs-node'];

// The binaries tfjs-backend-wasm loads (plain, SIMD, threaded SIMD: it picks one at run time).
const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

function copyTfjsWasm() {
  const require = createRequire(import.meta.url);
  const from = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  mkdirSync('dist', { recursive: true });
  for (const file of TFJS_WASM_FILES) copyFileSync(path.join(from, file), path.join('dist', file));
}

const nodeEntries = {
  client: 'src/client/extension.ts',
  server: 'src/server/main.ts',
  cli: 'src/cli.ts',
};
for (const file of readdirSync('src/engine', { recursive: true })) {
  if (/Worker\.ts$/.test(file)) nodeEntries[path.basename(file, '.ts')] = path.join('src/engine', file);
}
const entryPoints = Object.fromEntries(Object.entries(nodeEntries).filter(([, f]) => existsSync(f)));

const builds = [
  {
    entryPoints,
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    external: nodeExternal,
    logLevel: 'warning',
  },
];
if (existsSync('webview/main.ts')) {
  builds.push({
    entryPoints: { 'webview/map': 'webview/main.ts' }, // dist/webview/: the map page's only readable folder
    outdir: 'dist',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    sourcemap: true,
    logLevel: 'warning',
  });
}

copyTfjsWasm();
for (const options of builds) {
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
