// The corpus walk must read exactly the files git does not ignore: a fixture repository with the
// tricky .gitignore cases, walked by readCorpus and listed by git itself, must give one set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCorpus } from '../../src/engine/text/corpus';

let dir: string;
let home: string;

async function write(rel: string, data = `${rel}\n`): Promise<void> {
  const file = path.join(dir, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}

/** git with no user or system configuration, so no global excludes file takes part. */
function git(...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
}

const FIXTURE: Record<string, string> = {
  '.gitignore': [
    '# a comment: the file named "# a comment" is not ignored',
    '*.log',
    '!keep.log',
    'build/',
    '/root.txt',
    'a/b',
    'docs/**/*.tmp',
    '**/cache',
    '\\#hash.txt',
    '\\!bang.txt',
    'trail.txt   ', // trailing spaces are trimmed
    'escaped\\ ', // ...unless escaped: this is the name "escaped "
    'vendor/',
    '!vendor/keep.txt', // cannot re-include: vendor/ is excluded
    'logs/',
    'Upper.TXT',
    'file[[:digit:]].txt', // a POSIX class
    'q/***/z.txt', // a run of asterisks filling a segment is **
    'direct/*',
    '!direct/keepdir/',
    'r[!a-c]x.txt',
    'ee/**',
    '!ee/k.txt',
    'm?.txt', // ? never matches '/'
    ' lead.txt', // leading spaces are kept
    '',
  ].join('\n'),
  '.git/info/exclude': 'from-info-exclude.txt\n',
  // nested: relative to pkg/, a negation overriding the parent, re-including a folder the parent excludes
  'pkg/.gitignore': '!special.log\n/local.md\ndeep/*.txt\n**/tmp/\n!build/\n',
  // the parent's `logs/` keeps git out of logs/, so this file's negation never applies
  'logs/.gitignore': '!*\n',
  // `*` ignores everything below, folders too, except what is re-included
  'pkg2/.gitignore': '*\n!.gitignore\n',
  // a folder name holding glob characters is literal: its /x.txt is not wa/x.txt
  'w[ab]/.gitignore': '/x.txt\n',
  'crlf/.gitignore': 'a.txt\r\nb/\r\n',
};

const FILES = [
  '# a comment', 'app.log', 'keep.log', 'sub/keep.log', 'sub/x.log',
  'build/out.txt', 'src/build/y.txt', 'notdir/build',
  'root.txt', 'sub/root.txt',
  'a/b/c.txt', 'x/a/b/c.txt', 'a/bc.txt',
  'docs/x.tmp', 'docs/d/e/y.tmp', 'other/docs/z.tmp', 'docs/keep.md',
  'p/q/cache/z.txt', 'cache/w.txt', 'cachex/w.txt',
  '#hash.txt', '!bang.txt', 'trail.txt', 'escaped ', 'escaped',
  'vendor/keep.txt', 'logs/keep.txt', 'upper.txt', 'Upper.TXT', 'UPPER.LOG', 'from-info-exclude.txt',
  'pkg/special.log', 'pkg/other.log', 'pkg/deep/special.log', 'special.log',
  'pkg/local.md', 'pkg/deep/local.md', 'local.md',
  'pkg/deep/a.txt', 'pkg/x/deep/a.txt', 'deep/a.txt',
  'pkg/tmp/t.txt', 'pkg/q/tmp/t.txt', 'tmp/t.txt',
  'pkg/build/k.txt', 'pkg/build/k.log',
  'pkg2/a.txt', 'pkg2/sub/b.txt',
  'w[ab]/x.txt', 'w[ab]/y.txt', 'wa/x.txt',
  'file1.txt', 'filea.txt', 'q/z.txt', 'q/a/b/z.txt',
  'direct/a.txt', 'direct/keepdir/b.txt', 'direct/d/c.txt', 'nested/direct/a.txt',
  'rdx.txt', 'rax.txt', 'ee/k.txt', 'ee/l.txt', 'ma.txt', 'm/.txt', ' lead.txt', 'lead.txt',
  'crlf/a.txt', 'crlf/b/c.txt', 'crlf/d/b/c.txt', 'crlf/c.txt',
];

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-gitignore-'));
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-gitignore-home-'));
  git('init', '--quiet');
  for (const [rel, text] of Object.entries(FIXTURE)) await write(rel, text);
  for (const rel of FILES) await write(rel);
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(home, { recursive: true, force: true });
});

const rels = (root: string, files: { path: string }[]) => files.map((f) => path.relative(root, f.path).split(path.sep).join('/')).sort();

test('gitignore: the walk reads exactly what `git ls-files --others --exclude-standard` lists', async () => {
  const expected = git('ls-files', '-z', '--others', '--exclude-standard').split('\0').filter((f) => f !== '').sort();
  const c = await readCorpus([dir], { exclude: ['.git'] });
  assert.deepEqual(rels(dir, c.files), expected);
  // The fixture is only worth something if its cases go both ways.
  for (const kept of ['keep.log', 'pkg/special.log', 'pkg/build/k.txt', 'w[ab]/y.txt', 'wa/x.txt', 'escaped', 'upper.txt', 'UPPER.LOG']) {
    assert.ok(expected.includes(kept), `git keeps ${kept}`);
  }
  for (const ignored of ['file1.txt', 'q/a/b/z.txt', 'vendor/keep.txt', 'logs/keep.txt', 'pkg/build/k.log', 'w[ab]/x.txt', 'escaped ', 'pkg2/sub/b.txt', 'from-info-exclude.txt']) {
    assert.ok(!expected.includes(ignored), `git ignores ${ignored}`);
  }
});

test('gitignore: a walk started inside an ignored folder reads it (git lists nothing there), still applying the rules', async () => {
  await write('build/trace.log');
  try {
    assert.equal(git('ls-files', '--others', '--exclude-standard', 'build'), '');
    // build/ is excluded by the root's `build/`; inside it, `*.log` still holds.
    assert.deepEqual(rels(dir, (await readCorpus([path.join(dir, 'build')])).files), ['build/out.txt']);
  } finally {
    await fs.rm(path.join(dir, 'build/trace.log'));
  }
});
