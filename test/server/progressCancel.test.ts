// A generic LSP client's cancel button on the training progress: the client sends
// window/workDoneProgress/cancel with the request's workDoneToken (the language client does
// this for client-created progress) and training stops, keeping the model that served before.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkDoneProgress, WorkDoneProgressCancelNotification, type WorkDoneProgressBegin } from 'vscode-languageserver-protocol';
import { NextTokensRequest, ServerStatusRequest, TrainRequest } from '../../src/protocol';
import { FIXTURE_TEXT, writeFixtureModel } from './fixtures';
import { startTestServer, type TestServer } from './lspClient';

describe('server: cancelling training from its progress', () => {
  let tmp: string;
  let workspace: string;
  let server: TestServer;
  const uri = 'file:///fixture/progress.ts';

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-progress-'));
    workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
    for (let i = 0; i < 2; i++) fs.writeFileSync(path.join(workspace, `add${i}.ts`), FIXTURE_TEXT.replace(/add/g, `sum${i}_`));
    await writeFixtureModel(path.join(tmp, 'previous'));
    server = await startTestServer({ modelPath: path.join(tmp, 'previous'), storagePath: path.join(tmp, 'storage') });
    await server.waitForStatus((s) => s.state === 'ready');
    await server.open(uri, FIXTURE_TEXT + '\nconst total = left + ');
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('window/workDoneProgress/cancel of the training token stops training; another token does not', async () => {
    let begin: WorkDoneProgressBegin | undefined;
    const ended = new Promise<void>((resolve) =>
      server.connection.onProgress(WorkDoneProgress.type, 'train-cancel', (p) => {
        if (p.kind === 'begin') begin = p;
        if (p.kind === 'end') resolve();
      }),
    );
    const training = server.connection.sendRequest(TrainRequest, {
      workDoneToken: 'train-cancel',
      roots: [workspace],
      outDir: path.join(tmp, 'out'),
      budgetMinutes: 10,
      dim: 16,
    });
    await server.waitForStatus((s) => s.state === 'training' && s.message?.includes('%') === true, 60_000);
    assert.equal(begin?.cancellable, true, 'the progress offers a cancel button');
    const logs: string[] = [];
    server.connection.onNotification('window/logMessage', (m: { message: string }) => {
      logs.push(m.message);
    });
    // A token that is not the training's: ignored, training goes on. (A request after the
    // notification returns once the server has handled both: messages are handled in order.)
    await server.connection.sendNotification(WorkDoneProgressCancelNotification.type, { token: 'something-else' });
    assert.equal((await server.connection.sendRequest(ServerStatusRequest)).state, 'training', 'another token does not stop training');
    assert.ok(logs.some((l) => l.includes('progress something-else cancelled: nothing of it is running')), logs.join('\n'));
    await server.connection.sendNotification(WorkDoneProgressCancelNotification.type, { token: 'train-cancel' });
    const result = await training;
    await ended;
    assert.equal(result.cancelled, true, 'the run ended as cancelled');
    const status = await server.waitForStatus((s) => s.state === 'ready');
    assert.ok(status.modelPath, 'a model still serves');
    const lines = (FIXTURE_TEXT + '\nconst total = left + ').split('\n');
    const next = await server.connection.sendRequest(NextTokensRequest, {
      textDocument: { uri },
      position: { line: lines.length - 1, character: lines.at(-1)!.length },
      k: 1,
    });
    assert.equal(next.tokens.length, 1);
    assert.ok(logs.some((l) => l.includes('progress cancelled by the client')), 'the server says why it stopped');
  });
});
