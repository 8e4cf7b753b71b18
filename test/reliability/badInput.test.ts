// Bad input where the user meets it, over LSP: model folders damaged in each way, workspaces
// that hold nothing trainable (or something hostile), vector files with wrong dimensions,
// and malformed request params. Each gets a clear one-line message (no stack trace), the
// bad files are left as they were, and the server keeps serving its model afterwards.
// (The engine-level cases have unit tests in test/unit/: store, corpus, vectors, mapMessages.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  ErrorCodes,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  LSPErrorCodes,
  ResponseError,
  WorkDoneProgress,
  type InlineCompletionList,
  type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol';
import { GenerateRequest, ImportVectorsRequest, LoadModelRequest, ServerStatusRequest, TrainRequest } from '../../src/protocol';
import { startTestServer, type TestServer } from '../server/lspClient';
import { FIXTURE_TEXT, tempDir, writeLstmModel, writeWorkspace } from './helpers';

/** Worker body for the churn test: see there. Stops when flag[0] is set; counts steps in flag[1]. */
const CHURNER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { dir, count, flag } = workerData;
const missing = [];
const present = Array.from({ length: count }, (_, i) => i);
let seed = 5;
const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
const file = (i) => path.join(dir, 'f' + i + '.ts');
while (Atomics.load(flag, 0) === 0) {
  const k = rand(present.length);
  const gone = present[k];
  present[k] = present[present.length - 1];
  present.pop();
  fs.rmSync(file(gone), { force: true });
  missing.push(gone);
  if (missing.length > count / 3) {
    const back = missing.splice(rand(missing.length), 1)[0];
    fs.writeFileSync(file(back), 'const back' + back + ' = ' + 'x'.repeat(rand(3000)) + ';\\n');
    present.push(back);
  }
  if (present.length > 0) fs.writeFileSync(file(present[rand(present.length)]), '// rewritten ' + 'y'.repeat(rand(3000)) + '\\n');
  Atomics.add(flag, 1, 1);
  Atomics.wait(flag, 0, 0, 0.5);
}
`;

async function rejection(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `a ResponseError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

/** Every file of a folder with its bytes, to prove a refused folder was left untouched. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((n) => [n, fs.readFileSync(path.join(dir, n)).toString('base64')]));
}

describe('reliability: bad input over LSP', () => {
  const tmp = tempDir('bad');
  const good = path.join(tmp.dir, 'good');
  const uri = 'file:///bad/after.ts';
  const text = FIXTURE_TEXT + '\nfunction add1(left: number, right: number): number {\n  const total = left + ';
  const lines = text.split('\n');
  const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
  let server: TestServer;
  const figures: string[] = [];

  before(async () => {
    await writeLstmModel(good, { marker: 'markerGood' });
    server = await startTestServer({ modelPath: good, storagePath: path.join(tmp.dir, 'storage') });
    await server.waitForStatus((s) => s.state === 'ready');
    await server.open(uri, text);
  });

  after(async () => {
    await server?.stop();
    console.log(`bad input → message:\n  ${figures.join('\n  ')}`);
    tmp.cleanup();
  });

  /** The server still serves the good model: status ready on it, and a completion. */
  async function stillServes(): Promise<void> {
    const status = await server.connection.sendRequest(ServerStatusRequest);
    assert.equal(status.state, 'ready');
    assert.equal(status.modelPath, good);
    const result = (await server.connection.sendRequest(InlineCompletionRequest.type, {
      textDocument: { uri },
      position: end,
      context: { triggerKind: InlineCompletionTriggerKind.Invoked },
    })) as InlineCompletionList | null;
    assert.ok(result && result.items.length === 1, 'a normal completion still works');
  }

  function checkMessage(name: string, error: ResponseError<unknown>, pattern: RegExp): void {
    assert.equal(error.code, LSPErrorCodes.RequestFailed, `${name}: RequestFailed, got ${error.code} ${error.message}`);
    assert.match(error.message, pattern, name);
    assert.doesNotMatch(error.message, /\n\s+at |\n/, `${name}: one line, no stack trace`);
    figures.push(`${name}: ${error.message.replaceAll(tmp.dir, '<tmp>')}`);
  }

  const damaged: [string, (dir: string) => void, RegExp][] = [
    ['corrupt model.json (binary garbage)', (d) => fs.writeFileSync(path.join(d, 'model.json'), Buffer.from([0xff, 0x00, 0x7b, 0x13])), /model\.json is not valid JSON/],
    ['truncated weight shard', (d) => {
      const shard = fs.readdirSync(d).find((n) => n.endsWith('.bin') && n.startsWith('group'))!;
      const bytes = fs.readFileSync(path.join(d, shard));
      fs.writeFileSync(path.join(d, shard), bytes.subarray(0, bytes.length - 100));
    }, /shard.*truncated/],
    ['vocab.json that does not match the weights', (d) => {
      const vocab = JSON.parse(fs.readFileSync(path.join(d, 'vocab.json'), 'utf8')) as { words: string[]; counts: number[] };
      fs.writeFileSync(path.join(d, 'vocab.json'), JSON.stringify({ words: vocab.words.slice(0, -3), counts: vocab.counts.slice(0, -3) }));
    }, /vocab\.json has \d+ words but/],
    ['model from a newer format version', (d) => {
      const meta = JSON.parse(fs.readFileSync(path.join(d, 'meta.json'), 'utf8')) as { version: number };
      fs.writeFileSync(path.join(d, 'meta.json'), JSON.stringify({ ...meta, version: 99 }));
    }, /format version 99 is newer than this Wordlens supports.*update Wordlens/],
    ['meta.json that is not JSON', (d) => fs.writeFileSync(path.join(d, 'meta.json'), '{"format": "wordlens-model", '), /meta\.json is not valid JSON/],
    ['corrupt n-gram file', (d) => fs.writeFileSync(path.join(d, 'ngram.bin'), Buffer.from('not an n-gram at all')), /ngram\.bin/],
    ['missing weight shard', (d) => fs.rmSync(path.join(d, fs.readdirSync(d).find((n) => n.startsWith('group'))!)), /shard .* is missing/],
  ];
  for (const [name, damage, pattern] of damaged) {
    it(`load model: ${name} → clear error, folder untouched, the previous model serves`, async () => {
      const dir = path.join(tmp.dir, name.replace(/\W+/g, '-'));
      fs.cpSync(good, dir, { recursive: true });
      damage(dir);
      const before = snapshot(dir);
      checkMessage(name, await rejection(server.connection.sendRequest(LoadModelRequest, { path: dir })), pattern);
      assert.deepEqual(snapshot(dir), before, 'nothing in the refused folder was changed or removed');
      await stillServes();
    });
  }

  it('a damaged model in the storage folder at start-up: status error with the reason, the folder kept, requests answered', async () => {
    const storage = path.join(tmp.dir, 'damaged-storage');
    fs.cpSync(good, path.join(storage, 'model'), { recursive: true });
    fs.writeFileSync(path.join(storage, 'model', 'vocab.json'), '[');
    const before = snapshot(path.join(storage, 'model'));
    const other = await startTestServer({ storagePath: storage });
    try {
      const status = await other.waitForStatus((s) => s.state !== 'none');
      assert.equal(status.state, 'error');
      assert.match(status.message ?? '', /vocab\.json is not valid JSON/);
      figures.push(`damaged storage model at start-up: status error "${status.message?.replaceAll(tmp.dir, '<tmp>')}"`);
      assert.deepEqual(snapshot(path.join(storage, 'model')), before, 'the damaged model is not deleted or overwritten');
      const info = await other.connection.sendRequest(LoadModelRequest, { path: good });
      assert.equal(info.vocab > 0, true, 'a good model can still be loaded');
    } finally {
      await other.stop();
    }
  });

  /** Trains on `files`; returns the result or the error, and the progress messages. */
  async function trainOn(name: string, files: Record<string, string | Uint8Array>, during?: (root: string) => () => void) {
    const root = writeWorkspace(path.join(tmp.dir, `ws-${name.replace(/\W+/g, '-')}`), files);
    const token = `train-${name}`;
    const messages: string[] = [];
    const listener = server.connection.onProgress(WorkDoneProgress.type, token, (p) => {
      if ((p as WorkDoneProgressReport).message) messages.push((p as WorkDoneProgressReport).message!);
    });
    const stop = during?.(root);
    try {
      const result = await server.connection.sendRequest(TrainRequest, {
        workDoneToken: token,
        roots: [root],
        outDir: path.join(tmp.dir, `out-${name.replace(/\W+/g, '-')}`),
        epochs: 1,
        dim: 8,
        budgetMinutes: 0.5,
      });
      return { result, messages };
    } catch (error) {
      return { error: error as ResponseError<unknown>, messages };
    } finally {
      stop?.();
      listener.dispose();
      // Training a model in another folder swaps it in; go back to the good one.
      await server.connection.sendRequest(LoadModelRequest, { path: good });
    }
  }

  it('train: an empty workspace → "nothing to train on"', async () => {
    const { error } = await trainOn('empty', {});
    assert.ok(error, 'refused');
    checkMessage('empty workspace', error, /No text files to train on/);
    const gone = await rejection(server.connection.sendRequest(TrainRequest, { roots: [path.join(tmp.dir, 'deleted-folder')], outDir: path.join(tmp.dir, 'out-gone') }));
    checkMessage('workspace folder that no longer exists', gone, /Path not found/);
    await stillServes();
  });

  it('train: a single-token corpus → "no training text", all of it held out', async () => {
    const { error } = await trainOn('single', { 'one.txt': 'x' });
    assert.ok(error, 'refused');
    checkMessage(
      'single-token corpus',
      error,
      /^No training text: the 1 file\(s\) hold 1 token\(s\), all in the held-out last 10% of their lines \(kept for validation\)\. Add more text\.$/,
    );
    await stillServes();
  });

  it('train: a workspace of binary files only → "no text files" with the binary count; the previous model serves', async () => {
    const random = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 13) & 0xff);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), random(4000, 1)]);
    const wasm = Buffer.concat([Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0]), random(2000, 2)]);
    const nulText = Buffer.concat([Buffer.from('looks like text at first\n'), Buffer.alloc(64), Buffer.from('but holds NULs\n')]);
    const { error } = await trainOn('binary-only', { 'logo.png': png, 'lib/module.wasm': wasm, 'notes.txt': nulText, 'data.bin': random(3000, 3) });
    assert.ok(error, 'refused');
    checkMessage('binary files only', error, /^No text files to train on in \S+ws-binary-only \(skipped: 4 binary\)\.$/);
    await stillServes();
  });

  it('train: a 50 MB minified file is skipped, text with a few invalid UTF-8 bytes is repaired and learned, the rest trains', async () => {
    const line = 'var a=function(b,c){return b+c};'.repeat(16);
    const minified = Buffer.alloc(50 * 1024 * 1024, line);
    // Mostly valid text with 4 bad bytes in the middle: read with U+FFFD, its words learned.
    const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `const repairedWord${from + i} = repairedAlpha + ${i};\n`).join('');
    const invalid = Buffer.concat([Buffer.from(lines(0, 10)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('\n' + lines(10, 10))]);
    const { result, error, messages } = await trainOn('hostile', {
      'dist.min.js': minified,
      'broken.ts': invalid,
      'src/ok.ts': FIXTURE_TEXT,
    });
    assert.equal(error, undefined, `trained: ${error?.message}`);
    const corpus = messages.find((m) => m.startsWith('read '));
    assert.match(
      corpus ?? '',
      /^read 2 files: .* \(skipped: 1 too-large; 1 repaired \(invalid UTF-8\)\)$/,
      'the minified file is skipped unread, the invalid UTF-8 file is read and reported as repaired, not skipped',
    );
    figures.push(`50 MB minified + invalid UTF-8: trained, "${corpus}"`);
    const words = (JSON.parse(fs.readFileSync(path.join(tmp.dir, 'out-hostile', 'vocab.json'), 'utf8')) as { words: string[] }).words.map((w) => w.trim());
    for (const w of ['repairedAlpha', 'repairedWord0', 'repairedWord12']) assert.ok(words.includes(w), `${w} (before and after the bad bytes) is in the vocabulary`);
    assert.ok(!words.some((w) => w.startsWith('b+c') || w.includes('return b')), 'nothing of the minified file');
    assert.ok(result!.vocab > 3);
    await stillServes();
  });

  it('train: files deleted and rewritten while the corpus is read → the vanished ones counted, trained on the rest, server up', async () => {
    const CHURN = 1500;
    const files: Record<string, string> = {};
    // Stable text that is never touched, so training always has something to learn from.
    for (let i = 0; i < 4; i++) files[`keep/k${i}.ts`] = FIXTURE_TEXT;
    for (let i = 0; i < CHURN; i++) files[`churn/f${i}.ts`] = FIXTURE_TEXT.slice(0, 600) + `\nconst v${i} = ${i};\n`;
    const flag = new Int32Array(new SharedArrayBuffer(8));
    let churner: Worker | undefined;
    let churnerDone: Promise<void> | undefined;
    const { result, error, messages } = await trainOn('churn', files, (root) => {
      // A worker thread (the test's event loop stays free for LSP) keeps about a third of the
      // files missing at all times, deleting one at random and re-creating or rewriting another
      // every half millisecond, from before the request until after it: whenever the server
      // lists the folder, listed files keep disappearing before it opens them.
      churner = new Worker(CHURNER, { eval: true, workerData: { dir: path.join(root, 'churn'), count: CHURN, flag } });
      churnerDone = new Promise((resolve, reject) => churner!.once('exit', () => resolve()).once('error', reject));
      return () => Atomics.store(flag, 0, 1);
    });
    await churnerDone;
    assert.equal(error, undefined, `trained on the stable files: ${error?.message}`);
    assert.ok(result!.vocab > 3);
    const corpus = messages.find((m) => m.startsWith('read ')) ?? '';
    const vanished = Number(/(\d+) vanished/.exec(corpus)?.[1] ?? 0);
    const changed = Number(/(\d+) changed/.exec(corpus)?.[1] ?? 0);
    figures.push(`files vanishing/changing during the read (${Atomics.load(flag, 1)} churn steps): trained, "${corpus}"`);
    assert.ok(vanished >= 1, `the churn overlapped the read: files listed then gone are counted as vanished ("${corpus}")`);
    assert.match(corpus, /^read \d+ files: /);
    console.log(`churn: ${vanished} vanished, ${changed} changed, ${Atomics.load(flag, 1)} churn steps`);
    await stillServes();
  });

  it('import vectors with wrong dimensions → file:line in the message, nothing imported', async () => {
    const file = path.join(tmp.dir, 'short-row.vec');
    fs.writeFileSync(file, '3 4\nalpha 1 2 3 4\nbeta 1 2 3\ngamma 1 2 3 4\n');
    checkMessage(
      'vector row with wrong dimensions',
      await rejection(server.connection.sendRequest(ImportVectorsRequest, { path: file })),
      /short-row\.vec:3: expected a word and 4 numbers, found 3 values after "beta"/,
    );
    const nan = path.join(tmp.dir, 'nan.vec');
    fs.writeFileSync(nan, 'alpha 1 2 3\nbeta 1 NaN 3\n');
    checkMessage(
      'vector value not a number',
      await rejection(server.connection.sendRequest(ImportVectorsRequest, { path: nan })),
      /nan\.vec:2: value 2 of "beta" is not a finite number: "NaN"/,
    );
    await stillServes();
  });

  it('malformed params on every kind of request → InvalidParams naming the field; the server stays up', async () => {
    const cases: [string, unknown, RegExp][] = [
      [InlineCompletionRequest.method, { textDocument: { uri }, position: { line: 'one' } }, /"position"/],
      [InlineCompletionRequest.method, null, /params must be an object|parameters by name/],
      [InlineCompletionRequest.method, [1, 2], /params must be an object|parameters by name/],
      [TrainRequest.method, { roots: 'not-an-array' }, /"roots"/],
      [TrainRequest.method, { dim: 1e9, roots: [tmp.dir] }, /"dim"/],
      [GenerateRequest.method, { textDocument: 7, position: end }, /"textDocument"/],
      [LoadModelRequest.method, { path: '' }, /"path"/],
    ];
    for (const [method, params, pattern] of cases) {
      const error = await rejection(server.connection.sendRequest(method, params));
      assert.equal(error.code, ErrorCodes.InvalidParams, `${method} ${JSON.stringify(params)}: ${error.code} ${error.message}`);
      assert.match(error.message, pattern);
    }
    figures.push(`malformed params: ${cases.length} requests → InvalidParams, e.g. "${(await rejection(server.connection.sendRequest(TrainRequest.method, { roots: 3 }))).message}"`);
    const unknown = await rejection(server.connection.sendRequest('wordlens/noSuchRequest', {}));
    assert.equal(unknown.code, ErrorCodes.MethodNotFound);
    await stillServes();
  });
});
