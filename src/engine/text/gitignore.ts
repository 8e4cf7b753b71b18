// .gitignore semantics: `#` comments, `!` negation, trailing `/` for folders only, a '/' at
// the start or middle anchors a pattern to its file's folder, otherwise it matches at any
// depth; the last matching rule wins and deeper files come later. A folder that is ignored
// is not entered (the walker prunes it), so, as in git, nothing inside it can be re-included.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compileGlob } from './glob';

export interface GitignoreRule {
  pattern: string;
  negate: boolean;
  dirOnly: boolean;
  matches: (relPath: string) => boolean;
}

export function parseGitignore(text: string): GitignoreRule[] {
  const rules: GitignoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw;
    if (line.startsWith('#')) continue;
    while (line.endsWith(' ') && !line.endsWith('\\ ')) line = line.slice(0, -1); // unescaped trailing spaces
    if (line === '') continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    try {
      rules.push({ pattern: raw, negate, dirOnly, matches: compileGlob(line, { braces: false }) });
    } catch {
      // git ignores patterns it cannot parse; so do we.
    }
  }
  return rules;
}

const toPosix = (p: string) => (path.sep === '/' ? p : p.split(path.sep).join('/'));

/** The rules in force for a folder: its own .gitignore plus those of its ancestors. Immutable. */
export class Gitignore {
  private constructor(private readonly levels: readonly { dir: string; rules: GitignoreRule[] }[]) {}

  static empty(): Gitignore {
    return new Gitignore([]);
  }

  /** These rules plus a deeper folder's rules (which take precedence). */
  with(dir: string, rules: GitignoreRule[]): Gitignore {
    return rules.length === 0 ? this : new Gitignore([...this.levels, { dir: path.resolve(dir), rules }]);
  }

  ignores(absPath: string, isDir: boolean): boolean {
    let ignored = false;
    for (const { dir, rules } of this.levels) {
      const rel = toPosix(path.relative(dir, absPath));
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
      for (const r of rules) {
        if ((!r.dirOnly || isDir) && r.matches(rel)) ignored = !r.negate;
      }
    }
    return ignored;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/**
 * Rules that apply inside `dir` from outside it: `.gitignore` files of the folders above
 * `dir` up to the repository root (the first folder holding `.git`), and the repository's
 * `.git/info/exclude`. Outside a repository there are none. `dir`'s own .gitignore is not
 * included: the walker reads it when it enters `dir`.
 */
export async function inheritedGitignore(dir: string): Promise<Gitignore> {
  const chain: string[] = [];
  let cur = path.resolve(dir);
  for (;;) {
    chain.unshift(cur);
    if (await exists(path.join(cur, '.git'))) break;
    const up = path.dirname(cur);
    if (up === cur) return Gitignore.empty(); // reached the filesystem root: not in a repository
    cur = up;
  }
  const repoRoot = chain[0];
  let gi = Gitignore.empty();
  const exclude = await readIfExists(path.join(repoRoot, '.git', 'info', 'exclude'));
  if (exclude !== undefined) gi = gi.with(repoRoot, parseGitignore(exclude));
  for (const d of chain.slice(0, -1)) {
    const text = await readIfExists(path.join(d, '.gitignore'));
    if (text !== undefined) gi = gi.with(d, parseGitignore(text));
  }
  return gi;
}
