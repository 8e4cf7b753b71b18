// Opens the "Get started with Wordlens" walkthrough (package.json contributes.walkthroughs)
// the first time the extension activates with a folder open, once per user (globalState).
// `wordlens.openWalkthroughOnFirstRun` turns that off.
import * as vscode from 'vscode';
import { SECTION } from './config';

export const WALKTHROUGH_ID = 'gettingStarted';
const SHOWN_KEY = 'wordlens.walkthroughShown';

export function openWalkthroughOnFirstRun(context: vscode.ExtensionContext, log: (message: string) => void): void {
  if (!vscode.workspace.workspaceFolders?.length) return; // the walkthrough starts with training a workspace
  if (context.globalState.get<boolean>(SHOWN_KEY)) return;
  // Our own switch: VS Code's workbench.welcomePage.walkthroughs.openOnInstall is an application
  // setting that a remote extension host (code-server, SSH, WSL) does not see.
  if (!vscode.workspace.getConfiguration(SECTION).get<boolean>('openWalkthroughOnFirstRun', true)) return;
  log('first run: opening the walkthrough "Get started with Wordlens" (later: Help → Welcome → Walkthroughs)');
  void context.globalState.update(SHOWN_KEY, true);
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false);
}
