// "Wordlens: Open Embedding Map". The map's webview is its own piece of work (issue 4,
// src/client/projector.ts + webview/); until it lands this command says so plainly.
import * as vscode from 'vscode';

export async function openEmbeddingMap(): Promise<void> {
  const neighbours = 'Show Neighbours of Word at Cursor';
  const analogy = 'Analogy…';
  const choice = await vscode.window.showInformationMessage(
    'Wordlens: the embedding map is not part of this version yet. Neighbours and analogies already work.',
    neighbours,
    analogy,
  );
  if (choice === neighbours) await vscode.commands.executeCommand('wordlens.showNeighbors');
  if (choice === analogy) await vscode.commands.executeCommand('wordlens.analogy');
}
