// Opens the "Get started with Wordlens" walkthrough (package.json contributes.walkthroughs)
// the first time the extension activates with a folder open, once per user (globalState).
// VS Code's own switch for walkthroughs opening by themselves is honoured.
import * as vscode from 'vscode';

export const WALKTHROUGH_ID = 'gettingStarted';
const SHOWN_KEY = 'wordlens.walkthroughShown';

export function openWalkthroughOnFirstRun(context: vscode.ExtensionContext): void {
  if (!vscode.workspace.workspaceFolders?.length) return; // the walkthrough starts with training a workspace
  if (context.globalState.get<boolean>(SHOWN_KEY)) return;
  if (!vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true)) return;
  void context.globalState.update(SHOWN_KEY, true);
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false);
}
