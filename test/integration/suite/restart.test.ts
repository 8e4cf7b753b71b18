// Crash recovery in a real VS Code: the server process is SIGKILLed (idle, then in the middle
// of a training run); the extension's language client starts a new one by itself, which loads
// the last complete model from the workspace storage and serves completions again.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { activateWordlens, extensionId, removeTemp, tempCorpus } from './setup';

interface Client {
  sendRequest(method: string, params?: unknown): Promise<unknown>;
}
interface Api {
  ready: Promise<Client>;
  statusText(): string;
}
interface Stats {
  pid: number;
}
interface Status {
  state: string;
  vocab?: number;
  modelPath?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CODE = Array.from(
  { length: 40 },
  (_, i) => `function add${i % 4}(left: number, right: number): number {\n  const total = left + right;\n  return total;\n}\n`,
).join('\n');

/** Waits until a server other than `oldPid` answers; returns its pid. */
async function newServer(client: Client, oldPid: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { pid } = (await client.sendRequest('wordlens/debugStats')) as Stats;
      if (pid !== oldPid) return pid;
    } catch {
      // the client is between servers
    }
    if (Date.now() > deadline) throw new Error('the client did not restart the server');
    await sleep(200);
  }
}

async function waitForReady(client: Client, timeoutMs = 60_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await client.sendRequest('wordlens/status')) as Status;
    if (status.state === 'ready' || Date.now() > deadline) return status;
    await sleep(200);
  }
}

suite('crash recovery', function () {
  this.timeout(240_000);
  let api: Api;
  let tmp: string;

  suiteSetup(async () => {
    if (extensionId !== 'wordlens.wordlens') this.ctx.skip?.();
    api = await activateWordlens<Api>();
    tmp = tempCorpus('wordlens-restart-', { 'add.ts': CODE });
  });

  suiteTeardown(() => removeTemp(tmp));

  test('a killed server is restarted by the client and loads the last complete model, also when killed mid-training', async () => {
    const client = await api.ready;
    // A model in the workspace storage (no outDir: the default place).
    const trained = (await client.sendRequest('wordlens/train', { roots: [path.join(tmp, 'corpus')], epochs: 1, dim: 16, budgetMinutes: 0.5 })) as {
      vocab: number;
      modelPath: string;
    };
    const figures: string[] = [];
    for (const when of ['idle', 'training'] as const) {
      const { pid } = (await client.sendRequest('wordlens/debugStats')) as Stats;
      if (when === 'training') {
        void client.sendRequest('wordlens/train', { roots: [path.join(tmp, 'corpus')], epochs: 200, dim: 16, budgetMinutes: 1 }).catch(() => undefined);
        await sleep(1500);
      }
      const t0 = Date.now();
      process.kill(pid, 'SIGKILL');
      const next = await newServer(client, pid);
      const status = await waitForReady(client);
      figures.push(`killed ${when} (pid ${pid}) → new server pid ${next}, ready in ${Date.now() - t0} ms, V=${status.vocab}`);
      assert.equal(status.state, 'ready', `after a kill while ${when}: ${JSON.stringify(status)}`);
      assert.equal(status.modelPath, trained.modelPath, 'the storage model');
      assert.equal(status.vocab, trained.vocab);
    }
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content: CODE + '\nconst x = left + ' });
    const next = (await client.sendRequest('wordlens/nextTokens', {
      textDocument: { uri: document.uri.toString() },
      position: { line: document.lineCount - 1, character: document.lineAt(document.lineCount - 1).text.length },
      k: 1,
    })) as { tokens: unknown[] };
    assert.equal(next.tokens.length, 1, 'the restarted server serves the model');
    console.log(`crash recovery: ${figures.join('; ')}`);
  });
});
