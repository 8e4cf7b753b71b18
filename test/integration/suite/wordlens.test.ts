// Wordlens in a real VS Code: palette commands, the status bar following the server, and the
// inline completion provider answering from a model trained through the server.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { activateWordlens, extensionId, fixtureCode, removeTemp, sleep, tempCorpus, waitFor } from './setup';

interface Api {
  ready: Promise<{ sendRequest(method: string, params?: unknown): Promise<unknown> }>;
  statusText(): string;
  inlineProvider: vscode.InlineCompletionItemProvider;
}



const CODE = fixtureCode(40);

suite('wordlens', function () {
  this.timeout(120_000);
  let api: Api;
  let tmp: string;

  suiteSetup(async () => {
    if (extensionId !== 'wordlens.wordlens') this.ctx.skip?.();
    api = await activateWordlens<Api>();
    tmp = tempCorpus('wordlens-integration-', { 'add.ts': CODE });
  });

  suiteTeardown(() => removeTemp(tmp));

  test('the palette titles are the documented ones, under "Wordlens:"', async () => {
    const commands: { command: string; title: string; category?: string }[] =
      vscode.extensions.getExtension(extensionId)!.packageJSON.contributes.commands;
    const titles = commands.map((c) => `${c.category}: ${c.title}`);
    for (const title of [
      'Wordlens: Train on Workspace',
      'Wordlens: Cancel Training',
      'Wordlens: Load Model…',
      'Wordlens: Import Vectors…',
      'Wordlens: Export Embeddings…',
      'Wordlens: Show Neighbours of Word at Cursor',
      'Wordlens: Analogy…',
      'Wordlens: Show Next-Token Distribution',
      'Wordlens: Generate Text',
      'Wordlens: Toggle Inline Completions',
      'Wordlens: Open Embedding Map',
    ]) {
      assert.ok(titles.includes(title), `missing ${title}`);
    }
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of commands) assert.ok(registered.has(c.command), `${c.command} is not registered`);
  });

  test('the status bar follows the server: no model, training with progress, then ready with V', async () => {
    await waitFor('a first status', () => !/starting/.test(api.statusText()));
    assert.match(api.statusText(), /Wordlens: (none|ready)/);

    const seen = new Set<string>();
    const watching = setInterval(() => seen.add(api.statusText()), 20);
    const client = await api.ready;
    const result = (await client.sendRequest('wordlens/train', {
      roots: [path.join(tmp, 'corpus')],
      outDir: path.join(tmp, 'model'),
      epochs: 1,
      dim: 16,
      budgetMinutes: 0.5,
    })) as { vocab: number; cancelled: boolean };
    await waitFor('ready status', () => /ready · V=/.test(api.statusText()), 30_000);
    clearInterval(watching);
    assert.equal(result.cancelled, false);
    assert.ok([...seen].some((t) => /Wordlens: (.+ · )?(LSTM )?training \d+%/.test(t)), `saw: ${[...seen].join(' | ')}`);
    assert.match(api.statusText(), new RegExp(`ready · V=${result.vocab.toLocaleString('en-US')}`));
  });

  test('the inline provider returns the model\'s continuation, and nothing when toggled off', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'typescript',
      content: CODE + '\nfunction add1(left: number, right: number): number {\n  const total = left + ',
    });
    await vscode.window.showTextDocument(document);
    const end = document.lineAt(document.lineCount - 1).range.end;
    const context: vscode.InlineCompletionContext = {
      triggerKind: vscode.InlineCompletionTriggerKind.Invoke,
      selectedCompletionInfo: undefined,
    };
    const ask = () =>
      Promise.resolve(api.inlineProvider.provideInlineCompletionItems(document, end, context, new vscode.CancellationTokenSource().token));
    const result = await ask();
    const items = Array.isArray(result) ? result : result?.items ?? [];
    assert.equal(items.length, 1);
    assert.equal(items[0].insertText, 'right;');

    await vscode.commands.executeCommand('wordlens.toggleInlineCompletions');
    try {
      await waitFor('completions off', () => /eye-closed/.test(api.statusText()), 5_000);
      assert.equal(await ask(), undefined);
    } finally {
      await vscode.commands.executeCommand('wordlens.toggleInlineCompletions');
    }
    await waitFor('completions on', () => !/eye-closed/.test(api.statusText()), 5_000);
    const again = await ask();
    assert.ok(again && (Array.isArray(again) ? again : again.items).length === 1);
  });

  test('hovering a word shows its nearest neighbours from the model', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content: 'const total = left + right;\n' });
    const hovers = (await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      document.uri,
      new vscode.Position(0, 8),
    )) as vscode.Hover[];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Wordlens.*nearest to/);
    assert.match(text, /— -?\d\.\d{3}/, 'each neighbour has a similarity');
  });

  test('Generate Text streams the model\'s text into the editor at the cursor', async () => {
    const content = CODE + '\n';
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content });
    const editor = await vscode.window.showTextDocument(document);
    const end = document.lineAt(document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    await vscode.commands.executeCommand('wordlens.generate');
    const added = document.getText().slice(content.length);
    assert.ok(added.length > 20, `generated: ${JSON.stringify(added)}`);
    assert.match(added, /function|total|left|right/);
  });

  test('Show Next-Token Distribution offers the next tokens; picking the top one inserts it', async () => {
    const content = CODE + '\nfunction add1(left: number, right: number): number {\n  const total = left + ';
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content });
    const editor = await vscode.window.showTextDocument(document);
    const end = document.lineAt(document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const shown = vscode.commands.executeCommand('wordlens.showNextTokens');
    await sleep(1500); // the QuickPick opens once the server answered
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await shown;
    assert.equal(document.lineAt(document.lineCount - 1).text, '  const total = left + right');
  });

  test('a cancelled token gets no item and no error', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content: CODE + '\nconst x = left + ' });
    const source = new vscode.CancellationTokenSource();
    source.cancel();
    const end = document.lineAt(document.lineCount - 1).range.end;
    const result = await api.inlineProvider.provideInlineCompletionItems(
      document,
      end,
      { triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined },
      source.token,
    );
    assert.equal(result, undefined);
  });

  test('imported vectors show as "vectors only" in the status bar, and completions return with a language model', async () => {
    const client = await api.ready;
    const vec = path.join(tmp, 'words.vec');
    fs.writeFileSync(vec, '3 2\nleft 1 0\nright 0.9 0.1\ntotal 0 1\n');
    await client.sendRequest('wordlens/importVectors', { path: vec });
    await waitFor('vectors-only status', () => /ready · V=4 · vectors only/.test(api.statusText()), 10_000);
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content: CODE + '\nconst x = left + ' });
    const ask = () =>
      api.inlineProvider.provideInlineCompletionItems(
        document,
        document.lineAt(document.lineCount - 1).range.end,
        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined },
        new vscode.CancellationTokenSource().token,
      );
    assert.equal(await ask(), undefined, 'vectors cannot complete');
    await client.sendRequest('wordlens/loadModel', { path: path.join(tmp, 'model') });
    await waitFor('a language model again', () => /ready · V=[\d,]+$/.test(api.statusText()), 10_000);
    const items = await ask();
    assert.ok(items && (Array.isArray(items) ? items : items.items).length > 0, 'completions are back');
  });
});
