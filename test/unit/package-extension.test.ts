// installExtension: the layout VS Code loads (publisher.name-version), only what a .vsix would
// carry, node_modules reachable from the installed copy, and clear errors for bad manifests.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installExtension } from '../../scripts/package-extension';

function makeExtension(manifest: Record<string, unknown>, files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-ext-src-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const manifest = { name: 'Demo', publisher: 'acme', version: '1.2.3', engines: { vscode: '^1.91.0' }, main: './dist/client.js' };

test('installs publisher.name-version with bundles, assets and a working node_modules link', (t) => {
  const src = makeExtension(manifest, {
    'dist/client.js': 'module.exports = {};',
    'media/icon.svg': '<svg/>',
    'README.md': '# demo',
    'src/client.ts': 'secret source',
    '.cache/big.bin': 'x',
    'node_modules/dep/index.js': 'module.exports = 42;',
  });
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-ext-dir-'));
  t.after(() => {
    fs.rmSync(src, { recursive: true, force: true });
    fs.rmSync(target, { recursive: true, force: true });
  });

  const installed = installExtension(src, target);
  assert.equal(installed.id, 'acme.Demo');
  assert.equal(installed.path, path.join(target, 'acme.demo-1.2.3'));
  assert.deepEqual(fs.readdirSync(installed.path).sort(), ['README.md', 'dist', 'media', 'node_modules', 'package.json']);
  assert.equal(fs.readFileSync(path.join(installed.path, 'dist', 'client.js'), 'utf8'), 'module.exports = {};');
  // Runtime dependencies resolve from the installed copy, as require() in dist/ would.
  assert.equal(require(require.resolve('dep', { paths: [path.join(installed.path, 'dist')] })), 42);

  // Reinstalling replaces the copy (a rebuilt bundle wins) and leaves no temporary folder.
  fs.writeFileSync(path.join(src, 'dist', 'client.js'), '// v2');
  installExtension(src, target);
  assert.equal(fs.readFileSync(path.join(installed.path, 'dist', 'client.js'), 'utf8'), '// v2');
  assert.deepEqual(fs.readdirSync(target), ['acme.demo-1.2.3']);
});

test('refuses an unbuilt extension or an incomplete manifest, naming the problem', (t) => {
  const unbuilt = makeExtension(manifest, {});
  const noPublisher = makeExtension({ ...manifest, publisher: undefined }, { 'dist/client.js': '' });
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-ext-dir-'));
  t.after(() => {
    for (const d of [unbuilt, noPublisher, target]) fs.rmSync(d, { recursive: true, force: true });
  });
  assert.throws(() => installExtension(unbuilt, target), /dist\/client\.js.*does not exist.*npm run build/);
  assert.throws(() => installExtension(noPublisher, target), /"publisher" is missing/);
  assert.throws(() => installExtension(path.join(target, 'nope'), target), /no package\.json/);
  assert.deepEqual(fs.readdirSync(target), []);
});
