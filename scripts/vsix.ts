// The packaged extension: builds `wordlens-<version>.vsix` with @vscode/vsce (`npm run
// package`), lists what is inside it (a .vsix is a zip: read from its central directory), and
// installs it into an extensions dir with code-server's own `--install-extension`, the way a
// user installs it (`code --install-extension wordlens-<version>.vsix`).
//   npx tsx scripts/vsix.ts            builds it if stale, prints its size and contents
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ensureCodeServer, repoRoot } from './code-server';
import { readManifest } from './package-extension';

export interface VsixEntry {
  /** Path inside the zip, e.g. `extension/dist/server.js`. */
  name: string;
  size: number;
  compressedSize: number;
  /** 0 stored, 8 deflated. */
  method: number;
  /** Offset of the entry's local header. */
  offset: number;
}

export function vsixPath(extensionDir = repoRoot): string {
  const m = readManifest(extensionDir);
  return path.join(extensionDir, `${m.name}-${m.version}.vsix`);
}

/** `npm run package` (its prepublish step builds first); returns the .vsix and vsce's output. */
export function buildVsix(extensionDir = repoRoot): { file: string; output: string } {
  const file = vsixPath(extensionDir);
  fs.rmSync(file, { force: true });
  const run = spawnSync('npm', ['run', '--silent', 'package'], { cwd: extensionDir, encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  if (run.status !== 0 || !fs.existsSync(file)) throw new Error(`npm run package failed (exit ${run.status}):\n${output}`);
  return { file, output };
}

/** Newest mtime of what goes into the package (the built bundles, manifest, media, docs). */
function newestInput(extensionDir: string): number {
  let newest = 0;
  const visit = (p: string) => {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const entry of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist', 'media']) visit(path.join(extensionDir, entry));
  return newest;
}

/** The .vsix, packaged again when anything that goes into it is newer. */
export function ensureVsix(extensionDir = repoRoot, log: (m: string) => void = () => undefined): string {
  const file = vsixPath(extensionDir);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat && stat.mtimeMs >= newestInput(extensionDir)) return file;
  log(`packaging ${path.basename(file)} (npm run package) …`);
  return buildVsix(extensionDir).file;
}

/** The files in a .vsix (zip central directory; no unzip needed). */
export function listVsix(file: string): VsixEntry[] {
  const zip = fs.readFileSync(file);
  // End of central directory: the last 0x06054b50 record (a zip comment may follow it).
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: VsixEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: broken central directory`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      offset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Installs a .vsix with code-server's `--install-extension` into `extensionsDir` (isolated:
 * temporary HOME and user-data dir, no gallery) and returns the installed extension's folder.
 */
export async function installVsix(file: string, extensionsDir: string, log: (m: string) => void = () => undefined): Promise<string> {
  const { entry } = await ensureCodeServer({ log });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-vsix-install-'));
  try {
    fs.mkdirSync(extensionsDir, { recursive: true });
    const before = new Set(fs.readdirSync(extensionsDir));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'), EXTENSIONS_GALLERY: '{}' };
    delete env.VSCODE_IPC_HOOK_CLI;
    const run = spawnSync(
      process.execPath,
      [entry, '--config', '/dev/null', '--user-data-dir', path.join(home, 'user-data'), '--extensions-dir', extensionsDir, '--install-extension', path.resolve(file), '--force'],
      { encoding: 'utf8', env, timeout: 120_000 },
    );
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    const added = fs.readdirSync(extensionsDir).filter((e) => !before.has(e) && !e.startsWith('.') && e !== 'extensions.json');
    const m = readVsixManifest(file);
    const folder = path.join(extensionsDir, `${m.publisher}.${m.name}-${m.version}`.toLowerCase());
    if (run.status !== 0 || !fs.existsSync(path.join(folder, 'package.json'))) {
      throw new Error(`code-server --install-extension ${file} failed (exit ${run.status}; new entries: ${added.join(', ') || 'none'}):\n${output}`);
    }
    log(`installed ${path.basename(file)} into ${folder}`);
    return folder;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** The bytes of one file in a .vsix (sizes from the central directory: local headers may omit them). */
export function readVsixEntry(file: string, name: string): Buffer {
  const entry = listVsix(file).find((e) => e.name === name);
  if (!entry) throw new Error(`${file} has no ${name}`);
  return readEntry(fs.readFileSync(file), entry);
}

function readEntry(zip: Buffer, entry: VsixEntry): Buffer {
  const start = entry.offset + 30 + zip.readUInt16LE(entry.offset + 26) + zip.readUInt16LE(entry.offset + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  return entry.method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data);
}

/** The manifest inside a .vsix (extension/package.json). */
export function readVsixManifest(file: string): { name: string; publisher: string; version: string } {
  return JSON.parse(readVsixEntry(file, 'extension/package.json').toString('utf8'));
}

/** Unpacks the .vsix's extension/ folder into `dir`, as VS Code does when it installs it. */
export function unpackVsix(file: string, dir: string): void {
  const zip = fs.readFileSync(file);
  for (const entry of listVsix(file)) {
    if (!entry.name.startsWith('extension/') || entry.name.endsWith('/')) continue;
    const target = path.join(dir, entry.name.slice('extension/'.length));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, readEntry(zip, entry));
  }
}

if (require.main === module) {
  try {
    const file = ensureVsix(repoRoot, (m) => console.log(m));
    const entries = listVsix(file);
    for (const e of entries) console.log(`${(e.size / 1024).toFixed(1).padStart(9)} KB  ${e.name}`);
    console.log(`${path.relative(process.cwd(), file)}: ${(fs.statSync(file).size / 1e6).toFixed(2)} MB, ${entries.length} entries`);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
}
