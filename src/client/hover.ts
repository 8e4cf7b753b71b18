// Hover on a word: its nearest neighbours in embedding space, with similarity.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { NeighborsRequest } from '../protocol';

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
      md.appendMarkdown('**Wordlens** — nearest to ');
      md.appendText(word);
      md.appendMarkdown('\n\n');
      for (const n of result.neighbors) {
        md.appendMarkdown('- ');
        md.appendText(n.word);
        md.appendMarkdown(` — ${n.score.toFixed(3)}\n`);
      }
      return new vscode.Hover(md, range);
    } catch {
      return undefined; // no model with embeddings, or cancelled: no hover
    }
  }
}
