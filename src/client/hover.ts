// Hover on a word: its nearest neighbours in embedding space, with similarity.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { NeighborsRequest } from '../protocol';
import { SHOW_ON_MAP_COMMAND } from './projector';

export class NeighborsHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly enabled: () => boolean,
  ) {}

  async provideHover(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.Hover | undefined> {
    const client = this.client();
    if (!client || !this.enabled()) return undefined;
    const range = document.getWordRangeAtPosition(position);
    if (!range) return undefined;
    const word = document.getText(range);
    try {
      const result = await client.sendRequest(NeighborsRequest, { word, k: 8 }, token);
      if (token.isCancellationRequested || !result.known || result.neighbors.length === 0) return undefined;
      const md = new vscode.MarkdownString(undefined, true);
      // Links in this hover may run our "Show on Map" command and nothing else.
      md.isTrusted = { enabledCommands: [SHOW_ON_MAP_COMMAND] };
      md.appendMarkdown('**Wordlens** — nearest to ');
      md.appendText(word);
      md.appendMarkdown('\n\n');
      for (const n of result.neighbors) {
        md.appendMarkdown('- ');
        md.appendText(n.word);
        md.appendMarkdown(` — ${n.score.toFixed(3)}\n`);
      }
      const args = encodeURIComponent(JSON.stringify([word]));
      md.appendMarkdown(`\n[$(location) Show on Map](command:${SHOW_ON_MAP_COMMAND}?${args} "Show this word on the embedding map")`);
      return new vscode.Hover(md, range);
    } catch {
      return undefined; // no model with embeddings, or cancelled: no hover
    }
  }
}
