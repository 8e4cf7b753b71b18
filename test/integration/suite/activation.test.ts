// The extension is installed in a real VS Code, activates, and registers every command its
// manifest contributes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

// runTest.ts passes the id read from the manifest under test (Wordlens, or the fixture).
const extensionId = process.env.WORDLENS_EXTENSION_ID ?? 'wordlens.wordlens';

suite('activation', () => {
  test(`${extensionId} is installed and activates in VS Code`, async () => {
    console.log(`VS Code ${vscode.version} (${vscode.env.appName}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`);
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `${extensionId} is not among the installed extensions`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('every contributed command is registered after activation', async () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext);
    await ext.activate();
    const contributed: { command: string }[] = ext.packageJSON?.contributes?.commands ?? [];
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
