// The server over stdio with a real JSON-RPC client: start-up, model loading (good and
// corrupt folders), neighbours, next tokens, and malformed params answered with LSP errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCodes, LSPErrorCodes, ResponseError, WorkDoneProgress } from 'vscode-languageserver-protocol';
import {
  AnalogyRequest,
  ExportEmbeddingsRequest,
  ImportVectorsRequest,
  LoadModelRequest,
  NeighborsRequest,
  NextTokensRequest,
  SaveModelRequest,
  ServerStatusRequest,
} from '../../src/protocol';
import { FIXTURE_TEXT, writeFixtureModel } from './fixtures';
import { startTestServer, type TestServer } from './lspClient';

async function rejection(promise: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected a ResponseError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('server: model loading, neighbours, next tokens', () => {
  let tmp: string;
  let modelDir: string;
  let server: TestServer;
  const uri = 'file:///fixture/add.ts';

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-server-'));
    modelDir = path.join(tmp, 'model');
    await writeFixtureModel(modelDir);
    server = await startTestServer({ modelPath: modelDir, storagePath: path.join(tmp, 'storage') });
    await server.open(uri, FIXTURE_TEXT);
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('advertises incremental sync (and didSave, for live learning) and the standard providers', () => {
    const caps = server.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    assert.ok(caps.inlineCompletionProvider);
    assert.ok(caps.completionProvider);
    assert.equal(caps.hoverProvider, true);
  });

  it('loads initializationOptions.modelPath at start and reports ready with the vocabulary size and perplexities', async () => {
    const status = await server.waitForStatus((s) => s.state === 'ready');
    assert.ok(status.vocab! > 10, `vocab ${status.vocab}`);
    assert.equal(status.modelPath, modelDir);
    // The sidebar's Model view shows them: the model's, and its LSTM's and n-gram's alone (meta.json).
    assert.deepEqual([status.ppl, status.pplLstm, status.pplNgram], [3.5, 4.25, 5.5]);
    assert.equal((await server.connection.sendRequest(ServerStatusRequest)).state, 'ready');
  });

  it('answers neighbours with the planted near word first, by the word as the user writes it', async () => {
    const result = await server.connection.sendRequest(NeighborsRequest, { word: 'number', k: 5 });
    assert.equal(result.known, true);
    assert.equal(result.neighbors[0].word, 'total');
    const words = result.neighbors.map((n) => n.word);
    assert.equal(new Set(words).size, words.length, `no duplicates: ${words}`);
    assert.ok(!words.includes('number'), 'the word itself is not its own neighbour');
    assert.ok(result.neighbors[0].score > 0.99, `score ${result.neighbors[0].score}`);
    const unknown = await server.connection.sendRequest(NeighborsRequest, { word: 'zebra' });
    assert.deepEqual(unknown, { word: 'zebra', known: false, neighbors: [] });
  });

  it('takes its own labels back: a newline/indent neighbour shown as ⏎·· can be asked about', async () => {
    const all = await server.connection.sendRequest(NeighborsRequest, { word: 'number', k: 50 });
    const label = all.neighbors.map((n) => n.word).find((w) => w.startsWith('⏎'));
    assert.ok(label, `a newline token among ${all.neighbors.map((n) => n.word).join(' ')}`);
    const walked = await server.connection.sendRequest(NeighborsRequest, { word: label, k: 5 });
    assert.equal(walked.known, true, `${label} is known`);
    assert.ok(!walked.neighbors.some((n) => n.word === label), 'not its own neighbour');
  });

  it('names the unknown words of an analogy', async () => {
    const result = await server.connection.sendRequest(AnalogyRequest, { a: 'left', b: 'zebra', c: 'total' });
    assert.deepEqual(result, { unknown: ['zebra'], results: [] });
  });

  it('gives next-token probabilities at a position, continuing a partial word', async () => {
    // Line 1 is "  const total = left + right;": after "left + " the fixture always has " right".
    const after = await server.connection.sendRequest(NextTokensRequest, {
      textDocument: { uri },
      position: { line: 1, character: '  const total = left + '.length },
      k: 5,
    });
    assert.equal(after.partial, ' ', 'the space is the start of the next code token');
    assert.equal(after.tokens[0].token, 'right');
    assert.equal(after.tokens[0].insertText, 'right');
    assert.ok(after.tokens[0].prob > 0.5, `p = ${after.tokens[0].prob}`);
    const sum = after.tokens.reduce((s, t) => s + t.prob, 0);
    assert.ok(sum <= 1 + 1e-6);

    const partial = await server.connection.sendRequest(NextTokensRequest, {
      textDocument: { uri },
      position: { line: 1, character: '  const total = left + ri'.length },
    });
    assert.equal(partial.partial, ' ri');
    assert.equal(partial.tokens[0].insertText, 'ght');
  });

  it('answers malformed params with InvalidParams naming the field, and keeps serving', async () => {
    const missing = await rejection(server.connection.sendRequest(NeighborsRequest, {} as never));
    assert.equal(missing.code, ErrorCodes.InvalidParams);
    assert.match(missing.message, /"word" must be a non-empty string/);

    const badPosition = await rejection(
      server.connection.sendRequest(NextTokensRequest, { textDocument: { uri }, position: { line: -1, character: 'x' } } as never),
    );
    assert.equal(badPosition.code, ErrorCodes.InvalidParams);
    assert.match(badPosition.message, /"position"/);

    const notObject = await rejection(server.connection.sendRequest(LoadModelRequest.method, 42));
    assert.equal(notObject.code, ErrorCodes.InvalidParams);

    const badMetric = await rejection(server.connection.sendRequest(NeighborsRequest, { word: 'left', metric: 'manhattan' as never }));
    assert.equal(badMetric.code, ErrorCodes.InvalidParams);

    const ok = await server.connection.sendRequest(NeighborsRequest, { word: 'left', k: 1 });
    assert.equal(ok.neighbors.length, 1);
  });

  it('saves a copy of the model atomically, refusing to overwrite a folder that is not a model', async () => {
    const copy = path.join(tmp, 'copy', 'wordlens-model');
    const saved = await server.connection.sendRequest(SaveModelRequest, { path: copy });
    assert.equal(saved.path, copy);
    assert.deepEqual(fs.readdirSync(copy).sort(), fs.readdirSync(modelDir).sort());
    const other = path.join(tmp, 'not-a-model');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
    const error = await rejection(server.connection.sendRequest(SaveModelRequest, { path: other }));
    assert.match(error.message, /not a Wordlens model folder/);
    assert.equal(fs.readFileSync(path.join(other, 'notes.txt'), 'utf8'), 'mine');
  });

  it('exports embeddings as word2vec text and imports them back as a vectors model', async () => {
    const file = path.join(tmp, 'vectors.txt');
    const exported = await server.connection.sendRequest(ExportEmbeddingsRequest, { path: file, format: 'word2vec' });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, exported.words + 1);
    assert.match(lines[0], new RegExp(`^${exported.words} 8$`));
    assert.ok(lines.some((l) => l.startsWith('number ')), 'leading-space tokens are written as plain words');

    const events: { kind: string; percentage?: number }[] = [];
    server.connection.onProgress(WorkDoneProgress.type, 'import-1', (p) => void events.push(p));
    const info = await server.connection.sendRequest(ImportVectorsRequest, { path: file, workDoneToken: 'import-1' });
    assert.equal(info.kind, 'vectors');
    assert.deepEqual([events[0]?.kind, events.at(-1)?.kind], ['begin', 'end'], 'the import reports $/progress on the given token');
    assert.equal(info.canComplete, false);
    const near = await server.connection.sendRequest(NeighborsRequest, { word: 'number', k: 1 });
    assert.equal(near.neighbors[0].word, 'total');
    // Vectors cannot complete: next tokens are empty rather than an error.
    const next = await server.connection.sendRequest(NextTokensRequest, { textDocument: { uri }, position: { line: 1, character: 4 } });
    assert.deepEqual(next.tokens, []);
    // …and the status says so, for the status bar ("ready · V=… · vectors only").
    assert.equal((await server.connection.sendRequest(ServerStatusRequest)).canComplete, false);

    const bad = path.join(tmp, 'bad.vec');
    fs.writeFileSync(bad, '2 3\nalpha 1 2 3\nbeta 1 x 3\n');
    const error = await rejection(server.connection.sendRequest(ImportVectorsRequest, { path: bad }));
    assert.equal(error.code, LSPErrorCodes.RequestFailed);
    assert.match(error.message, /bad\.vec/);
    await server.connection.sendRequest(LoadModelRequest, { path: modelDir });
    assert.equal((await server.connection.sendRequest(ServerStatusRequest)).canComplete, true);
  });

  it('refuses a corrupt model folder with a clear message and keeps the previous model', async () => {
    const corrupt = path.join(tmp, 'corrupt');
    fs.cpSync(modelDir, corrupt, { recursive: true });
    fs.writeFileSync(path.join(corrupt, 'model.json'), '{"modelTopology": ');
    const error = await rejection(server.connection.sendRequest(LoadModelRequest, { path: corrupt }));
    assert.equal(error.code, LSPErrorCodes.RequestFailed);
    assert.match(error.message, /model\.json/);
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace in the message');

    const missing = await rejection(server.connection.sendRequest(LoadModelRequest, { path: path.join(tmp, 'nowhere') }));
    assert.match(missing.message, /no model folder/);

    const status = await server.connection.sendRequest(ServerStatusRequest);
    assert.equal(status.state, 'ready');
    assert.equal(status.modelPath, modelDir);
    const still = await server.connection.sendRequest(NeighborsRequest, { word: 'number', k: 1 });
    assert.equal(still.neighbors[0].word, 'total');
  });
});

describe('server: start-up without a model', () => {
  it('reports state none when the storage folder has no model, and says so for model requests', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-storage-'));
    const server = await startTestServer({ storagePath: storage });
    try {
      const status = await server.waitForStatus(() => true);
      assert.equal(status.state, 'none');
      const error = await rejection(server.connection.sendRequest(NeighborsRequest, { word: 'x' }));
      assert.equal(error.code, LSPErrorCodes.RequestFailed);
      assert.match(error.message, /No model is loaded/);
    } finally {
      await server.stop();
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });
});
