// Completions over LSP: inline completion (with its latency), completion items with
// probabilities, streamed generation, and cancellation of each.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import {
  CompletionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  type InlineCompletionList,
} from 'vscode-languageserver-protocol';
import { GenerateChunkProgress, GenerateRequest, LoadModelRequest, NeighborsRequest } from '../../src/protocol';
import { FIXTURE_TEXT, writeFixtureModel } from './fixtures';
import { startTestServer, type TestServer } from './lspClient';

describe('server: completions', () => {
  let tmp: string;
  let server: TestServer;
  const uri = 'file:///fixture/edit.ts';
  // The document ends inside a function body the fixture has seen 30 times.
  const text = FIXTURE_TEXT + '\nfunction add1(left: number, right: number): number {\n  const total = left + ';
  const lastLine = text.split('\n').length - 1;
  const end = { line: lastLine, character: text.split('\n')[lastLine].length };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-complete-'));
    await writeFixtureModel(path.join(tmp, 'model'));
    server = await startTestServer({ modelPath: path.join(tmp, 'model') });
    await server.waitForStatus((s) => s.state === 'ready');
    await server.open(uri, text);
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const inline = (position = end) =>
    server.connection.sendRequest(InlineCompletionRequest.type, {
      textDocument: { uri },
      position,
      context: { triggerKind: InlineCompletionTriggerKind.Automatic },
    }) as Promise<InlineCompletionList | null>;

  it('completes the rest of the line from the model, and prints its latency', async () => {
    const first = await inline();
    assert.ok(first && first.items.length === 1, `got ${JSON.stringify(first)}`);
    assert.equal(first.items[0].insertText, 'right;', 'single-line: stops before the line break');
    assert.deepEqual(first.items[0].range, { start: end, end });

    // Warm (the document's prefix state is cached): median of repeated requests.
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      await inline();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`inline completion over LSP (fixture n-gram, V small): median ${times[7].toFixed(2)} ms, max ${times[14].toFixed(2)} ms`);
  });

  it('follows incremental edits: typing "ri" completes the word', async () => {
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: end, end }, text: 'ri' }],
    });
    const result = await inline({ line: end.line, character: end.character + 2 });
    assert.equal(result?.items[0].insertText, 'ght;');
    // Undo the edit for the next tests.
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: end, end: { line: end.line, character: end.character + 2 } }, text: '' }],
    });
  });

  it('reads a suggestion selected in the editor as already inserted', async () => {
    const lineStart = { line: end.line, character: end.character - 'left + '.length };
    const result = (await server.connection.sendRequest(InlineCompletionRequest.type, {
      textDocument: { uri },
      position: end,
      context: {
        triggerKind: InlineCompletionTriggerKind.Invoked,
        selectedCompletionInfo: { range: { start: lineStart, end }, text: 'left + ' },
      },
    })) as InlineCompletionList;
    assert.equal(result.items[0].insertText, 'left + right;');
    assert.deepEqual(result.items[0].range, { start: lineStart, end });
  });

  it('follows wordlens settings sent with workspace/didChangeConfiguration (multi-line, max tokens)', async () => {
    const configure = (completion: object) =>
      server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { wordlens: { completion } } });
    await configure({ multiline: true, maxTokens: 12 });
    try {
      const multi = await inline();
      assert.match(multi!.items[0].insertText as string, /^right;\n\s+console/);
      await configure({ multiline: true, maxTokens: 1 });
      assert.equal((await inline())!.items[0].insertText, 'right');
    } finally {
      await configure({ multiline: false, maxTokens: 8 });
    }
    assert.equal((await inline())!.items[0].insertText, 'right;');
  });

  it('offers completion items with probabilities in detail', async () => {
    const list = await server.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: end });
    assert.ok(list && 'items' in list);
    assert.equal(list.items[0].label, 'right');
    assert.match(list.items[0].detail ?? '', /^p = 0\.\d{3}$/);
    assert.ok(Number(list.items[0].detail!.slice(4)) > 0.5);
  });

  it('streams generated text as partial results', async () => {
    const chunks: string[] = [];
    const token = 'gen-1';
    const listener = server.connection.onProgress(GenerateChunkProgress, token, (c) => {
      chunks.push(c.text);
    });
    const result = await server.connection.sendRequest(GenerateRequest, {
      textDocument: { uri },
      position: end,
      partialResultToken: token,
      maxTokens: 30,
      temperature: 0,
    });
    listener.dispose();
    assert.equal(result.cancelled, false);
    assert.ok(result.tokens > 3);
    assert.equal(chunks.join(''), result.text);
    assert.match(result.text, /^right;\n\s+console\.log/);
  });

  it('honours $/cancelRequest: a cancelled request ends with RequestCancelled (or nothing), and the server goes on', async () => {
    let cancelledCount = 0;
    for (let i = 0; i < 20; i++) {
      const source = new CancellationTokenSource();
      const pending = server.connection.sendRequest(
        InlineCompletionRequest.type,
        { textDocument: { uri }, position: end, context: { triggerKind: InlineCompletionTriggerKind.Automatic } },
        source.token,
      );
      source.cancel();
      try {
        const r = await pending;
        assert.ok(r === null || (r as InlineCompletionList).items.length <= 1);
      } catch (error) {
        assert.ok(error instanceof ResponseError);
        assert.equal(error.code, LSPErrorCodes.RequestCancelled);
        cancelledCount++;
      }
    }
    console.log(`cancelled before completing: ${cancelledCount}/20`);
    // A long generation cancelled mid-way returns what it had. At the top level of the file
    // (after a closing brace) nothing stops it before maxTokens but the cancel.
    const topLevel = 'file:///fixture/top.ts';
    await server.open(topLevel, FIXTURE_TEXT);
    const lines = FIXTURE_TEXT.split('\n');
    const source = new CancellationTokenSource();
    const chunks: string[] = [];
    const listener = server.connection.onProgress(GenerateChunkProgress, 'gen-2', (c) => {
      chunks.push(c.text);
      if (chunks.length === 3) source.cancel();
    });
    const result = await server.connection.sendRequest(
      GenerateRequest,
      {
        textDocument: { uri: topLevel },
        position: { line: lines.length - 1, character: 0 },
        partialResultToken: 'gen-2',
        maxTokens: 2000,
        temperature: 0,
      },
      source.token,
    );
    listener.dispose();
    assert.equal(result.cancelled, true);
    assert.ok(result.tokens < 2000, `stopped early: ${result.tokens} tokens`);
    const still = await inline();
    assert.equal(still?.items[0].insertText, 'right;');
    assert.ok((await server.connection.sendRequest(NeighborsRequest, { word: 'number', k: 1 })).known);
  });

  it('a model swapped in during a long generation does not break it (the old model is freed after)', async () => {
    const topLevel = 'file:///fixture/swap.ts';
    await server.open(topLevel, FIXTURE_TEXT);
    let swapped: Promise<unknown> | undefined;
    let chunks = 0;
    const listener = server.connection.onProgress(GenerateChunkProgress, 'gen-swap', () => {
      if (++chunks === 3) swapped = server.connection.sendRequest(LoadModelRequest, { path: path.join(tmp, 'model') });
    });
    const result = await server.connection.sendRequest(GenerateRequest, {
      textDocument: { uri: topLevel },
      position: { line: FIXTURE_TEXT.split('\n').length - 1, character: 0 },
      partialResultToken: 'gen-swap',
      maxTokens: 300,
      temperature: 0,
    });
    listener.dispose();
    assert.ok(swapped, 'the swap was requested mid-way');
    await swapped;
    assert.equal(result.cancelled, false);
    assert.equal(result.tokens, 300);
    assert.equal((await inline())?.items[0].insertText, 'right;');
  });
});

