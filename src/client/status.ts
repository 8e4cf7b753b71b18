// The status bar item: model state at a glance (none / training 37% · ppl 180 /
// n-gram · LSTM training 40% / ready · V=12,950); a click opens the quick menu.
import * as vscode from 'vscode';
import type { ServerStatusParams } from '../protocol';

export const MENU_COMMAND = 'wordlens.showMenu';

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('wordlens.status', vscode.StatusBarAlignment.Right, 100);
  private last: ServerStatusParams = { state: 'none' };
  private completionsOn = true;
  private starting = true;

  constructor() {
    this.item.name = 'Wordlens';
    this.item.command = MENU_COMMAND;
    this.render();
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  get status(): ServerStatusParams {
    return this.last;
  }

  update(status: ServerStatusParams): void {
    this.last = status;
    this.starting = false;
    this.render();
  }

  setCompletionsEnabled(on: boolean): void {
    this.completionsOn = on;
    this.render();
  }

  /** The server process stopped or could not start. */
  serverDown(message: string): void {
    this.update({ state: 'error', message });
  }

  private render(): void {
    const s = this.last;
    this.item.text = this.starting ? '$(sync~spin) Wordlens: starting' : `${icon(s, this.completionsOn)} Wordlens: ${statusText(s)}`;
    const lines = [`**Wordlens** — ${s.state}`];
    if (s.message) lines.push(escapeMarkdown(s.message));
    if (s.serving) lines.push(`Serving: ${s.serving}`);
    if (s.modelPath) lines.push(`Model: \`${s.modelPath}\``);
    if (s.backend) lines.push(`Backend: ${s.backend}`);
    if (s.canComplete === false) {
      lines.push('This model is imported word vectors: the map, neighbours and analogies use it; completions need a language model (Train on Workspace or Load Model…).');
    }
    if (!this.completionsOn) lines.push('Inline completions are off.');
    lines.push('Click for actions.');
    this.item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    this.item.backgroundColor =
      s.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}

/**
 * "none", "training 37% · ppl 180" (nothing serves yet), "n-gram · LSTM training 40% · ppl 180"
 * (the n-gram serves while the LSTM trains), "ready · V=12,950" ("… · vectors only"), "error".
 */
export function statusText(s: ServerStatusParams): string {
  switch (s.state) {
    case 'training': {
      const percent = `${Math.floor((s.progress ?? 0) * 100)}%`;
      const parts = [s.serving && s.serving !== 'vectors' ? `${s.serving} · LSTM training ${percent}` : `training ${percent}`];
      if (s.ppl !== undefined) parts.push(`ppl ${Math.round(s.ppl)}`);
      return parts.join(' · ');
    }
    case 'ready': {
      const parts = ['ready'];
      if (s.vocab !== undefined) parts.push(`V=${s.vocab.toLocaleString('en-US')}`);
      if (s.canComplete === false) parts.push('vectors only');
      else if (s.serving === 'n-gram') parts.push('n-gram only');
      return parts.join(' · ');
    }
    default:
      return s.state;
  }
}

function icon(s: ServerStatusParams, completionsOn: boolean): string {
  if (s.state === 'training') return '$(loading~spin)';
  if (s.state === 'error') return '$(error)';
  if (s.state === 'none') return '$(circle-slash)';
  return completionsOn ? '$(sparkle)' : '$(eye-closed)';
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => '\\' + c);
}
