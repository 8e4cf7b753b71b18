// Workspace Trust: model and vector files are code-like input (parsed into memory by the
// server), so in Restricted Mode nothing of that kind is loaded from the workspace folder.
// Training still reads the workspace's text, which is what an untrusted folder may offer.
import * as vscode from 'vscode';
import { isInsideAny } from '../insideFolder';
import { restrictedModeMessage } from '../protocol';

function isInsideWorkspace(fsPath: string): boolean {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return isInsideAny(fsPath, folders);
}

/** True when loading `fsPath` is allowed; otherwise says why and how to trust, and returns false. */
export function mayLoadFrom(fsPath: string, what: string): boolean {
  if (vscode.workspace.isTrusted || !isInsideWorkspace(fsPath)) return true;
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(restrictedModeMessage(what),
      manage,
    )
    .then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
