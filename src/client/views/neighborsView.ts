// The "Neighbours" view of the Wordlens sidebar: the nearest words, in the model's embedding
// space, to the word at the cursor; it follows the cursor while the view is visible. A click
// shows the neighbour on the embedding map. The server answers (wordlens/neighbors); the
// client only asks.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { NeighborsRequest, type Neighbor } from '../../protocol';
import { SHOW_ON_MAP_COMMAND } from '../projector';

export const NEIGHBORS_VIEW = 'wordlens.neighbors';
const K = 15;
// Moving the cursor through a word fires many selection events: ask once it rests.
const FOLLOW_DELAY_MS = 200;

export class NeighborsView implements vscode.TreeDataProvider<Neighbor>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Neighbor>;
  private readonly disposables: vscode.Disposable[] = [];
  private neighbors: Neighbor[] = [];
  private word: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.view = vscode.window.createTreeView(NEIGHBORS_VIEW, { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(
      this.view,
      this.changed,
      vscode.window.onDidChangeTextEditorSelection((e) => this.schedule(e.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((e) => this.schedule(e)),
      this.view.onDidChangeVisibility((e) => e.visible && this.schedule(vscode.window.activeTextEditor, true)),
    );
  }

  /** The model changed: the same word may have other neighbours now. */
  refresh(): void {
    this.schedule(vscode.window.activeTextEditor, true);
  }

  getTreeItem(n: Neighbor): vscode.TreeItem {
    const item = new vscode.TreeItem(n.word, vscode.TreeItemCollapsibleState.None);
    item.description = n.score.toFixed(3);
    item.tooltip = `${n.word} — similarity ${n.score.toFixed(3)} to "${this.word}". Click to show it on the map.`;
    item.iconPath = new vscode.ThemeIcon('symbol-text');
    item.command = { command: SHOW_ON_MAP_COMMAND, title: 'Show Word on Map', arguments: [n.word] };
    return item;
  }

  getChildren(parent?: Neighbor): Neighbor[] {
    return parent ? [] : this.neighbors;
  }

  private schedule(editor: vscode.TextEditor | undefined, force = false): void {
    if (!this.view.visible || !editor) return;
    const range = editor.document.getWordRangeAtPosition(editor.selection.active);
    const word = range && editor.document.getText(range);
    if (!word || (word === this.word && !force)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.show(word), FOLLOW_DELAY_MS);
  }

  private async show(word: string): Promise<void> {
    const client = this.client();
    if (!client) return;
    const seq = ++this.seq;
    let neighbors: Neighbor[] = [];
    let message: string | undefined;
    try {
      const result = await client.sendRequest(NeighborsRequest, { word, k: K });
      if (!result.known) message = `"${word}" is not in the model's vocabulary.`;
      neighbors = result.neighbors;
    } catch (error) {
      message = (error as Error).message;
    }
    if (seq !== this.seq) return; // the cursor moved on meanwhile
    this.word = word;
    this.neighbors = neighbors;
    this.view.description = word;
    this.view.message = message;
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
