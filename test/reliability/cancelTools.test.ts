// Stop means stop for the tools around training (issue 15): projection, import, export and eval,
// each run as the CLI in this process and sent SIGTERM while its work is under way (hooked on
// the command's own progress line, or on its subscribing to the signal for commands that print
// none). Each asserts the stop within 2 s, a result that says cancelled, and no half-written
// output: the file or folder from before is byte-for-byte as it was, no temp beside it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli';
import { writeVectors } from '../../src/engine/io/vectors';
import { FIXTURE_TEXT, tempDir, writeLstmModel } from './helpers';

const STOP_LIMIT_MS = 2000;

interface Stopped {
  code: number;
  result: Record<string, unknown>;
  stopMs: number;
  stderr: string;
}

/**
 * Runs `wordlens <args> --json` here and emits SIGTERM (as the OS would deliver it: on a later
 * turn of the loop) at the first progress line, or with `when: 'listening'` as soon as the
 * command subscribes to SIGTERM, i.e. as its interruptible work starts.
 */
async function interrupted(args: string[], when: 'progress' | 'listening'): Promise<Stopped> {
  let stdout = '';
  let stderr = '';
  let signalledAt = 0;
  const signal = () => {
    if (signalledAt) return;
    signalledAt = -1;
    setImmediate(() => ((signalledAt = Date.now()), process.emit('SIGTERM')));
  };
  const onListener = (event: string | symbol) => event === 'SIGTERM' && when === 'listening' && signal();
  process.on('newListener', onListener);
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, done) { append(String(chunk)); done(); } });
  try {
    const code = await main([...args, '--json'], {
      stdout: sink((s) => {
        stdout += s;
        if (when === 'progress' && s.includes('"event":"progress"')) signal();
      }),
      stderr: sink((s) => (stderr += s)),
    });
    assert.ok(signalledAt > 0, `the command ended before the signal: ${stdout}${stderr}`);
    const lines = stdout.trim().split('\n');
    return { code, result: JSON.parse(lines[lines.length - 1]), stopMs: Date.now() - signalledAt, stderr };
  } finally {
    process.off('newListener', onListener);
  }
}

function assertStopped(run: Stopped, figures: string[], name: string): void {
  figures.push(`${name}: ${run.stopMs} ms`);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.result.cancelled, true, JSON.stringify(run.result));
  assert.ok(run.stopMs <= STOP_LIMIT_MS, `stopped ${run.stopMs} ms after SIGTERM`);
}

/** Every file under `dir`, name → SHA-256 (a digest: a failing comparison of megabytes would take minutes to print). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isFile()) out[name] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  }
  return out;
}

/** A word2vec text file of `rows` words, `dim` values each, in 5 clusters. */
function writeWord2vec(file: string, rows: number, dim: number): void {
  const lines = [`${rows} ${dim}`];
  for (let i = 0; i < rows; i++) lines.push(`w${i} ` + Array.from({ length: dim }, (_, k) => ((i % 5) * 3 + ((i * 7 + k) % 13) / 13).toFixed(3)).join(' '));
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('reliability: projection, import, export and eval stop within 2 s and leave no half-written output', () => {
  const tmp = tempDir('cancel-tools');
  const figures: string[] = [];
  const lstm = path.join(tmp.dir, 'lstm');
  const vectors = path.join(tmp.dir, 'vectors');

  before(async () => {
    await writeLstmModel(lstm);
    writeWord2vec(path.join(tmp.dir, 'small.txt'), 600, 8);
    const made = await main(['import', path.join(tmp.dir, 'small.txt'), '--out', vectors, '--json'], { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: process.stderr });
    assert.equal(made, 0);
  });
  after(() => {
    console.log(`stop times (SIGTERM → the command's result):\n  ${figures.join('\n  ')}`);
    tmp.cleanup();
  });

  it('project (UMAP): stopped at its first epoch report; the old output file is kept', async () => {
    const out = path.join(tmp.dir, 'map', 'coords.json');
    fs.mkdirSync(path.dirname(out));
    fs.writeFileSync(out, '{"old":true}');
    const before = snapshot(path.dirname(out));
    const run = await interrupted(['project', '--model', vectors, '--out', out, '--epochs', '20000'], 'progress');
    assertStopped(run, figures, 'project');
    assert.deepEqual(snapshot(path.dirname(out)), before);
  });

  it('import: stopped at its first progress report (reading or the neighbour index); the old folder is kept', async () => {
    // 60,000 rows: past the size that gets a neighbour index, so the import lasts seconds.
    const file = path.join(tmp.dir, 'large.txt');
    writeWord2vec(file, 60_000, 8);
    const parent = path.join(tmp.dir, 'imports');
    fs.mkdirSync(parent);
    fs.cpSync(vectors, path.join(parent, 'model'), { recursive: true });
    const before = snapshot(parent);
    const run = await interrupted(['import', file, '--out', path.join(parent, 'model')], 'progress');
    assertStopped(run, figures, 'import');
    assert.deepEqual(snapshot(parent), before, 'the old model, no temp folder');
  });

  for (const format of ['word2vec', 'tsv'] as const) {
    it(`export ${format}: stopped as the write starts; the old file(s) kept, no temp`, async () => {
      const dir = path.join(tmp.dir, `export-${format}`);
      fs.mkdirSync(dir);
      const out = path.join(dir, format === 'tsv' ? 'vectors.tsv' : 'vectors.txt');
      assert.equal(await main(['export', '--model', vectors, '--format', format, '--out', out, '--json'], { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: process.stderr }), 0);
      const before = snapshot(dir);
      const run = await interrupted(['export', '--model', lstm, '--format', format, '--out', out], 'listening');
      assertStopped(run, figures, `export ${format}`);
      assert.deepEqual(snapshot(dir), before);
    });
  }

  it('export tsv: a stop between vectors.tsv and metadata.tsv leaves the old pair, not a mismatched one', async () => {
    const dir = path.join(tmp.dir, 'tsv-pair');
    fs.mkdirSync(dir);
    const out = path.join(dir, 'vectors.tsv');
    const words = Array.from({ length: 40_000 }, (_, i) => `w${i}`);
    await writeVectors(out, 'tsv', words.slice(0, 3), new Float32Array(3 * 16).fill(1), 16);
    const before = snapshot(dir);
    // The stop is polled at each flushed megabyte: abort at the first poll of the metadata file.
    const controller = new AbortController();
    const signal = controller.signal;
    const aborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;
    let polls = 0;
    Object.defineProperty(signal, 'aborted', {
      get() {
        polls++;
        if (fs.readdirSync(dir).some((n) => n.startsWith('.metadata.tsv.'))) controller.abort();
        return aborted.call(signal);
      },
    });
    await assert.rejects(writeVectors(out, 'tsv', words, new Float32Array(words.length * 16).fill(0.5), 16, { signal }), { name: 'AbortError' });
    assert.ok(polls > 2, `the vectors file was written in several flushes before the stop (${polls} polls)`);
    assert.deepEqual(snapshot(dir), before, 'both old files, no temp');
  });

  it('eval: stopped between its scoring blocks; the result says cancelled, no perplexity', async () => {
    const file = path.join(tmp.dir, 'held-out.ts');
    // ~20 blocks of 1,024 tokens: the stop comes after the first.
    fs.writeFileSync(file, FIXTURE_TEXT.repeat(Math.ceil(20_000 / FIXTURE_TEXT.split(/\s+/).length)));
    const run = await interrupted(['eval', '--model', lstm, file], 'listening');
    assertStopped(run, figures, 'eval');
    assert.equal(run.result.ppl, undefined);
  });
});
