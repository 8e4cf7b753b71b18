import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_EXCLUDES, decodeUtf8, looksBinary, looksMinified, readCorpus, summarizeSkipped } from '../../src/engine/text/corpus';

let dir: string;
const p = (rel: string) => path.join(dir, rel);

async function write(rel: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(p(rel)), { recursive: true });
  await fs.writeFile(p(rel), data);
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-corpus-'));
  await fs.mkdir(p('.git'));
  await write('.git/config', '[core]\n');
  await write('.gitignore', '*.log\n!keep.log\nbuild/\n');
  await write('a.ts', 'export const a = 1;\n');
  await write('b.md', '# Title\n\nSome prose.\n');
  await write('sub/c.py', 'def c():\n    return 3\n');
  await write('sub/.gitignore', '/local.md\n');
  await write('sub/local.md', 'ignored by sub/.gitignore\n');
  await write('local.md', 'not ignored: the rule is anchored to sub/\n');
  await write('x.log', 'ignored\n');
  await write('keep.log', 're-included by negation\n');
  await write('build/out.ts', 'ignored folder\n');
  await write('node_modules/dep/index.js', 'module.exports = 1;\n');
  await write('bin.dat', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
  await write('big.txt', 'x'.repeat(7000) + '\n');
  await write('app.min.js', 'var a=1;\n');
  await write('bundle.js', 'var a=1;'.repeat(700)); // one 5,600-character line
  // Latin-1 "café" inside UTF-8 text: one bad byte, kept with U+FFFD.
  await write('latin1.txt', new Uint8Array([...Buffer.from('caf'), 0xe9, ...Buffer.from(' au lait\n')]));
  await write('garbage.txt', new Uint8Array(Array.from({ length: 400 }, (_, i) => 0x80 + (i % 64))));
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const rels = (files: { path: string }[]) => files.map((f) => path.relative(dir, f.path).split(path.sep).join('/'));

test('readCorpus: sorted walk, .gitignore (nested, negation, dir-only), default excludes, skip reasons', async () => {
  const c = await readCorpus([dir], { maxFileBytes: 6000 });
  assert.deepEqual(rels(c.files), ['.gitignore', 'a.ts', 'b.md', 'keep.log', 'latin1.txt', 'local.md', 'sub/.gitignore', 'sub/c.py']);
  assert.equal(c.files.find((f) => f.path.endsWith('latin1.txt'))!.text, 'caf\ufffd au lait\n');
  const reasons = Object.fromEntries(c.skipped.map((s) => [path.relative(dir, s.path).split(path.sep).join('/'), s.reason]));
  assert.deepEqual(reasons, {
    '.git': 'excluded',
    'app.min.js': 'minified',
    'big.txt': 'too-large',
    'bin.dat': 'binary',
    build: 'gitignored',
    'bundle.js': 'minified',
    'garbage.txt': 'binary',
    node_modules: 'excluded',
    'sub/local.md': 'gitignored',
    'x.log': 'gitignored',
  });
  assert.equal(c.counts.gitignored, 3);
  assert.equal(c.counts['invalid-utf8'], 1);
  assert.deepEqual(rels(c.repaired.map((r) => ({ path: r }))), ['latin1.txt']);
  assert.equal(c.bytes, c.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0) + 1 - 3); // U+FFFD is 3 bytes, the bad byte 1
  assert.equal(c.stoppedAt, undefined);
  // The repaired file was read, so the summary does not call it skipped.
  assert.equal(summarizeSkipped(c.counts), '2 binary, 2 minified, 1 too-large, 2 excluded, 3 gitignored; 1 repaired (invalid UTF-8)');
});

test('readCorpus: a few bad bytes in text are repaired (read with U+FFFD); mostly undecodable bytes are binary', async () => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-utf8-'));
  try {
    const text = 'const caf\u00e9 = "ok";\n'.repeat(20);
    await fs.writeFile(path.join(d, 'few.ts'), Buffer.concat([Buffer.from(text), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('\nconst tail = 1;\n')]));
    // Printable ASCII with most bytes stray continuation bytes: no NUL, no control bytes.
    await fs.writeFile(path.join(d, 'most.txt'), Buffer.from(Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? 0x61 : 0x80 + (i % 50)))));
    const c = await readCorpus([d]);
    assert.deepEqual(c.files.map((f) => path.basename(f.path)), ['few.ts']);
    const few = c.files[0].text;
    assert.ok(few.startsWith(text) && few.endsWith('\nconst tail = 1;\n'), 'the valid text around the bad bytes is kept as is');
    assert.equal(few.split('\ufffd').length - 1, 3, 'bad bytes became U+FFFD (0xC3 0x28 is one bad byte and "(")');
    assert.deepEqual(c.repaired.map((f) => path.basename(f)), ['few.ts']);
    assert.deepEqual(c.skipped.map((s) => [path.basename(s.path), s.reason]), [['most.txt', 'binary']]);
    assert.equal(summarizeSkipped(c.counts), '1 binary; 1 repaired (invalid UTF-8)');
  } finally {
    await fs.rm(d, { recursive: true, force: true });
  }
});

test('readCorpus: include globs, exclude replacing the defaults, gitignore off', async () => {
  const ts = await readCorpus([dir], { include: ['*.ts'] });
  assert.deepEqual(rels(ts.files), ['a.ts']);
  const all = await readCorpus([dir], { include: ['**/*.{ts,js}'], exclude: [...DEFAULT_EXCLUDES.filter((e) => e !== 'node_modules'), 'sub'], respectGitignore: false });
  assert.deepEqual(rels(all.files), ['a.ts', 'build/out.ts', 'node_modules/dep/index.js']);
  assert.equal(all.skipped.some((s) => s.path === p('sub') && s.reason === 'excluded'), true);
  // VS Code's default excludes name the folders' contents; the folders are skipped unopened.
  const vscode = await readCorpus([dir], { exclude: ['**/node_modules/**', '**/.git/**'] });
  assert.deepEqual(rels(vscode.skipped.filter((s) => s.reason === 'excluded')), ['.git', 'node_modules']);
});

test('readCorpus: file roots, limits, progress', async () => {
  const one = await readCorpus([p('x.log'), p('sub/c.py')]);
  assert.deepEqual(rels(one.files), ['x.log', 'sub/c.py']); // explicit files are read even if gitignored
  const progress: number[] = [];
  const few = await readCorpus([dir], { maxFiles: 2, onProgress: (n) => progress.push(n) });
  assert.equal(few.files.length, 2);
  assert.equal(few.stoppedAt, 'maxFiles');
  assert.deepEqual(progress, [1, 2]);
  const small = await readCorpus([dir], { maxTotalBytes: 40 });
  assert.equal(small.stoppedAt, 'maxTotalBytes');
  assert.ok(small.bytes <= 40);
  await assert.rejects(readCorpus([p('missing')]), /Path not found: .*missing/);
  await assert.rejects(readCorpus([dir], { maxFileBytes: -1 }), /maxFileBytes must be a non-negative number/);
  const twice = await readCorpus([p('sub'), dir, p('a.ts')]);
  assert.deepEqual(rels(twice.files).filter((r) => r === 'sub/c.py' || r === 'a.ts'), ['sub/c.py', 'a.ts']);
});

test('readCorpus: abort rejects with AbortError', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(readCorpus([dir], { signal: ac.signal }), { name: 'AbortError' });
  const ac2 = new AbortController();
  await assert.rejects(readCorpus([dir], { signal: ac2.signal, onProgress: () => ac2.abort() }), { name: 'AbortError' });
});

test('readCorpus: a file deleted or rewritten during the walk is reported or read fresh, never thrown', async () => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-vanish-'));
  try {
    await fs.writeFile(path.join(d, '1.txt'), 'one\n');
    await fs.writeFile(path.join(d, '2.txt'), 'two\n');
    await fs.writeFile(path.join(d, '3.txt'), 'three\n');
    const c = await readCorpus([d], {
      onProgress: (n) => {
        if (n !== 1) return;
        rmSync(path.join(d, '2.txt'));
        writeFileSync(path.join(d, '3.txt'), 'THREE, rewritten\n');
      },
    });
    assert.deepEqual(c.files.map((f) => f.text), ['one\n', 'THREE, rewritten\n']);
    assert.deepEqual(c.skipped, [{ path: path.join(d, '2.txt'), reason: 'vanished' }]);
  } finally {
    await fs.rm(d, { recursive: true, force: true });
  }
});

test('readCorpus: a 50 MB minified file is judged without reading it whole', async () => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-big-'));
  try {
    const f = path.join(d, 'vendor.js');
    await fs.writeFile(f, 'var a=1;'.repeat(10_000));
    await fs.truncate(f, 50 * 1024 * 1024); // sparse: no 50 MB written to disk
    assert.deepEqual((await readCorpus([d])).skipped, [{ path: f, reason: 'too-large' }]);
    // Even with the size limit lifted, the 64 KiB head decides.
    assert.deepEqual((await readCorpus([d], { maxFileBytes: 100 * 1024 * 1024 })).skipped, [{ path: f, reason: 'minified' }]);
  } finally {
    await fs.rm(d, { recursive: true, force: true });
  }
});

test('readCorpus: links to files inside the folder are followed, links to folders or outside files are not; empty and binary-only folders', async () => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-links-'));
  try {
    await fs.mkdir(path.join(d, 'real'));
    await fs.writeFile(path.join(d, 'real', 'f.txt'), 'text\n');
    await fs.symlink(path.join(d, 'real', 'f.txt'), path.join(d, 'link.txt'));
    await fs.symlink(d, path.join(d, 'loop')); // a cycle if folders were followed
    const c = await readCorpus([d]);
    assert.deepEqual(c.files.map((f) => path.relative(d, f.path)), ['link.txt', path.join('real', 'f.txt')]);
    // A link to a file outside the folder (here: a secret next to it) is not read.
    const secret = path.join(path.dirname(d), `${path.basename(d)}-secret.txt`);
    await fs.writeFile(secret, 'password hunter2\n');
    try {
      await fs.symlink(secret, path.join(d, 'secret.txt'));
      const out = await readCorpus([d]);
      assert.ok(!out.files.some((f) => f.text.includes('hunter2')), 'the outside file was read');
      assert.deepEqual(out.skipped, [{ path: path.join(d, 'secret.txt'), reason: 'link-outside' }]);
      assert.equal(summarizeSkipped(out.counts), '1 link-outside');
      await fs.rm(path.join(d, 'secret.txt'));
    } finally {
      await fs.rm(secret, { force: true });
    }
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-empty-'));
    await fs.writeFile(path.join(empty, 'a.bin'), new Uint8Array([0, 1, 2]));
    await fs.writeFile(path.join(empty, 'b.bin'), new Uint8Array([7, 0]));
    const bin = await readCorpus([empty]);
    assert.equal(bin.files.length, 0);
    assert.equal(summarizeSkipped(bin.counts), '2 binary');
    await fs.rm(path.join(empty, 'a.bin'));
    await fs.rm(path.join(empty, 'b.bin'));
    const none = await readCorpus([empty]);
    assert.deepEqual([none.files.length, none.skipped.length, summarizeSkipped(none.counts)], [0, 0, 'none']);
    await fs.rm(empty, { recursive: true });
  } finally {
    await fs.rm(d, { recursive: true, force: true });
  }
});

test('classifiers: binary, minified, tolerant UTF-8', () => {
  assert.equal(looksBinary(Buffer.from('plain text\twith tabs\r\n')), false);
  assert.equal(looksBinary(Buffer.from('a\0b')), true);
  assert.equal(looksBinary(Buffer.from('\x01\x02\x03\x04abcdef')), true);
  assert.equal(looksMinified('x.min.css', 'a{}'), true);
  assert.equal(looksMinified('x.js', 'const a = 1;\n'.repeat(300)), false);
  assert.equal(looksMinified('x.md', 'word '.repeat(3000)), false); // long prose lines are fine
  assert.equal(looksMinified('x.json', '{"a":1,' + '"k":"v",'.repeat(1000) + '}'), true);
  assert.deepEqual(decodeUtf8(Buffer.from('ok \ufffd', 'utf8')), { text: 'ok \ufffd', invalid: 0 });
  assert.deepEqual(decodeUtf8(new Uint8Array([0x61, 0xff, 0x62])), { text: 'a\ufffdb', invalid: 1 });
});

test('readCorpus: an inline source map neither hides compiled code nor enters the text; a giant line past the head is minified', async () => {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-corpus-map-'));
  try {
    const code = Array.from({ length: 50 }, (_, i) => `export function f${i}(x) { return x + ${i}; }`).join('\n');
    const map = '//# sourceMappingURL=data:application/json;base64,' + 'QUFB'.repeat(50_000);
    writeFileSync(path.join(tmp, 'compiled.js'), `${code}\n${map}\n`);
    const blobHead = 'const a = 1;\n'.repeat(6000); // ~78 KB of ordinary lines, then one 100k-character line
    writeFileSync(path.join(tmp, 'blob.js'), `${blobHead}const data = "${'z'.repeat(100_000)}";\n`);
    const c = await readCorpus([tmp]);
    assert.deepEqual(rels(c.files).map((f) => path.basename(f)), ['compiled.js']);
    assert.equal(c.files[0].text, `${code}\n`);
    assert.deepEqual(c.skipped.map((s) => [path.basename(s.path), s.reason]), [['blob.js', 'minified']]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
