// Workspace Trust: in Restricted Mode the extension loads no model or vector files from the
// workspace folder and says why and how to trust (src/client/trust.ts, called by the Load
// Model… and Import Vectors… commands before anything reaches the server). Run against a
// stand-in for the `vscode` module: only the trust state, the folders and the messages.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import * as path from 'node:path';

const shown: { message: string; items: string[] }[] = [];
const vscodeStub = {
  workspace: { isTrusted: false, workspaceFolders: [{ uri: { scheme: 'file', fsPath: path.resolve('/home/user/project') } }] },
  window: {
    showWarningMessage: (message: string, ...items: string[]) => {
      shown.push({ message, items });
      return Promise.resolve(undefined);
    },
  },
  commands: { executeCommand: () => Promise.resolve(undefined) },
};
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = loader._load;
loader._load = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? vscodeStub : load.call(this, request, ...rest);
};
const { mayLoadFrom } = require('../../src/client/trust') as typeof import('../../src/client/trust');

describe('reliability: Workspace Trust', () => {
  afterEach(() => {
    shown.length = 0;
    vscodeStub.workspace.isTrusted = false;
  });

  it('untrusted: a model inside the workspace folder is not loaded, with the reason and the way to trust', () => {
    for (const inside of ['/home/user/project/model', '/home/user/project', '/home/user/project/a/../b/vectors.vec']) {
      assert.equal(mayLoadFrom(path.resolve(inside), 'model files'), false, inside);
    }
    assert.equal(shown.length, 3);
    assert.match(shown[0].message, /Restricted Mode/);
    assert.match(shown[0].message, /Trust this workspace/);
    assert.deepEqual(shown[0].items, ['Manage Workspace Trust']);
    console.log(`trust: refused with "${shown[0].message}" [${shown[0].items.join(', ')}]`);
  });

  it('untrusted: a model outside the workspace folder (also a look-alike sibling) loads', () => {
    for (const outside of ['/home/user/models/m1', '/home/user/project-evil/model', '/tmp/x']) {
      assert.equal(mayLoadFrom(path.resolve(outside), 'model files'), true, outside);
    }
    assert.equal(shown.length, 0);
  });

  it('trusted: everything loads, nothing shown', () => {
    vscodeStub.workspace.isTrusted = true;
    assert.equal(mayLoadFrom(path.resolve('/home/user/project/model'), 'model files'), true);
    assert.equal(shown.length, 0);
  });
});
