// wordlens.trainingLowPriority reaches the training thread: with it on (the default) the
// server's training thread runs at nice 10 while its main thread stays at 0; off, nothing is
// lowered. Read from /proc while the server trains (Linux: priority is per thread there).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DidChangeConfigurationNotification } from 'vscode-languageserver-protocol';
import { CancelTrainingRequest, TrainRequest } from '../../src/protocol';
import { FIXTURE_TEXT } from './fixtures';
import { startTestServer, type TestServer } from './lspClient';

/** Niceness of each thread of process `pid`, by thread id. */
function niceness(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), Number(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

describe('server: training priority', { skip: process.platform !== 'linux' && 'per-thread priority is Linux only' }, () => {
  let tmp: string;
  let workspace: string;
  let server: TestServer;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-priority-'));
    workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
    for (let i = 0; i < 2; i++) fs.writeFileSync(path.join(workspace, `add${i}.ts`), FIXTURE_TEXT.replace(/add/g, `sum${i}_`));
    server = await startTestServer({ storagePath: path.join(tmp, 'storage'), settings: { trainingLowPriority: false } });
    await server.waitForStatus(() => true);
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The server's thread niceness while a training run is under way. */
  async function whileTraining(outDir: string): Promise<Map<number, number>> {
    const statuses = server.statuses.length;
    const training = server.connection.sendRequest(TrainRequest, { roots: [workspace], outDir: path.join(tmp, outDir), budgetMinutes: 10, dim: 16 });
    await server.waitForStatus((s) => server.statuses.indexOf(s) >= statuses && s.state === 'training' && s.message?.includes('%') === true, 60_000);
    const seen = niceness(server.process.pid!);
    await server.connection.sendRequest(CancelTrainingRequest);
    await training;
    return seen;
  }

  it('off: no thread lowered; on (via didChangeConfiguration): the training thread at nice 10, the main thread at 0', async () => {
    const pid = server.process.pid!;
    const off = [...(await whileTraining('off')).values()];
    assert.ok(off.length > 3 && off.every((n) => n === 0), `trainingLowPriority off: ${off.join(',')}`);
    await server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { wordlens: { trainingLowPriority: true } } });
    const during = await whileTraining('on');
    const on = [...during.values()];
    assert.ok(on.includes(10), `trainingLowPriority on: a thread at nice 10 (${on.join(',')})`);
    assert.equal(during.get(pid), 0, 'the main thread (answering completions) keeps normal priority');
    console.log(`training priority: off → threads at ${[...new Set(off)].join('/')}; on → ${on.filter((n) => n === 10).length} of ${on.length} threads at nice 10`);
  });
});
