// Workspace Trust: model and vector files are code-like input (parsed into memory by the
// server), so in Restricted Mode nothing of that kind is loaded from the workspace folder.
// Training still reads the workspace's text, which is what an untrusted folder may offer.
import * as path from 'node:path';
import * as vscode from 'vscode';

export function isInsideWorkspace(fsPath: string): boolean {
  const target = path.resolve(fsPath);
  return (vscode.workspace.workspaceFolders ?? []).some((folder) => {
    if (folder.uri.scheme !== 'file') return false;
    const relative = path.relative(folder.uri.fsPath, target);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  });
}

/** True when loading `fsPath` is allowed; otherwise says why and how to trust, and returns false. */
export function mayLoadFrom(fsPath: string, what: string): boolean {
  if (vscode.workspace.isTrusted || !isInsideWorkspace(fsPath)) return true;
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(
      `Wordlens does not load ${what} from the workspace folder in Restricted Mode: files in an untrusted ` +
        'folder could have been crafted to attack the parser. Trust this workspace to load it, or pick a copy outside the folder.',
      manage,
    )
    .then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
