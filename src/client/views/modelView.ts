// The "Model" view of the Wordlens sidebar: what the server serves (state, vocabulary,
// perplexities, backend) and a way to the training curve. Everything shown comes from the
// server's status notifications; the client holds no model. Empty when there is no model,
// so VS Code shows the view's welcome content (Train / Load buttons) instead.
import * as vscode from 'vscode';
import type { ServerStatusParams } from '../../protocol';

export const MODEL_VIEW = 'wordlens.model';

interface Row {
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  command?: vscode.Command;
}

export class ModelView implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private status: ServerStatusParams | undefined;

  update(status: ServerStatusParams): void {
    this.status = status;
    this.changed.fire();
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    item.command = row.command;
    return item;
  }

  getChildren(row?: Row): Row[] {
    return row || !this.status ? [] : modelRows(this.status);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The view's rows for a status; none while there is neither a model nor a training run. */
export function modelRows(s: ServerStatusParams): Row[] {
  if (s.state === 'none' && s.vocab === undefined) return [];
  const stateIcon = { none: 'circle-slash', training: 'loading~spin', ready: 'pass', error: 'error' }[s.state] ?? 'info';
  // The state alone: the vocabulary and perplexity have rows of their own.
  const state = s.state === 'training' ? `training ${Math.floor((s.progress ?? 0) * 100)}%` : s.canComplete === false ? `${s.state} · vectors only` : s.state;
  const rows: Row[] = [{ label: 'State', description: state, tooltip: s.message, icon: stateIcon }];
  if (s.vocab !== undefined) rows.push({ label: 'Vocabulary', description: `${fmt(s.vocab)} words`, icon: 'symbol-text' });
  if (s.ppl !== undefined) {
    rows.push({
      label: 'Perplexity',
      description: s.state === 'training' ? `${fmt(s.ppl)} (training)` : fmt(s.ppl),
      tooltip: 'Validation perplexity (lower is better): how surprised the model is by held-out lines of the workspace.',
      icon: 'graph-line',
    });
  }
  if (s.pplLstm !== undefined) rows.push({ label: 'Perplexity, LSTM alone', description: fmt(s.pplLstm), icon: 'circuit-board' });
  if (s.pplNgram !== undefined) rows.push({ label: 'Perplexity, n-gram alone', description: fmt(s.pplNgram), icon: 'list-ordered' });
  if (s.backend) rows.push({ label: 'Backend', description: s.backend, tooltip: 'TensorFlow.js backend of the server (wordlens.backend)', icon: 'chip' });
  if (s.modelPath) rows.push({ label: 'Folder', description: s.modelPath, tooltip: s.modelPath, icon: 'folder-library' });
  if (s.vocab !== undefined) {
    rows.push({
      label: 'Training curve and map',
      description: 'open',
      tooltip: 'Opens the embedding map; its side panel shows the training curve.',
      icon: 'map',
      command: { command: 'wordlens.openMap', title: 'Open Embedding Map' },
    });
  }
  return rows;
}
