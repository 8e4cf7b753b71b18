// Inline completions (ghost text). Thin, as Tabby's provider: it keeps only UI state (the
// last result, for the cache) and leaves all model work to the server. Token discipline:
// the cache is checked before the debounce, the token is checked before sending and after
// awaiting, and the token goes with the request so the server stops work on cancel.
import * as vscode from 'vscode';
import { InlineCompletionRequest } from 'vscode-languageclient/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import { isLanguageEnabled, type ClientSettings } from './config';

/** The last completion shown: reused while the user types into it. */
interface CachedCompletion {
  uri: string;
  line: number;
  /** The line's text before the cursor when the completion was made. */
  linePrefix: string;
  insertText: string;
}

export class InlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  private cached: CachedCompletion | undefined;

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly settings: () => ClientSettings,
    private readonly log: (message: string) => void,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const settings = this.settings();
    if (!settings.completionEnabled || !isLanguageEnabled(settings, document.languageId)) return undefined;
    const automatic = context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic;
    const editor = vscode.window.activeTextEditor;
    if (automatic && editor?.document === document && !editor.selection.isEmpty) return undefined;

    if (!context.selectedCompletionInfo) {
      const hit = this.fromCache(document, position);
      if (hit) return [hit];
    }

    if (automatic && settings.debounceMs > 0 && !(await delay(settings.debounceMs, token))) return undefined;
    const client = this.client();
    if (!client || token.isCancellationRequested) return undefined;

    const params = client.code2ProtocolConverter.asInlineCompletionParams(document, position, context);
    let result;
    try {
      result = await client.sendRequest(InlineCompletionRequest.type, params, token);
    } catch (error) {
      if (!token.isCancellationRequested) this.log(`inline completion failed: ${(error as Error).message}`);
      return undefined;
    }
    if (token.isCancellationRequested || !result) return undefined;
    const items = Array.isArray(result) ? result : result.items;
    if (items.length === 0) return undefined;
    const converted = items.map((item) => client.protocol2CodeConverter.asInlineCompletionItem(item));
    this.remember(document, position, converted[0], context);
    return converted;
  }

  /** Drops the cache (model swapped, completions toggled). */
  clear(): void {
    this.cached = undefined;
  }

  private remember(
    document: vscode.TextDocument,
    position: vscode.Position,
    item: vscode.InlineCompletionItem,
    context: vscode.InlineCompletionContext,
  ): void {
    const text = typeof item.insertText === 'string' ? item.insertText : undefined;
    // Only plain insertions at the cursor are reusable as the user types on.
    if (text === undefined || context.selectedCompletionInfo || (item.range && !item.range.isEmpty)) {
      this.cached = undefined;
      return;
    }
    this.cached = {
      uri: document.uri.toString(),
      line: position.line,
      linePrefix: document.lineAt(position.line).text.slice(0, position.character),
      insertText: text,
    };
  }

  /** The rest of the last completion when the user has typed its beginning. */
  private fromCache(document: vscode.TextDocument, position: vscode.Position): vscode.InlineCompletionItem | undefined {
    const c = this.cached;
    if (!c || c.uri !== document.uri.toString() || c.line !== position.line) return undefined;
    const linePrefix = document.lineAt(position.line).text.slice(0, position.character);
    if (!linePrefix.startsWith(c.linePrefix)) return undefined;
    const typed = linePrefix.slice(c.linePrefix.length);
    if (!c.insertText.startsWith(typed) || typed.length >= c.insertText.length) return undefined;
    return new vscode.InlineCompletionItem(c.insertText.slice(typed.length), new vscode.Range(position, position));
  }
}

/** Waits `ms`; false when the token was cancelled first. */
function delay(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  return new Promise((resolve) => {
    if (token.isCancellationRequested) return resolve(false);
    const listener = token.onCancellationRequested(() => {
      clearTimeout(timer);
      listener.dispose();
      resolve(false);
    });
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(true);
    }, ms);
  });
}
