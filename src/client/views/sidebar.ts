// The Wordlens sidebar (activity bar container "wordlens"): the Model and Neighbours views,
// and the context keys their title buttons and welcome content depend on.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ServerStatusParams } from '../../protocol';
import { MODEL_VIEW, ModelView } from './modelView';
import { NeighborsView } from './neighborsView';

export interface Sidebar extends vscode.Disposable {
  /** Every status the server reports, in order. */
  update(status: ServerStatusParams): void;
}

export function registerSidebar(client: () => LanguageClient | undefined): Sidebar {
  const model = new ModelView();
  const neighbors = new NeighborsView(client);
  const modelTree = vscode.window.createTreeView(MODEL_VIEW, { treeDataProvider: model });
  let lastModel: string | undefined;
  const update = (s: ServerStatusParams) => {
    model.update(s);
    // `when` clauses of package.json: view title actions and viewsWelcome.
    void vscode.commands.executeCommand('setContext', 'wordlens.state', s.state);
    void vscode.commands.executeCommand('setContext', 'wordlens.hasModel', s.vocab !== undefined);
    const current = s.state === 'ready' ? s.modelPath : lastModel;
    if (current !== lastModel) {
      lastModel = current;
      neighbors.refresh();
    }
  };
  return {
    update,
    dispose() {
      modelTree.dispose();
      model.dispose();
      neighbors.dispose();
    },
  };
}
