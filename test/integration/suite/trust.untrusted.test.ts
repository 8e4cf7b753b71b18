// Issue 5 in a real VS Code: in Restricted Mode Wordlens refuses a model folder inside the
// workspace (and says why and how to trust), while the same model outside the workspace loads.
// Runs only in the Restricted Mode run: WORDLENS_UNTRUSTED_WORKSPACE=1 npm run test:integration.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const extensionId = process.env.WORDLENS_EXTENSION_ID ?? 'wordlens.wordlens';

suite('Workspace Trust (Restricted Mode)', () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-trust-'));
  let inside = '';
  const messages: { kind: string; text: string }[] = [];
  const original = { warn: vscode.window.showWarningMessage, info: vscode.window.showInformationMessage };

  suiteSetup(async function () {
    this.timeout(120_000);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test needs an open workspace folder');
    inside = path.join(folder.uri.fsPath, `.wordlens-trust-test-${process.pid}`);
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `${extensionId} is not installed`);
    // A real, valid model made by the engine's CLI, then the identical folder copied into the workspace.
    const cli = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'wordlens.js'); // from out/test/integration/suite
    const text = path.join(outside, 'text.txt');
    fs.writeFileSync(text, 'the cat sat on the mat .\nthe dog sat on the log .\n'.repeat(20));
    execFileSync(process.execPath, [cli, 'train', text, '--epochs', '1', '--out', path.join(outside, 'model')], { stdio: 'pipe' });
    fs.cpSync(path.join(outside, 'model'), inside, { recursive: true });
    await ext.activate();
    // The test shares the extension's `vscode` API object (same extension folder), so this sees its messages.
    const record = (kind: string, show: (...args: never[]) => Thenable<unknown>) =>
      ((text: string, ...rest: never[]) => {
        messages.push({ kind, text });
        return show(text as never, ...rest);
      }) as never;
    vscode.window.showWarningMessage = record('warning', original.warn);
    vscode.window.showInformationMessage = record('info', original.info);
  });

  suiteTeardown(() => {
    vscode.window.showWarningMessage = original.warn;
    vscode.window.showInformationMessage = original.info;
    fs.rmSync(outside, { recursive: true, force: true });
    if (inside) fs.rmSync(inside, { recursive: true, force: true });
  });

  test('the workspace is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'run with WORDLENS_UNTRUSTED_WORKSPACE=1 (code-server with Workspace Trust on)');
  });

  test('a model folder inside the workspace is refused, saying why and how to trust', async function () {
    this.timeout(60_000);
    messages.length = 0;
    await vscode.commands.executeCommand('wordlens.loadModel', inside);
    const warning = messages.find((m) => m.kind === 'warning');
    assert.ok(warning, `no warning shown; messages: ${JSON.stringify(messages)}`);
    assert.match(warning.text, /does not load model files from the workspace folder in Restricted Mode/);
    assert.match(warning.text, /Trust this workspace/);
    assert.equal(messages.some((m) => m.kind === 'info' && /loaded/.test(m.text)), false, 'the model was loaded anyway');
  });

  test('the server refuses it too when asked directly (a request that bypasses the command)', async function () {
    this.timeout(60_000);
    const api = vscode.extensions.getExtension<{ ready: Promise<{ sendRequest(m: string, p: unknown): Promise<unknown> }> }>(extensionId)!.exports;
    const client = await api.ready;
    await assert.rejects(client.sendRequest('wordlens/loadModel', { path: inside }), /does not load model files from the workspace folder in Restricted Mode/);
  });

  test("the folder's own settings cannot turn on training by themselves (restrictedConfigurations)", async function () {
    this.timeout(30_000);
    const config = () => vscode.workspace.getConfiguration('wordlens');
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');
    const existed = fs.existsSync(file);
    await config().update('autoTrain', true, vscode.ConfigurationTarget.Workspace);
    try {
      assert.match(fs.readFileSync(file, 'utf8'), /"wordlens\.autoTrain": true/, 'the folder asks for it');
      assert.equal(config().get('autoTrain'), false, 'but Restricted Mode ignores it');
    } finally {
      await config().update('autoTrain', undefined, vscode.ConfigurationTarget.Workspace);
      if (!existed) fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  test('the same model outside the workspace still loads', async function () {
    this.timeout(120_000);
    messages.length = 0;
    await vscode.commands.executeCommand('wordlens.loadModel', path.join(outside, 'model'));
    assert.equal(messages.some((m) => m.kind === 'warning'), false, `refused: ${JSON.stringify(messages)}`);
    const loaded = messages.find((m) => m.kind === 'info');
    assert.ok(loaded, 'no "loaded" message');
    assert.match(loaded.text, /Wordlens: loaded [\w+]+ model, V=\d+/);
  });
});
