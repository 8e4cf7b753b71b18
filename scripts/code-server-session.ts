// Starts code-server fully isolated (temporary HOME/XDG/user-data/extensions, no telemetry,
// no gallery, no update check) on 127.0.0.1 with a free port, and stops it with its whole
// process group, also when the caller crashes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCodeServer } from './code-server';
import { installExtension } from './package-extension';
import { installVsix } from './vsix';

export interface CodeServerOptions {
  /** Folder opened in the workbench. */
  folder: string;
  /** Defaults to a fresh folder inside the session's temporary root. */
  userDataDir?: string;
  extensionsDir?: string;
  /** Extension folders installed (copied as publisher.name-version) before the server starts. */
  extensions?: string[];
  /** .vsix files installed with code-server's `--install-extension` before the server starts. */
  vsix?: string[];
  /** Make the installed extensions' folders read-only (chmod -R a-w), as a system-wide install is. */
  readOnlyExtensions?: boolean;
  /** Extra user settings merged over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and its extension host. */
  env?: NodeJS.ProcessEnv;
  /** Port on 127.0.0.1; by default the OS picks a free one. */
  port?: number;
  /** Opt-in: Workspace Trust on and the folder left untrusted (Restricted Mode, no prompt); default off. */
  untrustedWorkspace?: boolean;
  /** Keep the temporary root after stop() (for looking at logs); also WORDLENS_KEEP_LOGS=1. */
  keep?: boolean;
  log?: (message: string) => void;
}

export interface CodeServerSession {
  /** http://127.0.0.1:<port>/ */
  origin: string;
  port: number;
  folder: string;
  root: string;
  userDataDir: string;
  extensionsDir: string;
  /** The folders of the extensions installed for this session. */
  installed: string[];
  serverLog: string;
  /** Resolves with the exit code if code-server stops by itself (or is stopped). */
  exited: Promise<number | null>;
  /** Workbench URL for the folder, with an optional payload (extension development/tests). */
  workbenchUrl(payload?: { extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
  /** The extension host's log folder (output channels are files in it), once it exists. */
  extensionHostLogDirs(): string[];
  stop(): Promise<void>;
}

// Quiet, private, offline: nothing here reaches the network or opens welcome pages.
const quietSettings: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  // A remote extension host does not see the application setting above: Wordlens's own switch.
  'wordlens.openWalkthroughOnFirstRun': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'git.autofetch': false,
  'chat.commandCenter.enabled': false,
};

// Restricted Mode without the modal start-up prompt: nothing trusts the folder, so it stays untrusted.
const untrustedSettings: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
};

// Running servers and how to remove their temporary roots.
const live = new Map<ChildProcess, (() => void) | undefined>();
let exitHookInstalled = false;

/** Last resort: if the caller exits without stop(), kill every server process group. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [child, removeRoot] of live) {
      killGroup(child, 'SIGKILL');
      removeRoot?.();
    }
  });
  // A signal ends the process without 'exit': unless the program handles it itself, turn it
  // into an exit so the hook above runs.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      if (process.listenerCount(signal) === 0) process.exit(code);
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServerSession> {
  const log = options.log ?? ((m: string) => process.stderr.write(`[code-server] ${m}\n`));
  const keep = options.keep ?? process.env.WORDLENS_KEEP_LOGS === '1';
  const { entry } = await ensureCodeServer({ log });
  const folder = path.resolve(options.folder);
  if (!fs.existsSync(folder)) throw new Error(`workspace folder does not exist: ${folder}`);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-vscode-'));
  const home = path.join(root, 'home');
  const userDataDir = path.resolve(options.userDataDir ?? path.join(root, 'user-data'));
  const extensionsDir = path.resolve(options.extensionsDir ?? path.join(root, 'extensions'));
  for (const dir of [home, userDataDir, extensionsDir, path.join(userDataDir, 'User')]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...quietSettings, ...(options.untrustedWorkspace ? untrustedSettings : {}), ...options.settings }, null, 2),
  );

  const installed: string[] = [];
  const removeRoot = () => {
    // A read-only install cannot be removed by its owner until it is writable again.
    for (const dir of installed) chmodTree(dir, 0o200, 'add');
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const ext of options.extensions ?? []) installed.push(installExtension(ext, extensionsDir).path);
    for (const file of options.vsix ?? []) installed.push(await installVsix(file, extensionsDir, log));
    if (options.readOnlyExtensions) for (const dir of installed) chmodTree(dir, 0o222, 'remove');
  } catch (err) {
    removeRoot();
    throw err;
  }

  const serverLog = path.join(root, 'code-server.log');
  const out = fs.openSync(serverLog, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_RUNTIME_DIR: path.join(root, 'run'),
    EXTENSIONS_GALLERY: '{}',
    VSCODE_CLI_DISABLE_TELEMETRY: '1',
  };
  fs.mkdirSync(env.XDG_RUNTIME_DIR!, { recursive: true, mode: 0o700 });
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to a VS Code this script happens to run inside
  const args = [
    entry,
    '--config', '/dev/null',
    '--bind-addr', `127.0.0.1:${options.port ?? 0}`, // 0: the OS picks a free port; we read it from the log
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.untrustedWorkspace ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    folder,
  ];
  // Its own process group, so stop() reaches the extension host and every other child.
  const [command, commandArgs] = readOnlyMounts(options.readOnlyExtensions ? installed : [], [process.execPath, ...args]);
  if (options.readOnlyExtensions) log(`installed extensions read-only: ${command === 'unshare' ? 'read-only bind mounts (root)' : 'chmod -R a-w'}`);
  const child = spawn(command, commandArgs, { cwd: root, env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  live.set(child, keep ? undefined : removeRoot);
  installExitHook();
  let exited = false;
  const exitedPromise = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    });
  });

  const stop = async (): Promise<void> => {
    if (child.pid !== undefined) {
      killGroup(child, 'SIGTERM');
      for (let i = 0; i < 50 && groupAlive(child.pid); i++) await sleep(100);
      killGroup(child, 'SIGKILL');
      for (let i = 0; i < 20 && groupAlive(child.pid); i++) await sleep(100);
    }
    live.delete(child);
    if (keep) log(`kept logs and profile in ${root}`);
    else removeRoot();
  };

  let port = 0;
  const deadline = Date.now() + 60_000;
  try {
    while (!port) {
      if (exited) throw new Error(`code-server exited during start-up; its log:\n${tail(serverLog)}`);
      if (Date.now() > deadline) throw new Error(`code-server did not start within 60 s; its log:\n${tail(serverLog)}`);
      const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(serverLog, 'utf8'));
      if (m) port = Number(m[1]);
      else await sleep(100);
    }
    const origin = `http://127.0.0.1:${port}/`;
    while (!(await healthy(origin))) {
      if (exited) throw new Error(`code-server exited during start-up; its log:\n${tail(serverLog)}`);
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s; its log:\n${tail(serverLog)}`);
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const origin = `http://127.0.0.1:${port}/`;
  const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
  return {
    origin,
    port,
    folder,
    root,
    userDataDir,
    extensionsDir,
    installed,
    serverLog,
    exited: exitedPromise,
    workbenchUrl(payload = {}) {
      const params = new URLSearchParams({ folder });
      const entries: [string, string][] = [];
      if (payload.extensionDevelopmentPath) entries.push(['extensionDevelopmentPath', remote(payload.extensionDevelopmentPath)]);
      if (payload.extensionTestsPath) entries.push(['extensionTestsPath', remote(payload.extensionTestsPath)]);
      if (entries.length) params.set('payload', JSON.stringify(entries));
      return `${origin}?${params.toString()}`;
    },
    extensionHostLogDirs() {
      const logs = path.join(userDataDir, 'logs');
      if (!fs.existsSync(logs)) return [];
      const found: string[] = [];
      for (const session of fs.readdirSync(logs)) {
        // exthost1/ under the window folder(s); layout differs slightly between versions.
        const stack = [path.join(logs, session)];
        while (stack.length) {
          const dir = stack.pop()!;
          for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            if (!e.isDirectory()) continue;
            const p = path.join(dir, e.name);
            if (/^exthost\d*$/.test(e.name)) found.push(p);
            else stack.push(p);
          }
        }
      }
      return found;
    },
    stop,
  };
}

/**
 * chmod does not stop root: running as root, start the server in a mount namespace of its own
 * where the folders are read-only bind mounts (EROFS for every process inside, root too; the
 * mounts vanish with the namespace). Without root or `unshare`, the command runs as it is.
 */
function readOnlyMounts(dirs: string[], command: string[]): [string, string[]] {
  if (dirs.length === 0 || process.getuid?.() !== 0) return [command[0], command.slice(1)];
  if (spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status !== 0) return [command[0], command.slice(1)];
  const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 1; shift; n=$((n-1)); done; exec "$@"';
  // unshare and sh both exec: the server keeps the pid (and process group) the caller spawned.
  return ['unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', String(dirs.length), ...dirs, ...command]];
}

/** Adds or removes permission bits on a folder tree (links left alone). */
function chmodTree(dir: string, bits: number, how: 'add' | 'remove'): void {
  const visit = (p: string) => {
    const stat = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!stat || stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o7777;
    // Into a folder while it is still writable; only then take the write bit away.
    if (how === 'add') fs.chmodSync(p, mode | bits);
    if (stat.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    if (how === 'remove') fs.chmodSync(p, mode & ~bits);
  };
  visit(dir);
}

async function healthy(origin: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('healthz', origin), { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}
