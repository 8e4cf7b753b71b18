import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { recoverFolder, setFaultHook, writeFileAtomic, writeFolderAtomic } from '../../src/engine/io/atomic';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-atomic-'));
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

function folder(dir: string, content: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.txt'), content);
}

test('writeFileAtomic replaces a file and leaves no temp behind', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'out.json');
  await writeFileAtomic(file, 'one');
  await writeFileAtomic(file, new Uint8Array([116, 119, 111]));
  assert.equal(fs.readFileSync(file, 'utf8'), 'two');
  assert.deepEqual(fs.readdirSync(dir), ['out.json']);
});

test('writeFileAtomic into a missing folder fails and leaves nothing', async () => {
  const dir = tmpDir();
  await assert.rejects(writeFileAtomic(path.join(dir, 'no', 'out.json'), 'x'), /ENOENT/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('writeFolderAtomic swaps in the new folder; a failing fill keeps the old one', async () => {
  const parent = tmpDir();
  const dir = path.join(parent, 'model');
  await writeFolderAtomic(dir, async (tmp) => fs.writeFileSync(path.join(tmp, 'a.txt'), 'old'));
  await assert.rejects(
    writeFolderAtomic(dir, async (tmp) => {
      fs.writeFileSync(path.join(tmp, 'a.txt'), 'half');
      throw new Error('out of disk');
    }),
    /out of disk/,
  );
  assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'old');
  await writeFolderAtomic(dir, async (tmp) => fs.writeFileSync(path.join(tmp, 'b.txt'), 'new'));
  assert.deepEqual(fs.readdirSync(dir), ['b.txt'], 'the old folder is replaced, not merged');
  assert.deepEqual(fs.readdirSync(parent), ['model']);
});

test('a failure at every stage before the swap completes keeps the old folder', async () => {
  for (const stage of ['files-written', 'ready', 'old-moved-aside'] as const) {
    const parent = tmpDir();
    const dir = path.join(parent, 'model');
    folder(dir, 'old');
    setFaultHook((s) => { if (s === stage) throw new Error(`fail at ${s}`); });
    try {
      await assert.rejects(writeFolderAtomic(dir, async (tmp) => fs.writeFileSync(path.join(tmp, 'a.txt'), 'new')));
    } finally {
      setFaultHook(undefined);
    }
    assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'old', stage);
    assert.deepEqual(fs.readdirSync(parent), ['model'], stage);
  }
});

test('recovery after a crash: a complete new version wins, then the old one; partials are deleted', async () => {
  const pid = deadPid();
  const parent = tmpDir();
  const dir = path.join(parent, 'model');
  // Crash between moving the old folder aside and renaming the new one in.
  folder(path.join(parent, `.model.wl-old-${pid}-aa`), 'old');
  folder(path.join(parent, `.model.wl-ready-${pid}-aa`), 'new');
  folder(path.join(parent, `.model.wl-partial-${pid}-bb`), 'half');
  await recoverFolder(dir);
  assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'new');
  assert.deepEqual(fs.readdirSync(parent), ['model']);

  // Only the old one survived (e.g. the new one was never marked ready).
  const parent2 = tmpDir();
  const dir2 = path.join(parent2, 'model');
  folder(path.join(parent2, `.model.wl-old-${pid}-aa`), 'old');
  folder(path.join(parent2, `.model.wl-partial-${pid}-aa`), 'half');
  await recoverFolder(dir2);
  assert.equal(fs.readFileSync(path.join(dir2, 'a.txt'), 'utf8'), 'old');
  assert.deepEqual(fs.readdirSync(parent2), ['model']);
});

test('recovery leaves the temps of a live writer and of other folders alone', async () => {
  const parent = tmpDir();
  const dir = path.join(parent, 'model');
  folder(dir, 'current');
  const livePartial = `.model.wl-partial-${process.ppid}-cc`; // the test runner: alive
  const otherFolder = `.other.wl-partial-${deadPid()}-dd`;
  folder(path.join(parent, livePartial), 'in progress');
  folder(path.join(parent, otherFolder), 'not ours');
  folder(path.join(parent, `.model.wl-ready-${deadPid()}-ee`), 'stale, superseded');
  await recoverFolder(dir);
  assert.deepEqual(fs.readdirSync(parent).sort(), [livePartial, otherFolder, 'model'].sort());
  assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'current');
});
