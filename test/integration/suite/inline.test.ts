// Inline completions as the user meets them in a real editor: ghost text asked for by VS Code
// itself (explicit trigger and typing), accepted word by word, switched off per language,
// debounced while typing, continued from the provider's cache, and extending the item
// selected in the suggest widget. VS Code 1.100 has no `vscode.executeInlineCompletionItemProvider`
// command and no way to read ghost text, so the tests watch two things: the registered
// provider's calls (what VS Code asked for, what it got) and the language client's
// `textDocument/inlineCompletion` requests (what reached the server); the ghost text itself is
// observed by accepting it into the document.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { activateWordlens, extensionId, fixtureCode, removeTemp, sleep, tempCorpus, waitFor } from './setup';

interface Client {
  sendRequest(type: unknown, ...rest: unknown[]): Promise<unknown>;
}
interface Api {
  ready: Promise<Client>;
  statusText(): string;
  inlineProvider: vscode.InlineCompletionItemProvider;
}

/** One call VS Code made to the Wordlens inline provider. */
interface ProviderCall {
  linePrefix: string;
  kind: vscode.InlineCompletionTriggerKind;
  selected?: { text: string; range: vscode.Range };
  /** The token was cancelled (VS Code moved on) before the provider answered. */
  cancelled: boolean;
  startedAt: number;
  /** When VS Code cancelled the call's token. */
  cancelledAt?: number;
  /** When this call's request went to the server (the request carries the call's token). */
  sentAt?: number;
  token: vscode.CancellationToken;
  /** Set when the provider answered: the items' insert texts and ranges. */
  items?: { text: string; range?: vscode.Range }[];
}



/** Records the calls VS Code makes to the registered provider (same object, own-property wrapper). */
function spyOnProvider(provider: vscode.InlineCompletionItemProvider): { calls: ProviderCall[]; restore(): void } {
  const original = provider.provideInlineCompletionItems;
  const calls: ProviderCall[] = [];
  provider.provideInlineCompletionItems = async (document, position, context, token) => {
    const call: ProviderCall = {
      linePrefix: document.lineAt(position.line).text.slice(0, position.character),
      kind: context.triggerKind,
      selected: context.selectedCompletionInfo && { text: context.selectedCompletionInfo.text, range: context.selectedCompletionInfo.range },
      cancelled: false,
      startedAt: Date.now(),
      token,
    };
    token.onCancellationRequested(() => (call.cancelledAt ??= Date.now()));
    calls.push(call);
    const result = await original.call(provider, document, position, context, token);
    call.cancelled = token.isCancellationRequested;
    const items = Array.isArray(result) ? result : (result?.items ?? []);
    call.items = items.map((i) => ({ text: typeof i.insertText === 'string' ? i.insertText : i.insertText.value, range: i.range as vscode.Range | undefined }));
    return result;
  };
  return { calls, restore: () => delete (provider as Partial<vscode.InlineCompletionItemProvider>).provideInlineCompletionItems };
}

/** Counts the inline completion requests the language client sends to the server, and marks the provider call each belongs to. */
function spyOnRequests(client: Client, calls: ProviderCall[]): { count(): number; restore(): void } {
  const original = client.sendRequest;
  let sent = 0;
  client.sendRequest = function (this: Client, type: unknown, ...rest: unknown[]) {
    const method = typeof type === 'string' ? type : (type as { method?: string }).method;
    if (method === 'textDocument/inlineCompletion') {
      sent++;
      const call = calls.find((c) => c.token === rest[1]);
      if (call) call.sentAt = Date.now();
    }
    return original.call(this, type, ...rest);
  };
  return { count: () => sent, restore: () => delete (client as Partial<Client>).sendRequest };
}

async function setWordlens(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('wordlens').update(key, value, vscode.ConfigurationTarget.Global);
  // The extension reads its settings in onDidChangeConfiguration; wait until the change is visible.
  await waitFor(`wordlens.${key} = ${JSON.stringify(value)}`, () => {
    const inspected = vscode.workspace.getConfiguration('wordlens').inspect(key);
    return JSON.stringify(inspected?.globalValue) === JSON.stringify(value);
  });
}

const CODE = fixtureCode(40);
const OPEN_FUNCTION = '\nfunction add1(left: number, right: number): number {\n';

suite('inline completions in the editor', function () {
  this.timeout(180_000);
  let api: Api;
  let client: Client;
  let tmp: string;
  let provider: ReturnType<typeof spyOnProvider>;
  let requests: ReturnType<typeof spyOnRequests>;
  const figures: string[] = [];

  suiteSetup(async () => {
    if (extensionId !== 'wordlens.wordlens') this.ctx.skip?.();
    api = await activateWordlens<Api>();
    client = await api.ready;
    tmp = tempCorpus('wordlens-inline-', { 'add.ts': CODE });
    await client.sendRequest('wordlens/train', {
      roots: [path.join(tmp, 'corpus')],
      outDir: path.join(tmp, 'model'),
      epochs: 1,
      dim: 16,
      budgetMinutes: 0.5,
    });
    await waitFor('a ready model', () => /ready · V=/.test(api.statusText()), 60_000);
    provider = spyOnProvider(api.inlineProvider);
    requests = spyOnRequests(client, provider.calls);
    // Word suggestions popping up while a test types (sooner or later, with the machine's load)
    // would select an item and turn the call into a selectedCompletionInfo one, which rightly
    // skips the cache and replaces the typed word: only the test that wants the widget opens it.
    await vscode.workspace.getConfiguration('editor').update('quickSuggestions', { other: 'off', comments: 'off', strings: 'off' }, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('editor').update('suggestOnTriggerCharacters', false, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('editor').update('quickSuggestions', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('editor').update('suggestOnTriggerCharacters', undefined, vscode.ConfigurationTarget.Global);
    provider?.restore();
    requests?.restore();
    for (const key of ['completion.debounceMs', 'completion.languages']) {
      await vscode.workspace.getConfiguration('wordlens').update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    removeTemp(tmp);
    if (figures.length) console.log(`inline figures: ${figures.join('; ')}`);
  });

  teardown(async () => {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
    await vscode.commands.executeCommand('hideSuggestWidget');
    for (const key of ['completion.debounceMs', 'completion.languages']) {
      await vscode.workspace.getConfiguration('wordlens').update(key, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  /** A new untitled editor with the cursor at the end of `content`. */
  async function editorAtEnd(language: string, content: string): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument({ language, content });
    const editor = await vscode.window.showTextDocument(document);
    const end = document.lineAt(document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    return editor;
  }

  const lastLine = (editor: vscode.TextEditor) => editor.document.lineAt(editor.document.lineCount - 1).text;

  /** The first answered call after index `from` that has items. */
  const answered = (from: number) => () => provider.calls.slice(from).find((c) => c.items && c.items.length > 0);

  /**
   * Runs an accept command until the document changes: the ghost text is drawn a moment after
   * the provider answers, and an accept command without ghost text does nothing. Each try waits
   * long enough for its edit to arrive, so a slow edit is not accepted twice.
   */
  async function acceptUntilChanged(editor: vscode.TextEditor, command: string): Promise<string> {
    const before = editor.document.getText();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await vscode.commands.executeCommand(command);
      const tryUntil = Date.now() + 1000;
      while (Date.now() < tryUntil) {
        if (editor.document.getText() !== before) return lastLine(editor);
        await sleep(50);
      }
    }
    throw new Error(`${command} changed nothing within 20 s (no ghost text?)`);
  }

  async function type(text: string): Promise<void> {
    for (const ch of text) await vscode.commands.executeCommand('type', { text: ch });
  }

  test('Accept Next Word inserts only the first word of the ghost text; Accept inserts the rest', async () => {
    const prefix = '  const total = ';
    const editor = await editorAtEnd('typescript', CODE + OPEN_FUNCTION + prefix);
    const from = provider.calls.length;
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const call = await waitFor('the provider to answer the explicit trigger', answered(from));
    assert.equal(call.kind, vscode.InlineCompletionTriggerKind.Invoke);
    const suggestion = call.items![0].text;
    // The test needs a suggestion of several words that begins with a word.
    assert.match(suggestion, /^\w+\W+\w/, `suggestion: ${JSON.stringify(suggestion)}`);
    const firstWord = /^\w+/.exec(suggestion)![0];
    figures.push(`suggestion after ${JSON.stringify(prefix)}: ${JSON.stringify(suggestion)}`);

    assert.equal(await acceptUntilChanged(editor, 'editor.action.inlineSuggest.acceptNextWord'), prefix + firstWord);
    assert.equal(await acceptUntilChanged(editor, 'editor.action.inlineSuggest.commit'), prefix + suggestion);
  });

  test('a language switched off in wordlens.completion.languages gets no ghost text and sends no request; switched back on, it does', async () => {
    const prefix = '  const total = ';
    const content = CODE + OPEN_FUNCTION + prefix;
    await setWordlens('completion.languages', { '*': true, typescript: false });
    const editor = await editorAtEnd('typescript', content);
    const from = provider.calls.length;
    const sentBefore = requests.count();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await waitFor('VS Code to ask the provider', () => provider.calls.slice(from).some((c) => c.items));
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    await sleep(500);
    assert.deepEqual(
      provider.calls.slice(from).map((c) => c.items?.length),
      provider.calls.slice(from).map(() => 0),
      'the provider answered nothing',
    );
    assert.equal(requests.count(), sentBefore, 'no request reached the server');
    assert.equal(editor.document.getText(), content, 'there was no ghost text to accept');

    // Another language in the same configuration is still served.
    await editorAtEnd('plaintext', content);
    const fromPlain = provider.calls.length;
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await waitFor('an item for plaintext', answered(fromPlain));
    assert.ok(requests.count() > sentBefore);

    await setWordlens('completion.languages', undefined);
    await vscode.window.showTextDocument(editor.document);
    const again = provider.calls.length;
    const sentAgain = requests.count();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const call = await waitFor('an item once typescript is back on', answered(again));
    assert.equal(requests.count(), sentAgain + 1);
    assert.equal(await acceptUntilChanged(editor, 'editor.action.inlineSuggest.commit'), prefix + call.items![0].text);
  });

  test('with a long debounce, a keystroke cancels the earlier automatic request before it reaches the server, then the cache continues a shown completion without a request', async () => {
    const debounceMs = 1500;
    await setWordlens('completion.debounceMs', debounceMs);
    const prefix = '  const total = ';
    const typed = 'left + ';
    const editor = await editorAtEnd('typescript', CODE + OPEN_FUNCTION + prefix);
    const from = provider.calls.length;
    const sentBefore = requests.count();
    const started = Date.now();
    // Keystrokes 200 ms apart: more than VS Code's own 50 ms debounce, so it asks the provider for most of them.
    for (const ch of typed) {
      await type(ch);
      await sleep(200);
    }
    const typingMs = Date.now() - started;
    const call = await waitFor(
      'the completion after typing stopped',
      () => provider.calls.slice(from).find((c) => c.linePrefix === prefix + typed && c.items && c.items.length > 0),
      30_000,
    );
    await waitFor('every call to settle', () => provider.calls.slice(from).every((c) => c.items));
    const calls = provider.calls.slice(from);
    const sent = requests.count() - sentBefore;
    const cancelledEarly = calls.filter((c) => c.cancelledAt !== undefined && c.cancelledAt - c.startedAt < debounceMs - 100);
    figures.push(
      `debounce ${debounceMs} ms: ${typed.length} keystrokes in ${typingMs} ms → ${calls.length} provider calls, ` +
        `${cancelledEarly.length} cancelled within the debounce, ${sent} server request(s), ` +
        (call.sentAt !== undefined ? `its request ${call.sentAt - call.startedAt} ms after its call started` : 'answered without a request'),
    );
    assert.ok(calls.every((c) => c.kind === vscode.InlineCompletionTriggerKind.Automatic));
    // The logic, not the speed (load only lengthens the waits): a request goes only after its
    // call waited the debounce, and a call cancelled within the debounce sends nothing.
    for (const c of calls.filter((c) => c.sentAt !== undefined)) {
      assert.ok(c.sentAt! - c.startedAt >= debounceMs - 20, `the request for ${JSON.stringify(c.linePrefix)} went ${c.sentAt! - c.startedAt} ms after its call`);
    }
    assert.ok(cancelledEarly.length >= 2, `VS Code cancelled ${cancelledEarly.length} of ${calls.length} calls within the debounce`);
    for (const c of cancelledEarly) assert.equal(c.sentAt, undefined, `the call at ${JSON.stringify(c.linePrefix)} was cancelled after ${c.cancelledAt! - c.startedAt} ms yet sent a request`);
    assert.ok(sent >= 1 && sent < typed.length, `${sent} requests for ${typed.length} keystrokes`);
    const suggestion = call.items![0].text;
    assert.ok(suggestion.length >= 2, `suggestion: ${JSON.stringify(suggestion)}`);

    // Typing the suggestion's first character: the provider answers the rest from its cache,
    // before the debounce, so no request goes to the server.
    const beforeTyping = provider.calls.length;
    const sentBeforeTyping = requests.count();
    await type(suggestion[0]);
    // The call for the line with that character (VS Code may still ask about the line before it).
    const cached = await waitFor(
      'the provider to answer after typing into the ghost text',
      () => provider.calls.slice(beforeTyping).find((c) => c.linePrefix === prefix + typed + suggestion[0] && c.items && c.items.length > 0),
      10_000,
    );
    const since = JSON.stringify(provider.calls.slice(beforeTyping).map((c) => ({ line: c.linePrefix, items: c.items?.map((i) => i.text), sent: c.sentAt !== undefined, selected: c.selected?.text })));
    assert.equal(cached.items![0].text, suggestion.slice(1), `calls since typing: ${since}`);
    assert.equal(requests.count(), sentBeforeTyping, 'the cache answered: no request to the server');
    assert.equal(await acceptUntilChanged(editor, 'editor.action.inlineSuggest.commit'), prefix + typed + suggestion);
  });

  test('with an item selected in the suggest widget, the ghost text extends that item', async () => {
    // plaintext: the suggest widget offers the document's words at once (no language server to wait for).
    const prefix = '  const total = le';
    const editor = await editorAtEnd('plaintext', CODE + OPEN_FUNCTION + prefix);
    const from = provider.calls.length;
    await vscode.commands.executeCommand('editor.action.triggerSuggest');
    const call = await waitFor(
      'a provider call with the selected suggestion',
      () => provider.calls.slice(from).find((c) => c.selected && c.items && c.items.length > 0),
      20_000,
    );
    const selected = call.selected!;
    figures.push(`selected ${JSON.stringify(selected.text)} → ghost text ${JSON.stringify(call.items![0].text)}`);
    assert.ok(call.items![0].text.startsWith(selected.text), `${JSON.stringify(call.items![0].text)} extends ${JSON.stringify(selected.text)}`);
    assert.ok(call.items![0].text.length > selected.text.length);
    assert.ok(call.items![0].range?.isEqual(selected.range), 'the item replaces what the suggestion replaces');
    // Accepting takes the selected item and the ghost text after it.
    assert.equal(await acceptUntilChanged(editor, 'editor.action.inlineSuggest.commit'), '  const total = ' + call.items![0].text);
  });
});
