// Restricted Mode enforced by the server itself (initializationOptions.workspaceTrusted false):
// model and vector files inside the workspace folder are refused, whoever asks, also through a
// symlink from outside; files outside load; wordlens/workspaceTrusted lifts the restriction.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImportVectorsRequest, LoadModelRequest, WorkspaceTrustedNotification } from '../../src/protocol';
import { writeFixtureModel } from './fixtures';
import { startTestServer, type TestServer } from './lspClient';

describe('server: Restricted Mode', () => {
  let tmp: string;
  let workspace: string;
  let server: TestServer;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-trust-'));
    workspace = path.join(tmp, 'project');
    fs.mkdirSync(workspace);
    await writeFixtureModel(path.join(workspace, 'model'));
    await writeFixtureModel(path.join(tmp, 'outside-model'));
    fs.writeFileSync(path.join(workspace, 'words.vec'), '2 2\nalpha 1 0\nbeta 0 1\n');
    // A link outside the workspace to the model inside it: still the workspace's file.
    fs.symlinkSync(path.join(workspace, 'model'), path.join(tmp, 'link-to-inside'));
    server = await startTestServer({ storagePath: path.join(tmp, 'storage'), workspaceTrusted: false }, pathToFileURL(workspace).href);
    await server.waitForStatus(() => true);
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses model and vector files inside the untrusted workspace, with the reason and the remedy', async () => {
    for (const [method, file] of [
      [LoadModelRequest, path.join(workspace, 'model')],
      [LoadModelRequest, path.join(tmp, 'link-to-inside')],
      [ImportVectorsRequest, path.join(workspace, 'words.vec')],
    ] as const) {
      await assert.rejects(
        server.connection.sendRequest(method as typeof LoadModelRequest, { path: file }),
        (e: Error) => /does not load (model|vector) files from the workspace folder in Restricted Mode.*Trust this workspace/.test(e.message),
        file,
      );
    }
    const outside = await server.connection.sendRequest(LoadModelRequest, { path: path.join(tmp, 'outside-model') });
    assert.equal(outside.modelPath, path.join(tmp, 'outside-model'), 'a model outside the workspace loads');
  });

  it('loads them once the client says the workspace is trusted', async () => {
    await server.connection.sendNotification(WorkspaceTrustedNotification);
    const inside = await server.connection.sendRequest(LoadModelRequest, { path: path.join(workspace, 'model') });
    assert.equal(inside.modelPath, path.join(workspace, 'model'));
  });
});
