// Which files git ignores, for the corpus walk: the `ignore` package matches the patterns (git's
// own semantics, checked against git by its test suite); this file adds what it leaves to its
// user: finding the repository, `.git/info/exclude`, and nested .gitignore files. A nested
// file's patterns are relative to its folder, so each is rebased onto the repository root and
// appended after its ancestors' (git: the deeper file wins; last match wins). One rule list then
// also decides parent folders, which a per-folder list cannot: a folder that a parent .gitignore
// excludes and a deeper one re-includes (`!build/`) is entered, as in git.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** git sets core.ignoreCase where file systems usually ignore case (it probes at `git init`). */
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

const toPosix = (p: string) => (path.sep === '/' ? p : p.split(path.sep).join('/'));

/** A folder name as literal pattern text. */
const escapeLiteral = (s: string) => s.replace(/[\\*?[\]]/g, '\\$&');

/**
 * One line of a .gitignore in folder `base` ('a/b/', escaped; '' at the root), rewritten to
 * mean the same from the root: a pattern with a '/' before its end is anchored to its folder,
 * one without matches at any depth below it.
 */
function rebaseLine(line: string, base: string): string {
  if (base === '' || line.startsWith('#')) return line;
  const negate = line.startsWith('!');
  const body = negate ? line.slice(1) : line;
  const trimmed = body.replace(/ +$/, ''); // git trims trailing spaces before it looks for '/'
  if (trimmed === '') return line;
  const anchored = trimmed.slice(0, -1).includes('/');
  const rebased = anchored ? `/${base}${body.replace(/^\//, '')}` : `/${base}**/${body}`;
  return (negate ? '!' : '') + rebased;
}

/** .gitignore text as git splits it: a leading BOM and one CR before each LF dropped. */
function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** The rules in force for a folder: its own .gitignore plus those of its ancestors. Immutable. */
export class Gitignore {
  private readonly rootPrefix: string;

  private constructor(
    /** Paths are matched relative to this folder: the repository root, or the walked folder outside a repository. */
    private readonly root: string,
    private readonly rules: Ignore,
  ) {
    this.rootPrefix = root.endsWith(path.sep) ? root : root + path.sep;
  }

  /** No rules yet; paths will be matched relative to `root`. */
  static at(root: string): Gitignore {
    return new Gitignore(path.resolve(root), ignore({ ignoreCase: IGNORE_CASE }));
  }

  /** These rules plus the .gitignore text of `dir`, a folder at or below the root (its rules take precedence). */
  with(dir: string, text: string): Gitignore {
    const rel = toPosix(path.relative(this.root, path.resolve(dir)));
    const base = rel === '' ? '' : `${escapeLiteral(rel)}/`;
    return this.plus(lines(text).map((l) => rebaseLine(l, base)));
  }

  /**
   * Re-includes `dir` and the folders between it and the root: a walk that starts inside an
   * ignored folder reads it, as ripgrep (VS Code's search) does.
   */
  entering(dir: string): Gitignore {
    const rel = toPosix(path.relative(this.root, path.resolve(dir)));
    if (rel === '') return this;
    const parts = rel.split('/');
    return this.plus(parts.map((_, i) => `!/${escapeLiteral(parts.slice(0, i + 1).join('/'))}/`));
  }

  /** A copy with `patterns` after these rules; the library caches results per instance, so never mutate one. */
  private plus(patterns: string[]): Gitignore {
    return new Gitignore(this.root, ignore({ ignoreCase: IGNORE_CASE }).add(this.rules).add(patterns));
  }

  /** `absPath` is below the root. A folder inside an ignored folder is ignored too, as in git. */
  ignores(absPath: string, isDir: boolean): boolean {
    const rel = toPosix(absPath.startsWith(this.rootPrefix) ? absPath.slice(this.rootPrefix.length) : path.relative(this.root, absPath));
    return this.rules.ignores(isDir ? `${rel}/` : rel);
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/**
 * The rules that apply inside `dir` from outside it: the repository's `.git/info/exclude` and the
 * `.gitignore` files of the folders from the repository root (the first folder up holding
 * `.git`) down to `dir`'s parent. `dir`'s own .gitignore is not included: the walker reads it
 * when it enters `dir`. Outside a repository there are none, and paths are relative to `dir`.
 */
export async function inheritedGitignore(dir: string): Promise<Gitignore> {
  const chain: string[] = [];
  let cur = path.resolve(dir);
  for (;;) {
    chain.unshift(cur);
    if (await exists(path.join(cur, '.git'))) break;
    const up = path.dirname(cur);
    if (up === cur) return Gitignore.at(dir); // reached the filesystem root: not in a repository
    cur = up;
  }
  const repoRoot = chain[0];
  let gi = Gitignore.at(repoRoot);
  const exclude = await readIfExists(path.join(repoRoot, '.git', 'info', 'exclude'));
  if (exclude !== undefined) gi = gi.with(repoRoot, exclude);
  for (const d of chain.slice(0, -1)) {
    const text = await readIfExists(path.join(d, '.gitignore'));
    if (text !== undefined) gi = gi.with(d, text);
  }
  return gi.entering(dir);
}
