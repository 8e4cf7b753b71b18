// Installs code-server (a real VS Code in the browser) on first use into the git-ignored
// .cache/code-server/<version>/, the way @vscode/test-electron caches VS Code. Only the npm
// registry is used: the one GitHub download in its install (ripgrep) is pre-filled from
// Debian's `rg`. Run directly to install: `npx tsx scripts/code-server.ts`.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// 4.100.3 (VS Code 1.100.3) is the newest release that runs on Node 20.
export const CODE_SERVER_VERSION = '4.100.3';
// The @vscode/ripgrep version code-server 4.100.3 depends on, and the rg asset it wants.
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export const repoRoot = path.resolve(__dirname, '..');
// WORDLENS_CODE_SERVER_CACHE moves it (e.g. to a folder a CI system caches between runs).
export const cacheRoot = path.resolve(process.env.WORDLENS_CODE_SERVER_CACHE ?? path.join(repoRoot, '.cache', 'code-server'));

export interface CodeServerInstall {
  /** The JS entry point; run it with the current Node: `node <entry> ...`. */
  entry: string;
  version: string;
  dir: string;
}

type Log = (message: string) => void;
const defaultLog: Log = (m) => process.stderr.write(`[code-server] ${m}\n`);

function installDir(version: string): string {
  return path.join(cacheRoot, version);
}

function entryOf(dir: string): string {
  return path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The installed code-server, or undefined when it is not (completely) installed. */
export function findCodeServer(version = CODE_SERVER_VERSION): CodeServerInstall | undefined {
  const dir = installDir(version);
  const entry = entryOf(dir);
  // The marker is written last, so an interrupted install is never taken for a good one.
  if (fs.existsSync(path.join(dir, '.installed')) && fs.existsSync(entry)) return { entry, version, dir };
  return undefined;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Node headers for native builds: node-gyp would otherwise download them (no internet here). */
function nodeHeadersDir(): string | undefined {
  for (const dir of [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local']) {
    if (fs.existsSync(path.join(dir, 'include', 'node', 'node.h'))) return dir;
  }
  return undefined;
}

/** Every missing prerequisite, as a sentence a newcomer can act on. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20 && major !== 22) {
    missing.push(`Node ${process.versions.node}: code-server ${CODE_SERVER_VERSION} needs Node 20 or 22.`);
  }
  const apt: string[] = [];
  if (!onPath('rg')) apt.push('ripgrep');
  if (!onPath('krb5-config') && !fs.existsSync('/usr/include/gssapi/gssapi.h')) apt.push('libkrb5-dev');
  for (const [cmd, pkg] of [['make', 'make'], ['g++', 'g++'], ['python3', 'python3']] as const) {
    if (!onPath(cmd)) apt.push(pkg);
  }
  if (apt.length) missing.push(`system packages: ${apt.join(', ')} (Debian/Ubuntu: sudo apt-get install -y ${apt.join(' ')})`);
  if (!nodeHeadersDir()) {
    missing.push('Node headers (include/node/node.h) next to the node binary or in /usr: install Node from your distribution (e.g. the nodejs package) or from nodejs.org.');
  }
  return missing;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
    child.on('error', reject);
    child.on('close', (code) => {
      fs.closeSync(out);
      resolve(code ?? 1);
    });
  });
}

/**
 * Returns the installed code-server, installing it first if needed. Idempotent and safe to
 * interrupt: the install happens in a temporary folder renamed into place at the end.
 */
export async function ensureCodeServer(options: { version?: string; log?: Log } = {}): Promise<CodeServerInstall> {
  const version = options.version ?? CODE_SERVER_VERSION;
  const log = options.log ?? defaultLog;
  const found = findCodeServer(version);
  if (found) return found;

  const missing = missingPrerequisites();
  if (missing.length) {
    throw new Error(`cannot install code-server ${version}; missing:\n  - ${missing.join('\n  - ')}`);
  }
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  const nodedir = nodeHeadersDir()!;

  fs.mkdirSync(cacheRoot, { recursive: true });
  const work = fs.mkdtempSync(path.join(cacheRoot, `${version}.partial-`));
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp);
  // @vscode/ripgrep looks in <tmpdir>/vscode-ripgrep-cache-<v>/ before going to GitHub.
  const rgCache = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  fs.mkdirSync(rgCache);
  const tar = spawnSync('tar', ['czf', path.join(rgCache, RIPGREP_ASSET), '-C', path.dirname(rg), path.basename(rg)]);
  if (tar.status !== 0) throw new Error(`could not pack ${rg} for the ripgrep cache: ${tar.stderr}`);
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }, null, 2));

  const logFile = path.join(cacheRoot, `install-${version}.log`);
  fs.writeFileSync(logFile, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true', // its postinstall refuses to run as root otherwise
    npm_config_yes: 'true', // a nested `npx node-gyp` would wait for a "y" otherwise
    npm_config_nodedir: nodedir, // headers for native modules, instead of a download
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  log(`installing code-server ${version} (VS Code in the browser) into ${path.relative(repoRoot, cacheRoot)}/ — first run only, about 2 minutes, ~300 MB; log: ${path.relative(repoRoot, logFile)}`);
  const started = Date.now();
  const ticker = setInterval(() => log(`  still installing… ${Math.round((Date.now() - started) / 1000)} s (native modules are being compiled)`), 20_000);
  let code: number;
  try {
    code = await run('npm', ['install', '--no-save', '--no-package-lock', `code-server@${version}`], work, env, logFile);
  } finally {
    clearInterval(ticker);
  }
  if (code !== 0 || !fs.existsSync(entryOf(work))) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
    fs.rmSync(work, { recursive: true, force: true });
    throw new Error(`npm install code-server@${version} failed (exit ${code}); last lines of ${logFile}:\n${tail}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.writeFileSync(path.join(work, '.installed'), `${new Date().toISOString()}\n`);
  const dir = installDir(version);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(work, dir);
  log(`code-server ${version} installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return { entry: entryOf(dir), version, dir };
}

if (require.main === module) {
  ensureCodeServer().then(
    (cs) => console.log(`code-server ${cs.version}: ${cs.entry}`),
    (err: Error) => {
      console.error(`error: ${err.message}`);
      process.exit(1);
    },
  );
}
