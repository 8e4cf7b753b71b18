// Crash safety of the model folder: the server process is SIGKILLed while it trains and
// while it saves, and a fresh server on the same storage folder must load a complete model
// every time, never a half-written one. Two injections:
//  1. deterministic: a writer process kills itself at each stage of the atomic folder swap;
//  2. random: 20 SIGKILLs of a real LSP server training over LSP, half of them timed on the
//     first sign of a save in the storage folder, half at a random moment of the run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NeighborsRequest, TrainRequest, type ServerStatusParams } from '../../src/protocol';
import type { SaveStage } from '../../src/engine/io/atomic';
import { assertCompletes, startTestServer, type TestServer } from '../server/lspClient';
import { codeWorkspace, FIXTURE_TEXT, saveTemps, sleep, tempDir, writeLstmModel } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const ROUNDS = Number(process.env.WORDLENS_KILL_ROUNDS ?? 20);

/** Starts a server on `storage`, waits for its start-up status. */
async function freshServer(storage: string): Promise<{ server: TestServer; status: ServerStatusParams }> {
  const server = await startTestServer({ storagePath: storage });
  const status = await server.waitForStatus((s) => s.state !== 'training', 30_000);
  return { server, status };
}

/** The model's createdAt on disk (its identity here), or undefined when the folder is missing. */
function createdAt(dir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { createdAt: string }).createdAt;
  } catch {
    return undefined;
  }
}

/** The serving model completes. */
const checkServes = (server: TestServer, uri: string) =>
  assertCompletes(server, uri, FIXTURE_TEXT + '\nfunction add1(left: number, right: number): number {\n  const total = left + ');

describe('reliability: SIGKILL during saves and training', () => {
  const tmp = tempDir('kill');
  after(() => tmp.cleanup());

  it('a writer killed at each stage of the folder swap leaves the old or the new complete model', async () => {
    const stages: SaveStage[] = ['files-written', 'ready', 'old-moved-aside', 'swapped', 'done'];
    const figures: string[] = [];
    for (const stage of stages) {
      const storage = path.join(tmp.dir, `stage-${stage}`);
      const model = path.join(storage, 'model');
      await writeLstmModel(model, { marker: 'markerOld' });
      // A separate process saves a new model and SIGKILLs itself at `stage`.
      const script = `
        const { setFaultHook } = require(${JSON.stringify(path.join(root, 'src/engine/io/atomic.ts'))});
        const { writeLstmModel } = require(${JSON.stringify(path.join(root, 'test/reliability/helpers.ts'))});
        setFaultHook((s) => { if (s === ${JSON.stringify(stage)}) process.kill(process.pid, 'SIGKILL'); });
        writeLstmModel(${JSON.stringify(model)}, { marker: 'markerNew', seed: 2 }).then(() => process.exit(3));`;
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: 'inherit' });
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      assert.equal(signal, 'SIGKILL', `the writer died at ${stage}`);
      const left = saveTemps(model).map((n) => n.replace(/-\d+-[0-9a-f]+$/, ''));

      const { server, status } = await freshServer(storage);
      try {
        assert.equal(status.state, 'ready', `after a kill at ${stage}: ${JSON.stringify(status)}; stderr ${server.stderr().slice(-500)}`);
        const isNew = (await server.connection.sendRequest(NeighborsRequest, { word: 'markerNew', k: 1 })).known;
        const isOld = (await server.connection.sendRequest(NeighborsRequest, { word: 'markerOld', k: 1 })).known;
        assert.ok(isNew !== isOld, 'exactly one of the two versions');
        // Before the new folder is marked complete (`ready`), only the old one may load.
        if (stage === 'files-written') assert.ok(isOld, 'a partial folder is never picked up');
        if (stage === 'swapped' || stage === 'done' || stage === 'old-moved-aside') assert.ok(isNew, 'the complete new version wins');
        await checkServes(server, `file:///kill/stage-${stage}.ts`);
        assert.deepEqual(saveTemps(model), [], 'leftover temps are cleaned up by the load');
        figures.push(`${stage}: left [${left.join(', ')}] → loaded ${isNew ? 'new' : 'old'}`);
      } finally {
        await server.stop();
      }
    }
    console.log(`kill at save stage:\n  ${figures.join('\n  ')}`);
  });

  describe(`${ROUNDS} random SIGKILLs of a training server`, () => {
    let storage: string;
    let workspace: string;
    before(async () => {
      storage = path.join(tmp.dir, 'storage');
      workspace = codeWorkspace(path.join(tmp.dir, 'workspace'), 2);
      await writeLstmModel(path.join(storage, 'model'), { marker: 'markerInitial' });
    });

    it('a fresh server always loads the last complete model', async () => {
      const model = path.join(storage, 'model');
      const outcomes: string[] = [];
      const saveRounds: { byWatcher: boolean; temps: number }[] = [];
      let { server, status } = await freshServer(storage);
      let seed = 7;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      try {
        for (let round = 0; round < ROUNDS; round++) {
          assert.equal(status.state, 'ready', `round ${round}: ${JSON.stringify(status)}; stderr ${server.stderr().slice(-500)}`);
          await checkServes(server, `file:///kill/round-${round}.ts`);
          const before = createdAt(model);

          const mode = round % 2 === 0 ? 'save' : 'training';
          const started = Date.now();
          const training = server.connection.sendRequest(TrainRequest, { roots: [workspace], epochs: 200, dim: 16, budgetMinutes: 0.5 });
          training.catch(() => undefined); // the connection dies with the process
          // This round's process: a timer that outlives the round must not kill the next server.
          const proc = server.process;
          const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
          let killedBy: 'watcher' | 'timer' | 'backstop' | undefined;
          const kill = (by: 'watcher' | 'timer' | 'backstop') => {
            if (killedBy) return;
            killedBy = by;
            proc.kill('SIGKILL');
          };
          let watcher: fs.FSWatcher | undefined;
          let timer: NodeJS.Timeout | undefined;
          if (mode === 'save') {
            // Kill at the k-th file-system event of the saves (temp folder created, renamed,
            // model moved aside, swapped in, old removed: ~8 per save), so kills land at
            // every stage of the first or second checkpoint save.
            const k = 1 + Math.floor(rand() * 14);
            let seen = 0;
            watcher = fs.watch(storage, (_e, name) => {
              if (name && /^(\.model\.wl-|model$)/.test(String(name)) && ++seen === k) {
                watcher?.close();
                kill('watcher');
              }
            });
            timer = setTimeout(() => kill('backstop'), 20_000); // a round never hangs; counted below
          } else {
            // Anywhere from worker start-up, corpus and n-gram to LSTM steps and checkpoints.
            timer = setTimeout(() => kill('timer'), 300 + Math.floor(rand() * 6000));
          }
          await exited;
          watcher?.close();
          clearTimeout(timer);
          const at = Date.now() - started;
          // What the kill left: the committed version and complete (`ready`/`old`) temps. A
          // `partial` temp's version is not in this set, so loading it would fail the test.
          const temps = saveTemps(model);
          const complete = new Set([before, createdAt(model), ...temps.filter((t) => /wl-(ready|old)-/.test(t)).map((t) => createdAt(path.join(storage, t)))]);
          server.connection.dispose(); // the process is gone: nothing to shut down

          ({ server, status } = await freshServer(storage));
          const loaded = createdAt(model);
          assert.equal(status.state, 'ready', `after the kill of round ${round}: ${JSON.stringify(status)}`);
          assert.ok(loaded !== undefined && complete.has(loaded), `round ${round}: loaded a complete version`);
          assert.ok(loaded! >= before!, `round ${round}: never older than the model before the run`);
          assert.deepEqual(saveTemps(model), [], `round ${round}: temps cleaned`);
          if (mode === 'save') saveRounds.push({ byWatcher: killedBy === 'watcher', temps: temps.length });
          outcomes.push(`${mode}${killedBy === 'backstop' ? '(backstop)' : ''}@${at}ms[${temps.map((t) => t.split('.wl-')[1].split('-')[0]).join(',')}]${loaded === before ? '=' : '+'}`);
        }
        await checkServes(server, 'file:///kill/final.ts');
      } finally {
        await server.stop();
      }
      const newer = outcomes.filter((o) => o.endsWith('+')).length;
      console.log(`kill: ${ROUNDS} SIGKILLs (mode@time[temps left]; '+' a newer checkpoint loaded, '=' the previous model): ${outcomes.join(' ')}`);
      console.log(`kill: ${ROUNDS}/${ROUNDS} restarts loaded a complete model; ${newer} a newer one, ${ROUNDS - newer} the one before the run`);
      const byWatcher = saveRounds.filter((r) => r.byWatcher).length;
      const withTemps = saveRounds.filter((r) => r.temps > 0).length;
      console.log(
        `kill: save-timed rounds: ${byWatcher}/${saveRounds.length} killed by the save watcher (${saveRounds.length - byWatcher} by the 20 s backstop); ` +
          `${withTemps}/${saveRounds.length} left save temps behind`,
      );
      // The save-timed rounds only test crash safety if the kill really landed in a save.
      assert.ok(byWatcher >= Math.ceil(saveRounds.length * 0.8), `${byWatcher} of ${saveRounds.length} save-timed kills came from the watcher`);
      assert.ok(withTemps >= 1, 'at least one kill left save temps (a save interrupted mid-way)');
    });
  });
});
