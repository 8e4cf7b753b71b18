import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { compileGlob, compileGlobs } from '../../src/engine/text/glob';
import { Gitignore } from '../../src/engine/text/gitignore';

const matchGlob = (glob: string, path: string) => compileGlob(glob)(path);

test('glob: * and ? stay within one segment; a pattern without / matches at any depth', () => {
  assert.equal(matchGlob('*.ts', 'a.ts'), true);
  assert.equal(matchGlob('*.ts', 'src/deep/a.ts'), true);
  assert.equal(matchGlob('*.ts', 'a.tsx'), false);
  assert.equal(matchGlob('src/*.ts', 'src/a.ts'), true);
  assert.equal(matchGlob('src/*.ts', 'src/x/a.ts'), false);
  assert.equal(matchGlob('src/*.ts', 'lib/src/a.ts'), false);
  assert.equal(matchGlob('a?c', 'abc'), true);
  assert.equal(matchGlob('a?c', 'a/c'), false);
});

test('glob: ** spans zero or more segments', () => {
  const m = compileGlob('src/**/test/*.ts');
  assert.equal(m('src/test/a.ts'), true);
  assert.equal(m('src/x/y/test/a.ts'), true);
  assert.equal(m('src/xtest/a.ts'), false);
  assert.equal(matchGlob('**/*.md', 'README.md'), true);
  assert.equal(matchGlob('**/*.md', 'docs/a/b.md'), true);
  assert.equal(matchGlob('docs/**', 'docs/a/b.md'), true);
  assert.equal(matchGlob('docs/**', 'other/a.md'), false);
  assert.equal(matchGlob('/top.txt', 'top.txt'), true);
  assert.equal(matchGlob('/top.txt', 'a/top.txt'), false);
});

test('glob: braces, classes, negated classes, escapes', () => {
  const m = compileGlob('*.{ts,js,m{js,ts}}');
  assert.deepEqual(['a.ts', 'a.js', 'a.mjs', 'a.mts', 'a.css'].map(m), [true, true, true, true, false]);
  assert.equal(matchGlob('file[0-9].txt', 'file7.txt'), true);
  assert.equal(matchGlob('file[0-9].txt', 'filex.txt'), false);
  assert.equal(matchGlob('file[!0-9].txt', 'filex.txt'), true);
  assert.equal(matchGlob('file[!0-9].txt', 'file7.txt'), false);
  assert.equal(matchGlob('a\\*b', 'a*b'), true);
  assert.equal(matchGlob('a\\*b', 'axb'), false);
  assert.equal(matchGlob('a.b', 'axb'), false); // '.' is literal
  assert.equal(compileGlobs(['*.py', 'node_modules'])('x/node_modules'), true);
});

test('glob: as in VS Code, * and ** match dot-files, and dir/** matches the folder itself (so the walk skips it whole)', () => {
  assert.equal(matchGlob('**/*', '.gitignore'), true);
  assert.equal(matchGlob('**/*', 'sub/.github/ci.yml'), true);
  assert.equal(matchGlob('*.yml', '.github/ci.yml'), true);
  assert.equal(matchGlob('**/node_modules/**', 'node_modules'), true);
  assert.equal(matchGlob('**/node_modules/**', 'pkg/node_modules'), true);
  assert.equal(matchGlob('**/node_modules/**', 'pkg/node_modules_x'), false);
  assert.equal(matchGlob('src/{a,b}/**/*.ts', 'src/b/x/y.ts'), true);
  assert.equal(matchGlob('src/{a,b}/**/*.ts', 'src/c/y.ts'), false);
});

test('glob: invalid patterns fail with a message naming the pattern', () => {
  assert.throws(() => compileGlob('*.{ts,js'), /Invalid glob "\*\.\{ts,js": Missing closing: "}"/);
  assert.throws(() => compileGlob('[z-a]'), /Invalid glob "\[z-a\]"/);
  assert.throws(() => compileGlob(''), /empty pattern/);
});

const root = path.resolve('/repo');
const at = (rel: string) => path.join(root, rel);

test('gitignore: comments, blank lines, dir-only, anchoring, negation (last match wins)', () => {
  const gi = Gitignore.at(root).with(root, '# comment\n\n*.log\n!keep.log\nbuild/\n/top.txt\ndocs/*.tmp\n');
  assert.equal(gi.ignores(at('a.log'), false), true);
  assert.equal(gi.ignores(at('x/y/a.log'), false), true);
  assert.equal(gi.ignores(at('x/keep.log'), false), false);
  assert.equal(gi.ignores(at('x/build'), true), true);
  assert.equal(gi.ignores(at('x/build'), false), false); // a file named build is not a folder
  assert.equal(gi.ignores(at('top.txt'), false), true);
  assert.equal(gi.ignores(at('sub/top.txt'), false), false);
  assert.equal(gi.ignores(at('docs/a.tmp'), false), true);
  assert.equal(gi.ignores(at('x/docs/a.tmp'), false), false);
  assert.equal(gi.ignores(at('# comment'), false), false);
});

test('gitignore: nested files are relative to their folder and override the parent', () => {
  const gi = Gitignore.at(root)
    .with(root, '*.gen.ts\n')
    .with(at('pkg'), '!special.gen.ts\n/local.txt\n');
  assert.equal(gi.ignores(at('a.gen.ts'), false), true);
  assert.equal(gi.ignores(at('pkg/special.gen.ts'), false), false);
  assert.equal(gi.ignores(at('special.gen.ts'), false), true); // the nested rule does not reach up
  assert.equal(gi.ignores(at('pkg/local.txt'), false), true);
  assert.equal(gi.ignores(at('local.txt'), false), false);
  assert.equal(gi.ignores(at('pkg/sub/local.txt'), false), false);
});

test('gitignore: ** patterns, escaped #, braces literal, trailing spaces', () => {
  const gi = Gitignore.at(root).with(root, '**/cache\na/**/b.txt\n\\#notes\n{x,y}.txt\nspace.txt   \n');
  assert.equal(gi.ignores(at('p/q/cache'), true), true);
  assert.equal(gi.ignores(at('a/b.txt'), false), true);
  assert.equal(gi.ignores(at('a/m/n/b.txt'), false), true);
  assert.equal(gi.ignores(at('#notes'), false), true);
  assert.equal(gi.ignores(at('{x,y}.txt'), false), true);
  assert.equal(gi.ignores(at('x.txt'), false), false);
  assert.equal(gi.ignores(at('space.txt'), false), true);
});
