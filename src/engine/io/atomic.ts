// Crash-safe writes. A file is written beside its target and renamed over it; a folder is
// built as a sibling, fsynced, then swapped in with renames. Whatever instant a process
// dies at, a reader finds either the old complete version or the new complete one, and
// `recoverFolder` (run by readers and writers) finishes or undoes an interrupted swap.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { throwIfStopped } from '../stop';

/** Stages of a folder save; a fault hook can stop the process at any of them (tests). */
export type SaveStage = 'files-written' | 'ready' | 'old-moved-aside' | 'swapped' | 'done';

let faultHook: ((stage: SaveStage, dir: string) => void) | undefined;
/** Tests only: called at each stage of `writeFolderAtomic` (to throw or to kill the process). */
export function setFaultHook(hook: ((stage: SaveStage, dir: string) => void) | undefined): void {
  faultHook = hook;
}

// A temp is `.<name>.wl-<role>-<pid>-<random>` in the target's parent folder.
type Role = 'partial' | 'ready' | 'old' | 'file';
const TEMP_RE = /^\.(.+)\.wl-(partial|ready|old|file)-(\d+)-([0-9a-f]+)$/;
/** A temp whose writer is alive is left alone unless it is older than this (pid reuse). */
const LIVE_TEMP_MAX_AGE_MS = 10 * 60 * 1000;
/** Temps this process is writing right now: never cleaned by a reader in the same process. */
const inProgress = new Set<string>();

function tempPath(target: string, role: Role): string {
  const name = `.${path.basename(target)}.wl-${role}-${process.pid}-${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(target), name);
}

/** Write a file so that readers see the old or the new content, never a partial one. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPath(target, 'file');
  inProgress.add(tmp);
  try {
    await writeAndSync(tmp, data);
    await fsp.rename(tmp, target);
    await syncDir(path.dirname(target));
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    inProgress.delete(tmp);
  }
}

/**
 * Replace folder `dir` with one filled by `fill(tmpDir)`. `fill` writes plain files into
 * the temp folder; this function fsyncs them and swaps the folder in. `signal` aborted
 * before the new version is marked complete rolls the save back (AbortError); after that
 * mark it finishes: a stop never leaves half a save.
 */
export async function writeFolderAtomic(dir: string, fill: (tmpDir: string) => Promise<void>, signal?: AbortSignal): Promise<void> {
  dir = path.resolve(dir);
  await fsp.mkdir(path.dirname(dir), { recursive: true });
  await recoverFolder(dir);
  const partial = tempPath(dir, 'partial');
  const ready = partial.replace('.wl-partial-', '.wl-ready-');
  const old = partial.replace('.wl-partial-', '.wl-old-');
  for (const p of [partial, ready, old]) inProgress.add(p);
  try {
    await fsp.mkdir(partial);
    await fill(partial);
    for (const name of await fsp.readdir(partial)) {
      throwIfStopped(signal);
      await syncFile(path.join(partial, name));
    }
    await syncDir(partial);
    faultHook?.('files-written', dir);
    throwIfStopped(signal); // the last moment to roll back: from here on the save completes
    // `ready` marks the new version complete: recovery may promote it, never a `partial`.
    await fsp.rename(partial, ready);
    await syncDir(path.dirname(dir));
    faultHook?.('ready', dir);
    const hadOld = await exists(dir);
    if (hadOld) await fsp.rename(dir, old);
    faultHook?.('old-moved-aside', dir);
    await fsp.rename(ready, dir);
    await syncDir(path.dirname(dir));
    faultHook?.('swapped', dir);
    if (hadOld) await fsp.rm(old, { recursive: true, force: true });
    faultHook?.('done', dir);
  } catch (err) {
    // Undo what this process can: the old version goes back if the new one is not in place.
    if (!(await exists(dir)) && (await exists(old))) await fsp.rename(old, dir).catch(() => undefined);
    for (const p of [partial, ready]) await fsp.rm(p, { recursive: true, force: true }).catch(() => undefined);
    if (await exists(dir)) await fsp.rm(old, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  } finally {
    for (const p of [partial, ready, old]) inProgress.delete(p);
  }
}

/**
 * Finish or undo a save that died midway, and delete stale temps of `dir` (or of a file
 * `dir`). Temps of live writers are left alone; if the folder is missing because another
 * live process is between its two renames, waits briefly for it.
 */
export async function recoverFolder(dir: string): Promise<void> {
  dir = path.resolve(dir);
  for (let attempt = 0; ; attempt++) {
    const temps = await listTemps(dir);
    const stale = temps.filter((t) => !t.live);
    if (!(await exists(dir))) {
      if (temps.some((t) => t.live && (t.role === 'ready' || t.role === 'old')) && attempt < 40) {
        await sleep(50);
        continue;
      }
      // The new complete version wins over the old one; a `partial` is never complete.
      const pick = newest(stale.filter((t) => t.role === 'ready')) ?? newest(stale.filter((t) => t.role === 'old'));
      if (pick) {
        await fsp.rename(pick.path, dir);
        await syncDir(path.dirname(dir)).catch(() => undefined);
      }
    }
    for (const t of stale) {
      if (await exists(t.path)) await fsp.rm(t.path, { recursive: true, force: true }).catch(() => undefined);
    }
    return;
  }
}

interface TempEntry {
  path: string;
  role: Role;
  live: boolean;
  mtimeMs: number;
}

async function listTemps(dir: string): Promise<TempEntry[]> {
  const base = path.basename(dir);
  let names: string[];
  try {
    names = await fsp.readdir(path.dirname(dir));
  } catch {
    return [];
  }
  const out: TempEntry[] = [];
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || m[1] !== base) continue;
    const p = path.join(path.dirname(dir), name);
    const stat = await fsp.stat(p).catch(() => undefined);
    if (!stat) continue;
    const pid = Number(m[3]);
    const young = Date.now() - stat.mtimeMs < LIVE_TEMP_MAX_AGE_MS;
    const live = inProgress.has(p) || (pid !== process.pid && young && pidAlive(pid));
    out.push({ path: p, role: m[2] as Role, live, mtimeMs: stat.mtimeMs });
  }
  return out;
}

function newest(entries: TempEntry[]): TempEntry | undefined {
  return entries.sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function writeAndSync(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fsp.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await fsp.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a directory so renames in it are durable; not possible on Windows, where it is skipped. */
async function syncDir(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open directories; NTFS journals renames itself.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

async function exists(p: string): Promise<boolean> {
  return fsp.stat(p).then(
    () => true,
    () => false,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
