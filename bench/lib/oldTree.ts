// Another commit's tree for "old vs new, same run" benches: extracted with `git archive` into a
// temporary folder (the repository is not touched), sharing this checkout's node_modules.
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

/** Runs `body` on the tree of `rev`, built by `build` (argv run with node in it), then removes it. */
export async function withOldTree<T>(rev: string, build: string[], body: (tree: string) => Promise<T>): Promise<T> {
  const old = mkdtempSync(path.join(tmpdir(), 'wordlens-old-tree-'));
  try {
    execSync(`git -C ${JSON.stringify(ROOT)} archive ${rev} | tar -x -C ${JSON.stringify(old)}`, { stdio: 'inherit' });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(old, 'node_modules'));
    execFileSync(process.execPath, build, { cwd: old, stdio: 'inherit' });
    return await body(old);
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}

/** This checkout's commit, short. */
export function headCommit(): string {
  return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
}
