// Crash recovery in a real VS Code: the server process is SIGKILLed 20 times in a row, half at
// a random moment of a training run, half at a file-system event of its checkpoint saves; each
// time the extension's language client starts a new server by itself, which loads the last
// complete model from the workspace storage (never a half-written folder) and serves again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { activateWordlens, extensionId, fixtureCode, removeTemp, sleep, tempCorpus, waitFor } from './setup';

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

const ROUNDS = Number(process.env.WORDLENS_KILL_ROUNDS ?? 20);

/** The model's createdAt on disk (its identity here), or undefined when the folder is missing. */
function createdAt(dir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { createdAt: string }).createdAt;
  } catch {
    return undefined;
  }
}

/** Temps of the atomic save next to `dir` (`.model.wl-<role>-…`). */
function saveTemps(dir: string): string[] {
  return fs.readdirSync(path.dirname(dir)).filter((n) => n.startsWith(`.${path.basename(dir)}.wl-`));
}

const CODE = fixtureCode(40);

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
  this.timeout(600_000);
  let api: Api;
  let tmp: string;

  suiteSetup(async () => {
    if (extensionId !== 'wordlens.wordlens') this.ctx.skip?.();
    api = await activateWordlens<Api>();
    tmp = tempCorpus('wordlens-restart-', { 'add.ts': CODE });
  });

  suiteTeardown(() => removeTemp(tmp));

  test(`${ROUNDS} SIGKILLs during training and saves: the client restarts the server, which loads the last complete model`, async () => {
    const client = await api.ready;
    const roots = [path.join(tmp, 'corpus')];
    // A model in the workspace storage (no outDir: the default place).
    const trained = (await client.sendRequest('wordlens/train', { roots, epochs: 1, dim: 16, budgetMinutes: 0.5 })) as {
      vocab: number;
      modelPath: string;
    };
    const model = trained.modelPath;
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content: CODE + '\nconst x = left + ' });
    const end = { line: document.lineCount - 1, character: document.lineAt(document.lineCount - 1).text.length };
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const outcomes: string[] = [];
    let byWatcher = 0;
    let withTemps = 0;
    let restartMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const before = createdAt(model);
      const { pid } = (await client.sendRequest('wordlens/debugStats')) as Stats;
      const mode = round % 2 === 0 ? 'save' : 'training';
      void client.sendRequest('wordlens/train', { roots, epochs: 200, dim: 16, budgetMinutes: 0.5 }).catch(() => undefined);
      const started = Date.now();
      let killedBy = 'timer';
      const killed = new Promise<void>((resolve) => {
        const kill = (by: string) => {
          killedBy = by;
          watcher?.close();
          clearTimeout(timer);
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
          resolve();
        };
        let watcher: fs.FSWatcher | undefined;
        let timer: NodeJS.Timeout;
        if (mode === 'save') {
          // The k-th event of the checkpoint saves (temp created, renamed, swapped, old removed).
          const k = 1 + Math.floor(rand() * 14);
          let seen = 0;
          watcher = fs.watch(path.dirname(model), (_e, name) => {
            if (name && /^(\.model\.wl-|model$)/.test(String(name)) && ++seen === k) kill('watcher');
          });
          timer = setTimeout(() => kill('backstop'), 30_000);
        } else {
          timer = setTimeout(() => kill('timer'), 300 + Math.floor(rand() * 6000));
        }
      });
      await killed;
      const at = Date.now() - started;
      if (killedBy === 'watcher') byWatcher++;
      // What the kill left: the committed version and complete (`ready`/`old`) temps.
      await sleep(50);
      const temps = saveTemps(model);
      if (temps.length > 0) withTemps++;
      const complete = new Set([before, createdAt(model), ...temps.filter((t) => /wl-(ready|old)-/.test(t)).map((t) => createdAt(path.join(path.dirname(model), t)))]);

      const t0 = Date.now();
      const next = await newServer(client, pid);
      const status = await waitForReady(client);
      restartMs = Math.max(restartMs, Date.now() - t0);
      const loaded = createdAt(model);
      assert.equal(status.state, 'ready', `round ${round}, killed during ${mode}: ${JSON.stringify(status)}`);
      assert.equal(status.modelPath, model, 'the storage model');
      assert.ok(next !== pid);
      assert.ok(loaded !== undefined && complete.has(loaded), `round ${round}: loaded a complete version`);
      assert.ok(loaded! >= before!, `round ${round}: never older than the model before the run`);
      assert.deepEqual(saveTemps(model), [], `round ${round}: the new server cleaned the temps`);
      const served = (await client.sendRequest('wordlens/nextTokens', { textDocument: { uri: document.uri.toString() }, position: end, k: 1 })) as {
        tokens: unknown[];
      };
      assert.equal(served.tokens.length, 1, `round ${round}: the restarted server serves the model`);
      outcomes.push(`${mode}@${at}ms[${temps.map((t) => t.split('.wl-')[1].split('-')[0]).join(',')}]${loaded === before ? '=' : '+'}`);
    }
    const newer = outcomes.filter((o) => o.endsWith('+')).length;
    console.log(`crash recovery: ${outcomes.join(' ')}`);
    console.log(
      `crash recovery: ${ROUNDS}/${ROUNDS} SIGKILLs restarted by the language client; ${newer} loaded a newer checkpoint, ${ROUNDS - newer} the model before the run; ` +
        `${byWatcher} of ${Math.ceil(ROUNDS / 2)} save kills on a save event; ${withTemps} of ${ROUNDS} kills left save temps; slowest restart to ready ${restartMs} ms`,
    );
    assert.ok(byWatcher >= Math.ceil(ROUNDS / 2) - 2, `most save-mode kills landed on a save event (${byWatcher})`);
  });

  test('Wordlens: Restart Server starts a new server process, which loads the storage model', async () => {
    const client = await api.ready;
    const { pid } = (await client.sendRequest('wordlens/debugStats')) as Stats;
    await vscode.commands.executeCommand('wordlens.restartServer');
    const next = await newServer(client, pid);
    const status = await waitForReady(client);
    assert.notEqual(next, pid);
    assert.equal(status.state, 'ready', JSON.stringify(status));
    assert.ok(status.modelPath, 'a model from storage serves again');
    const gone = () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    await waitFor('the old server process to be gone', gone, 10_000);
  });
});
