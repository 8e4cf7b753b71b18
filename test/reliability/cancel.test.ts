// Cancelling training at random moments (worker start-up, corpus read, LSTM steps, around a
// checkpoint), by wordlens/cancelTraining and by $/cancelRequest: every time, the server
// ends the job, keeps serving the model from before the run or the run's last checkpoint
// (a complete folder on disk), and a new run afterwards trains to the end.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource, InlineCompletionRequest, InlineCompletionTriggerKind, type InlineCompletionList } from 'vscode-languageserver-protocol';
import { CancelTrainingRequest, LoadModelRequest, ServerStatusRequest, TrainRequest, type TrainResult } from '../../src/protocol';
import { startTestServer, type TestServer } from '../server/lspClient';
import { codeWorkspace, FIXTURE_TEXT, sleep, tempDir, writeLstmModel } from './helpers';

const ROUNDS = Number(process.env.WORDLENS_CANCEL_ROUNDS ?? 8);

function createdAt(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { createdAt: string }).createdAt;
}

describe('reliability: cancel training at random points', () => {
  const tmp = tempDir('cancel');
  const storage = path.join(tmp.dir, 'storage');
  const model = path.join(storage, 'model');
  let workspace: string;
  let server: TestServer;
  const uri = 'file:///cancel/typing.ts';
  const text = FIXTURE_TEXT + '\nfunction add1(left: number, right: number): number {\n  const total = left + ';
  const lines = text.split('\n');

  before(async () => {
    workspace = codeWorkspace(path.join(tmp.dir, 'workspace'), 2);
    await writeLstmModel(model, { marker: 'markerBefore' });
    server = await startTestServer({ storagePath: storage });
    await server.waitForStatus((s) => s.state === 'ready');
    await server.open(uri, text);
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  async function completes(): Promise<boolean> {
    const r = (await server.connection.sendRequest(InlineCompletionRequest.type, {
      textDocument: { uri },
      position: { line: lines.length - 1, character: lines[lines.length - 1].length },
      context: { triggerKind: InlineCompletionTriggerKind.Invoked },
    })) as InlineCompletionList | null;
    return r !== null && r.items.length > 0;
  }

  it(`${ROUNDS} cancels: the previous model or the last checkpoint serves; a new run then completes`, async () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const before = createdAt(model);
      const source = new CancellationTokenSource();
      const viaRequest = round % 2 === 0;
      const t0 = Date.now();
      // Epochs without end: the 1-minute budget (longer than the latest cancel, 7 s) stops it, however fast a step is.
      const training = server.connection.sendRequest(TrainRequest, { roots: [workspace], epochs: 100_000, dim: 16, budgetMinutes: 1 }, source.token);
      const delay = Math.floor(rand() * 7000);
      await sleep(delay);
      if (viaRequest) await server.connection.sendRequest(CancelTrainingRequest);
      else source.cancel();
      const result: TrainResult = await training;
      const took = Date.now() - t0;
      assert.equal(result.cancelled, true, `round ${round}: cancelled`);
      const status = await server.connection.sendRequest(ServerStatusRequest);
      assert.equal(status.state, 'ready', `round ${round}: ${JSON.stringify(status)}`);
      assert.ok(await completes(), `round ${round}: completions work`);
      const after = createdAt(model);
      assert.ok(after >= before, 'never an older model');
      // What is on disk is complete and loadable (the server also serves it).
      const info = await server.connection.sendRequest(LoadModelRequest, { path: model });
      assert.ok(info.canComplete);
      assert.deepEqual(fs.readdirSync(storage).filter((n) => n.startsWith('.')), [], 'no temp left behind');
      outcomes.push(`${viaRequest ? 'cancelTraining' : '$/cancelRequest'}@${delay}ms→${took}ms ${after === before ? 'previous' : 'checkpoint'}`);
    }
    // A new run after all the cancels trains to the end and serves.
    const done = await server.connection.sendRequest(TrainRequest, { roots: [workspace], epochs: 2, dim: 16, budgetMinutes: 1 });
    assert.equal(done.cancelled, false);
    assert.ok(await completes());
    console.log(`cancel: ${outcomes.join('; ')}; then a full run: ${done.seconds.toFixed(1)} s, V=${done.vocab}`);
  });

  it('after a cancel, a restart with resume continues the saved LSTM: same vocabulary, starts from its perplexity, never a worse model', async () => {
    type Meta = { createdAt: string; metrics: Record<string, number | string | null | undefined> };
    const readMeta = () => JSON.parse(fs.readFileSync(path.join(model, 'meta.json'), 'utf8')) as Meta;
    // Enough epochs that the saved model is far better than random (ppl well below V).
    const first = await server.connection.sendRequest(TrainRequest, { roots: [workspace], epochs: 30, dim: 16, budgetMinutes: 1 });
    const savedPpl = readMeta().metrics.valid_ppl_lstm;
    assert.equal(typeof savedPpl, 'number', `the first run records its LSTM perplexity: ${JSON.stringify(readMeta().metrics)}`);
    const source = new CancellationTokenSource();
    const cancelled = server.connection.sendRequest(TrainRequest, { roots: [workspace], epochs: 200, dim: 16, budgetMinutes: 1, resume: true }, source.token);
    await sleep(1500);
    source.cancel();
    assert.equal((await cancelled).cancelled, true);
    // Words the saved vocabulary has never seen: a new run would grow V, a resumed one keeps it.
    fs.writeFileSync(path.join(workspace, 'novel.ts'), 'const zebraQuokka = ocelotNarwhal(axolotlTapir);\n'.repeat(20));
    const onDisk = readMeta();
    const onDiskPpl = onDisk.metrics.valid_ppl_lstm;
    assert.equal(typeof onDiskPpl, 'number');
    await server.stop();
    server = await startTestServer({ storagePath: storage });
    await server.waitForStatus((s) => s.state === 'ready');
    await server.open(uri, text);
    const resumed = await server.connection.sendRequest(TrainRequest, { roots: [workspace], epochs: 2, dim: 16, budgetMinutes: 1, resume: true });
    assert.equal(resumed.cancelled, false);
    assert.equal(resumed.vocab, first.vocab, 'the resumed run keeps the saved vocabulary');
    const meta = readMeta();
    // Continuation: the run names the model it continued, and the loaded weights, before any
    // step, score near that model's perplexity (random weights would score about V).
    assert.equal(meta.metrics.resumed_from, onDisk.createdAt, 'meta names the saved model it continued');
    assert.equal(meta.metrics.resumed_from_valid_ppl_lstm, onDiskPpl);
    const start = meta.metrics.resume_start_valid_ppl_lstm;
    assert.equal(typeof start, 'number', `the loaded weights were evaluated: ${JSON.stringify(meta.metrics)}`);
    const V = resumed.vocab;
    assert.ok(
      Math.abs(Math.log((start as number) / (onDiskPpl as number))) < Math.abs(Math.log((start as number) / V)),
      `the resumed run started at ppl ${start}, nearer the saved ${onDiskPpl} than a fresh model's ≈ ${V}`,
    );
    const finalPpl = meta.metrics.valid_ppl_lstm;
    assert.equal(typeof finalPpl, 'number', 'the resumed run records its LSTM perplexity');
    assert.ok((finalPpl as number) <= (savedPpl as number) + 1e-9, `resumed model ${finalPpl} is no worse than ${savedPpl}`);
    assert.ok(await completes());
    const f = (v: unknown) => (v as number).toFixed(1);
    console.log(
      `resume: V=${resumed.vocab} kept after a restart; LSTM valid ppl: first run ${f(savedPpl)}, after the cancelled resume ${f(onDiskPpl)}, ` +
        `resumed run starts at ${f(start)} (fresh ≈ ${V}), ends at ${f(finalPpl)}`,
    );
  });
});
