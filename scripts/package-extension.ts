// Installs a built extension folder into a VS Code extensions dir as `publisher.name-version`,
// the layout VS Code itself gives an installed .vsix, in ~0.1 s instead of the ~40 s of
// `npm run package` (scripts/vsix.ts installs the real .vsix): for `npm start`, the
// integration tests and WORDLENS_E2E_DEV_FOLDER=1. The manifest, bundles and assets are
// copied, and the extension's node_modules is linked (for what a bundle leaves external, e.g.
// the optional tfjs-node). CLI: `npx tsx scripts/package-extension.ts <extension dir> <extensions dir>`.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface InstalledExtension {
  /** `publisher.name`, as in `vscode.extensions.getExtension(id)`. */
  id: string;
  /** The folder inside the extensions dir. */
  path: string;
}

interface Manifest {
  name?: string;
  publisher?: string;
  version?: string;
  main?: string;
  browser?: string;
  files?: string[];
  engines?: { vscode?: string };
}

// What a .vsix would carry besides `files`: never sources, tests, caches or the repo's history.
const defaultEntries = ['package.json', 'package.nls.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', 'dist', 'media'];

export function readManifest(extensionDir: string): Manifest & { name: string; publisher: string; version: string } {
  const file = path.join(extensionDir, 'package.json');
  if (!fs.existsSync(file)) throw new Error(`not an extension folder (no package.json): ${extensionDir}`);
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  for (const key of ['name', 'publisher', 'version'] as const) {
    if (typeof m[key] !== 'string' || !m[key]) throw new Error(`${file}: "${key}" is missing; VS Code needs it to load the extension`);
  }
  if (!m.engines?.vscode) throw new Error(`${file}: "engines.vscode" is missing; VS Code needs it to load the extension`);
  return m as Manifest & { name: string; publisher: string; version: string };
}

/** Copies the extension into `extensionsDir/<publisher>.<name>-<version>`, replacing an older copy. */
export function installExtension(extensionDir: string, extensionsDir: string): InstalledExtension {
  const src = path.resolve(extensionDir);
  const m = readManifest(src);
  if (m.main) {
    const main = path.resolve(src, m.main);
    if (!fs.existsSync(main) && !fs.existsSync(`${main}.js`)) {
      throw new Error(`${m.main} (the extension's "main") does not exist in ${src}; build it first (npm run build)`);
    }
  }
  const id = `${m.publisher}.${m.name}`;
  const dest = path.join(path.resolve(extensionsDir), `${id}-${m.version}`.toLowerCase());
  const entries = new Set([...defaultEntries, ...(m.files ?? [])]);
  for (const entry of [m.main, m.browser]) {
    if (entry) entries.add(path.normalize(entry).split(path.sep)[0]);
  }

  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.partial-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  for (const entry of entries) {
    const from = path.join(src, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(tmp, entry), { recursive: true });
  }
  const modules = path.join(src, 'node_modules');
  if (fs.existsSync(modules)) fs.symlinkSync(modules, path.join(tmp, 'node_modules'), 'dir');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  return { id, path: dest };
}

if (require.main === module) {
  const [extensionDir, extensionsDir] = process.argv.slice(2);
  if (!extensionDir || !extensionsDir) {
    console.error('usage: npx tsx scripts/package-extension.ts <extension dir> <extensions dir>');
    process.exit(2);
  }
  try {
    const installed = installExtension(extensionDir, extensionsDir);
    console.log(`installed ${installed.id} into ${installed.path}`);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
}
