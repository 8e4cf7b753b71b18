// The client's crash policy: every crash of a server that got going is restarted (20 SIGKILLs
// in a row included); only servers that die again and again before reporting any state stop
// the restarts, with a message that says what to do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';

// vscode-languageclient requires `vscode` at load and subclasses a few of its classes; its
// enums are all this test needs, so every `vscode` member is an empty class.
const vscodeStub = new Proxy({}, { get: () => class {} });
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = loader._load;
loader._load = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? vscodeStub : load.call(this, request, ...rest);
};
const { CloseAction, ErrorAction } = require('vscode-languageclient/node') as typeof import('vscode-languageclient/node');
const { RestartPolicy, MAX_CRASHES_BEFORE_READY } = require('../../src/client/restartPolicy') as typeof import('../../src/client/restartPolicy');

describe('RestartPolicy', () => {
  it('restarts a server that reported its state, however often it is killed', () => {
    const logged: string[] = [];
    const policy = new RestartPolicy((m) => logged.push(m));
    for (let i = 0; i < 50; i++) {
      policy.serverReported();
      assert.equal(policy.closed().action, CloseAction.Restart, `crash ${i + 1}`);
    }
    assert.equal(policy.crashCount, 50);
    assert.match(logged.at(-1)!, /crash 50 this session/);
  });

  it('stops after a crash loop before the server is ready, and says what to do', () => {
    const policy = new RestartPolicy(() => undefined);
    policy.serverReported();
    for (let i = 1; i < MAX_CRASHES_BEFORE_READY; i++) assert.equal(policy.closed().action, CloseAction.Restart);
    const last = policy.closed();
    assert.equal(last.action, CloseAction.DoNotRestart);
    assert.match(last.message ?? '', /5 times in a row before it was ready.*Wordlens output.*Restart Server/);
  });

  it('a status report between crashes resets the loop count', () => {
    const policy = new RestartPolicy(() => undefined);
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i < MAX_CRASHES_BEFORE_READY; i++) assert.equal(policy.closed().action, CloseAction.Restart);
      policy.serverReported();
    }
  });

  it('survives a few connection errors, shuts down on persistent ones', () => {
    const policy = new RestartPolicy(() => undefined);
    assert.equal(policy.error(new Error('EPIPE'), undefined, 1).action, ErrorAction.Continue);
    assert.equal(policy.error(new Error('EPIPE'), undefined, 4).action, ErrorAction.Shutdown);
  });
});
