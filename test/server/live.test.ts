// Live learning over LSP: a first training serves its n-gram within seconds (status
// "n-gram · LSTM training", completions, and hover/neighbours saying why they wait), and a
// document edited over didChange is learnt from at once: after `const frobnicateWidget = 1;`
// is typed, `frob` completes to `nicateWidget` (an identifier the training never saw).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DidChangeTextDocumentNotification,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  type InlineCompletionList,
  type Position,
} from 'vscode-languageserver-protocol';
import { CancelTrainingRequest, NeighborsRequest, TrainRequest } from '../../src/protocol';
import { startTestServer, type TestServer } from './lspClient';

const ROOT = path.resolve(__dirname, '..', '..');

describe('server: live learning', () => {
  let tmp: string;
  let workspace: string;
  let server: TestServer;
  let uri: string;
  let version = 1;
  let text = "import * as path from 'node:path';\n\nexport function start(): void {\n  const ";

  const endOf = (t: string): Position => {
    const lines = t.split('\n');
    return { line: lines.length - 1, character: lines[lines.length - 1].length };
  };
  const inline = async (): Promise<string> => {
    const r = (await server.connection.sendRequest(InlineCompletionRequest.type, {
      textDocument: { uri },
      position: endOf(text),
      context: { triggerKind: InlineCompletionTriggerKind.Automatic },
    })) as InlineCompletionList | null;
    const insert = r?.items[0]?.insertText ?? '';
    return typeof insert === 'string' ? insert : insert.value;
  };
  /** Appends `typed` at the end of the document, as an editor's didChange does. */
  const type = async (typed: string) => {
    const end = endOf(text);
    text += typed;
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: end, end }, text: typed }],
    });
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-live-'));
    workspace = path.join(tmp, 'workspace');
    // Real code to learn from: this repository's server and client sources.
    for (const dir of ['src/server', 'src/server/handlers', 'src/client']) {
      fs.mkdirSync(path.join(workspace, dir), { recursive: true });
      for (const f of fs.readdirSync(path.join(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
        fs.copyFileSync(path.join(ROOT, dir, f), path.join(workspace, dir, f));
      }
    }
    uri = pathToFileURL(path.join(workspace, 'scratch.ts')).href;
    server = await startTestServer({ storagePath: path.join(tmp, 'storage') });
    await server.waitForStatus((s) => s.state === 'none');
    await server.open(uri, text);
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves the n-gram while the LSTM trains, then learns an edit over didChange (frob -> nicateWidget)', async () => {
    const t0 = performance.now();
    const training = server.connection.sendRequest(TrainRequest, { roots: [workspace], budgetMinutes: 2, dim: 16 });
    // The first ghost text comes from the n-gram, long before the LSTM's budget is spent.
    let first = '';
    while (!first) {
      first = await inline();
      if (!first) await new Promise((r) => setTimeout(r, 50));
      assert.ok(performance.now() - t0 < 60_000, 'no ghost text within 60 s of wordlens/train');
    }
    const firstMs = performance.now() - t0;
    console.log(`# first ghost text ${firstMs.toFixed(0)} ms after wordlens/train (n-gram serving; corpus ${fs.readdirSync(path.join(workspace, 'src/server')).length} + more files): ${JSON.stringify(first)}`);
    const status = await server.waitForStatus((s) => s.state === 'training' && s.serving === 'n-gram');
    assert.equal(status.canComplete, true);
    // No embeddings yet: the neighbours request says why (the map and hover wait too).
    await assert.rejects(server.connection.sendRequest(NeighborsRequest, { word: 'path' }), /No embeddings yet/);

    // The user defines an identifier the training never saw, then starts typing it again.
    await type('frobnicateWidget = 1;\n  ');
    const t1 = performance.now();
    await type('frob');
    const completion = await inline();
    const editMs = performance.now() - t1;
    console.log(`# didChange -> completion reflecting the edit: ${editMs.toFixed(1)} ms (${JSON.stringify(completion)})`);
    assert.ok(completion.startsWith('nicateWidget'), `frob completes to ${JSON.stringify(completion)}`);

    assert.deepEqual(await server.connection.sendRequest(CancelTrainingRequest), { cancelled: true });
    const result = await training;
    assert.equal(result.cancelled, true);
    // Stopped early: the n-gram keeps serving (or the LSTM's checkpoint, if one was saved), and the edit is still learnt.
    const ready = await server.waitForStatus((s) => s.state === 'ready');
    assert.ok(ready.serving === 'n-gram' || ready.serving === 'LSTM + n-gram', `serving ${ready.serving}`);
    await type('nicateWidget;\n  frob');
    const again = await inline();
    assert.ok(again.startsWith('nicateWidget'), `after the swap, frob completes to ${JSON.stringify(again)}`);
  });

  it('offers an identifier defined far above the cursor in an opened file (the recent-files cache)', async () => {
    const far = pathToFileURL(path.join(workspace, 'far.ts')).href;
    const filler = Array.from({ length: 60 }, (_, i) => `  const value${i % 7} = path.join('a', 'b');`).join('\n');
    // Opened as saved, then the user types at its end.
    const opened = `export const frobzleGadget = 1;\n\nexport function run(): void {\n${filler}\n`;
    await server.open(far, opened);
    const at = endOf(opened);
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: far, version: 2 },
      contentChanges: [{ range: { start: at, end: at }, text: '  frobz' }],
    });
    const r = (await server.connection.sendRequest(InlineCompletionRequest.type, {
      textDocument: { uri: far },
      position: endOf(opened + '  frobz'),
      context: { triggerKind: InlineCompletionTriggerKind.Automatic },
    })) as InlineCompletionList | null;
    const insert = r?.items[0]?.insertText ?? '';
    const got = typeof insert === 'string' ? insert : insert.value;
    assert.match(got, /^leGadget/, `60 lines up (outside the 24-line window the document cache reads): got ${JSON.stringify(got)}`);
  });
});
