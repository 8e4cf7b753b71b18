// Training over LSP: $/progress begin/report/end, completions served from the previous
// model while the worker trains, the new model swapped in, and cancellation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  WorkDoneProgress,
  type InlineCompletionList,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol';
import { CancelTrainingRequest, NextTokensRequest, ServerStatusRequest, TrainRequest } from '../../src/protocol';
import { FIXTURE_TEXT, writeFixtureModel } from './fixtures';
import { startTestServer, type TestServer } from './lspClient';

type Progress = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

describe('server: training', () => {
  let tmp: string;
  let workspace: string;
  let storage: string;
  let server: TestServer;
  const uri = 'file:///fixture/train.ts';
  const text = FIXTURE_TEXT + '\nfunction add2(left: number, right: number): number {\n  const total = left + ';
  const end = { line: text.split('\n').length - 1, character: '  const total = left + '.length };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-train-'));
    workspace = path.join(tmp, 'workspace');
    storage = path.join(tmp, 'storage');
    fs.mkdirSync(workspace);
    // A small workspace: the fixture code in a few files, plus a file that must be skipped.
    for (let i = 0; i < 2; i++) fs.writeFileSync(path.join(workspace, `add${i}.ts`), FIXTURE_TEXT.replace(/add/g, `sum${i}_`));
    fs.writeFileSync(path.join(workspace, 'image.bin'), Buffer.from([0, 1, 2, 0, 255, 0]));
    // The server starts with the fixture n-gram model (as if trained before).
    await writeFixtureModel(path.join(tmp, 'previous'));
    server = await startTestServer({ modelPath: path.join(tmp, 'previous'), storagePath: storage });
    await server.waitForStatus((s) => s.state === 'ready');
    await server.open(uri, text);
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('trains in a worker with $/progress begin/report/end, keeps completing meanwhile, then swaps the model in', async () => {
    const events: Progress[] = [];
    server.connection.onProgress(WorkDoneProgress.type, 'train-1', (p) => {
      events.push(p);
    });
    const training = server.connection.sendRequest(TrainRequest, {
      workDoneToken: 'train-1',
      roots: [workspace],
      budgetMinutes: 0.5,
      epochs: 1,
      dim: 16,
    });

    // While the worker trains, the previous model answers (the server thread is free).
    await server.waitForStatus((s) => s.state === 'training');
    const during = (await server.connection.sendRequest(InlineCompletionRequest.type, {
      textDocument: { uri },
      position: end,
      context: { triggerKind: InlineCompletionTriggerKind.Automatic },
    })) as InlineCompletionList | null;
    assert.equal(during?.items[0].insertText, 'right;');
    assert.equal((await server.connection.sendRequest(ServerStatusRequest)).state, 'training');

    const result = await training;
    assert.equal(result.cancelled, false);
    assert.equal(result.modelPath, path.join(storage, 'model'));
    assert.ok(result.vocab > 20 && result.tokens > 1000, JSON.stringify(result));
    assert.ok(fs.existsSync(path.join(storage, 'model', 'meta.json')));

    assert.equal(events[0].kind, 'begin');
    assert.equal(events.at(-1)!.kind, 'end');
    const reports = events.filter((e): e is WorkDoneProgressReport => e.kind === 'report');
    assert.ok(reports.some((r) => /vocabulary/.test(r.message ?? '')), 'reports the corpus read');
    const percentages = reports.map((r) => r.percentage).filter((p): p is number => p !== undefined);
    assert.ok(percentages.length > 0, 'reports percentages');
    assert.deepEqual(percentages, [...percentages].sort((a, b) => a - b), 'percentages never go back');

    const status = await server.waitForStatus((s) => s.state === 'ready' && s.modelPath === path.join(storage, 'model'));
    assert.equal(status.vocab, result.vocab);
    // The new model (an LSTM mixed with its n-gram) completes.
    const next = await server.connection.sendRequest(NextTokensRequest, { textDocument: { uri }, position: end, k: 3 });
    assert.equal(next.tokens.length, 3);
    assert.equal(next.tokens[0].token, 'right');
  });

  it('loads the trained model from the storage folder when a new server starts', async () => {
    const next = await startTestServer({ storagePath: storage });
    try {
      const status = await next.waitForStatus((s) => s.state !== 'none');
      assert.equal(status.state, 'ready');
      assert.equal(status.modelPath, path.join(storage, 'model'));
    } finally {
      await next.stop();
    }
  });

  it('refuses a second job while one runs, and cancels on request keeping a usable model', async () => {
    const events: Progress[] = [];
    server.connection.onProgress(WorkDoneProgress.type, 'train-2', (p) => {
      events.push(p);
    });
    const training = server.connection.sendRequest(TrainRequest, {
      workDoneToken: 'train-2',
      roots: [workspace],
      outDir: path.join(tmp, 'cancelled'),
      budgetMinutes: 10,
      dim: 16,
    });
    await server.waitForStatus((s) => s.state === 'training' && s.message?.includes('%') === true, 60_000);
    await assert.rejects(server.connection.sendRequest(TrainRequest, { roots: [workspace], outDir: path.join(tmp, 'other') }), /already running/);
    assert.deepEqual(await server.connection.sendRequest(CancelTrainingRequest), { cancelled: true });
    const result = await training;
    assert.equal(result.cancelled, true);
    assert.equal(events.at(-1)!.kind, 'end');
    const status = await server.waitForStatus((s) => s.state === 'ready' && s.message?.includes('train') === true);
    assert.ok(status.modelPath, 'a model still serves');
    const next = await server.connection.sendRequest(NextTokensRequest, { textDocument: { uri }, position: end, k: 1 });
    assert.equal(next.tokens.length, 1);
  });

  it('says clearly when there is nothing to train on', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'only.bin'), Buffer.from([0, 0, 0, 1]));
    await assert.rejects(
      server.connection.sendRequest(TrainRequest, { roots: [empty], outDir: path.join(tmp, 'none') }),
      (error: Error) => /No text files to train on/.test(error.message) && /binary/.test(error.message),
    );
    assert.equal((await server.connection.sendRequest(ServerStatusRequest)).state, 'ready');
  });
});
