// Bundles: client (extension host), server (LSP process), CLI, the engine's worker threads
// (every src/engine/**/*Worker.ts as dist/<name>.js: src/engine/workers.ts starts them), webview.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const watch = process.argv.includes('--watch');
// TF.js stays outside the bundle: the wasm backend loads its .wasm files and its own
// tfjs-core from node_modules, and two copies of tfjs-core would register twice.
const nodeExternal = ['vscode', '@tensorflow/*'];

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

for (const options of builds) {
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
