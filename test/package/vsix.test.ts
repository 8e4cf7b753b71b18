// The packaged extension (`npm run package` → wordlens-<version>.vsix): vsce packages it
// without warnings; it carries the bundles, every WebAssembly binary they load, the media the
// manifest names and the docs, and nothing from development (sources, tests, caches,
// node_modules, source maps); it stays under the size target; Open VSX's own checks accept it;
// and, unpacked far from any node_modules, its server trains a model on the wasm backend.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { repoRoot } from '../../scripts/code-server';
import { buildVsix, listVsix, unpackVsix, type VsixEntry } from '../../scripts/vsix';

const MAX_BYTES = 12 * 1024 * 1024;
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
let vsix: string;
let vsceOutput: string;
let entries: VsixEntry[];
let names: Set<string>;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-vsix-test-'));

before(() => {
  ({ file: vsix, output: vsceOutput } = buildVsix());
  entries = listVsix(vsix);
  names = new Set(entries.map((e) => e.name));
  const size = fs.statSync(vsix).size;
  console.log(`${path.basename(vsix)}: ${(size / 1e6).toFixed(2)} MB, ${entries.length} files`);
  for (const e of entries) console.log(`  ${(e.size / 1024).toFixed(1).padStart(8)} KB  ${e.name}`);
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('vsce packages it without a warning', () => {
  assert.doesNotMatch(vsceOutput, /WARNING|warn/i, vsceOutput);
  assert.match(vsceOutput, /DONE\s+Packaged/);
});

test(`the .vsix stays under ${MAX_BYTES / 1024 / 1024} MB`, () => {
  const size = fs.statSync(vsix).size;
  assert.ok(size <= MAX_BYTES, `${path.basename(vsix)} is ${(size / 1e6).toFixed(2)} MB`);
});

test('it carries the bundles, the docs and every WebAssembly binary the engine loads', () => {
  for (const file of ['package.json', 'readme.md', 'changelog.md', 'LICENSE.txt', 'dist/client.js', 'dist/server.js', 'dist/pipelineWorker.js', 'dist/projectionWorker.js', 'dist/skipgramWorker.js', 'dist/umapLayoutWorker.js', 'dist/ngramBuildWorker.js', 'dist/webview/map.js', 'media/map/map.css']) {
    assert.ok(names.has(`extension/${file}`), `missing ${file}`);
  }
  // TF.js's wasm backend picks one of its binaries at run time: all must be there, unchanged.
  const tfjsDist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')));
  const tfjsWasm = fs.readdirSync(tfjsDist).filter((f) => f.endsWith('.wasm'));
  assert.ok(tfjsWasm.length >= 2, `found only ${tfjsWasm.join(', ')} in ${tfjsDist}`);
  for (const f of tfjsWasm) {
    const entry = entries.find((e) => e.name === `extension/dist/${f}`);
    assert.ok(entry, `missing dist/${f} (TF.js wasm backend)`);
    assert.equal(entry.size, fs.statSync(path.join(tfjsDist, f)).size, `dist/${f} differs from the package's`);
  }
  // Our own kernels: whatever `npm run build` compiled.
  const kernels = path.join(repoRoot, 'dist', 'kernels');
  for (const f of fs.existsSync(kernels) ? fs.readdirSync(kernels).filter((k) => k.endsWith('.wasm')) : []) {
    assert.ok(names.has(`extension/dist/kernels/${f}`), `missing dist/kernels/${f}`);
  }
});

test('every file the manifest names is inside', () => {
  const c = manifest.contributes;
  const named: string[] = [manifest.main, manifest.icon];
  for (const container of c.viewsContainers.activitybar) named.push(container.icon);
  for (const view of Object.values(c.views).flat() as { icon?: string }[]) if (view.icon) named.push(view.icon);
  for (const walkthrough of c.walkthroughs) {
    for (const step of walkthrough.steps) named.push(step.media.svg ?? step.media.image ?? step.media.markdown);
  }
  for (const file of named) assert.ok(names.has(`extension/${path.posix.normalize(file)}`), `the manifest names ${file}, which is not in the .vsix`);
});

test('nothing from development is inside', () => {
  const stray = [...names].filter(
    (n) =>
      /^extension\/(src|test|bench|scripts|webview|docs|bin|out|node_modules|\.cache|\.git|\.ci|kernels)\//.test(n) ||
      /\.(ts|map|vsix|log)$/.test(n) ||
      /(^|\/)(tsconfig\.json|package-lock\.json|esbuild\.mjs|\.gitignore|\.vscodeignore)$/.test(n) ||
      n === 'extension/dist/cli.js',
  );
  assert.deepEqual(stray, []);
});

test('vsce ls lists what the .vsix holds', () => {
  const run = spawnSync('npx', ['--no-install', 'vsce', 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const listed = run.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  console.log(`vsce ls: ${listed.join(', ')}`);
  const inside = (f: string) => names.has(`extension/${f}`) || names.has(`extension/${f.toLowerCase()}`) || names.has(`extension/${f}.txt`);
  assert.deepEqual(listed.filter((f) => !inside(f)), []);
  assert.ok(listed.includes('dist/server.js'));
});

test('the manifest has what a marketplace asks for', () => {
  for (const key of ['publisher', 'displayName', 'description', 'icon', 'license', 'homepage', 'keywords', 'categories']) {
    assert.ok(manifest[key], `package.json has no "${key}"`);
  }
  assert.ok(manifest.repository?.url, 'package.json has no repository.url');
  assert.ok(manifest.bugs?.url, 'package.json has no bugs.url');
  assert.ok(manifest.galleryBanner?.color && manifest.galleryBanner?.theme, 'package.json has no galleryBanner');
  assert.ok(manifest.keywords.length <= 30, 'the marketplace takes at most 30 keywords');
  assert.ok(fs.existsSync(path.join(repoRoot, 'LICENSE')) && fs.existsSync(path.join(repoRoot, 'CHANGELOG.md')));
  // A 128×128 PNG icon: the PNG signature, then IHDR's width and height.
  const png = fs.readFileSync(path.join(repoRoot, manifest.icon));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  // @types/vscode may not promise more API than engines.vscode: vsce refuses that too.
  const engine = /^\^(\d+)\.(\d+)\./.exec(manifest.engines.vscode);
  const types = /^(\d+)\.(\d+)\./.exec(manifest.devDependencies['@types/vscode'].replace(/^[\^~]/, ''));
  assert.ok(engine && types, 'engines.vscode and @types/vscode are versions');
  assert.ok(Number(types[1]) * 1000 + Number(types[2]) <= Number(engine[1]) * 1000 + Number(engine[2]));
});

test("Open VSX's checks: license and manifest, read back from the .vsix", async () => {
  const ovsx = require('ovsx') as { isLicenseOk(dir: string): Promise<boolean>; validateManifest(m: unknown): void };
  assert.equal(await ovsx.isLicenseOk(repoRoot), true);
  const { readVSIXPackage } = require('ovsx/lib/zip') as { readVSIXPackage(file: string): Promise<Record<string, string>> };
  const packaged = await readVSIXPackage(vsix);
  ovsx.validateManifest(packaged);
  assert.deepEqual([packaged.publisher, packaged.name, packaged.version], [manifest.publisher, manifest.name, manifest.version]);
});

test('unpacked without any node_modules, its server trains a model on the wasm backend', { timeout: 180_000 }, async () => {
  const ext = path.join(scratch, 'extension');
  unpackVsix(vsix, ext);
  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'notes.txt'), 'the cat sat on the mat\nthe dog sat on the rug\n'.repeat(200));
  // Nothing above the scratch folder may lend it modules.
  assert.equal(fs.existsSync(path.join(os.tmpdir(), 'node_modules')), false, `${os.tmpdir()}/node_modules would hide a missing module`);
  const child = spawn(process.execPath, [path.join(ext, 'dist', 'server.js'), '--stdio'], { cwd: scratch, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  try {
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions: { storagePath: path.join(scratch, 'storage'), settings: { tokenizer: 'whitespace', trainingLowPriority: false } },
    });
    await connection.sendNotification('initialized', {});
    const result = (await connection.sendRequest('wordlens/train', { roots: [workspace], budgetMinutes: 0.1, epochs: 1, tokenizer: 'whitespace', dim: 16 })) as {
      vocab: number;
      backend: string;
      modelPath: string;
    };
    assert.equal(result.backend, 'wasm', `backend ${result.backend}; server stderr:\n${stderr}`);
    assert.ok(result.vocab >= 8, `vocabulary of ${result.vocab}`);
    assert.ok(result.modelPath.startsWith(path.join(scratch, 'storage')), `model saved in ${result.modelPath}, not in the storage folder`);
  } finally {
    connection.dispose();
    child.kill();
  }
});
