// How the server is reached: `wordlens lsp --stdio` (the CLI), and `--port N`, which listens
// on 127.0.0.1 only. Without --port no socket is opened at all. The bundled entry points
// (dist/server.js, which VS Code runs, and dist/cli.js) are run as shipped: `npm run build` first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import {
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
} from 'vscode-languageserver-protocol';
import { ServerStatusRequest } from '../../src/protocol';
import { writeLstmModel } from '../reliability/helpers';
import { FIXTURE_TEXT } from './fixtures';
import { assertCompletes, startTestServer } from './lspClient';

const root = path.resolve(__dirname, '..', '..');
const initialize = { processId: process.pid, rootUri: null, capabilities: {} };

/** A bundled file; a clear failure when the bundle was not built. */
function bundled(name: string): string {
  const file = path.join(root, 'dist', name);
  assert.ok(fs.existsSync(file), `${path.relative(root, file)} is missing: run \`npm run build\` before these tests (they run the bundled entry points)`);
  return file;
}

describe('server transports', () => {
  it('`wordlens lsp --stdio` speaks LSP on stdin/stdout', async () => {
    const child = spawn(process.execPath, [path.join(root, 'bin/wordlens.js'), 'lsp', '--stdio'], {
      cwd: root,
      env: { ...process.env, WORDLENS_FROM_SOURCE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    try {
      const result = await connection.sendRequest(InitializeRequest.type, initialize);
      assert.equal(result.serverInfo?.name, 'wordlens');
      await connection.sendRequest(ShutdownRequest.type);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await connection.sendNotification(ExitNotification.type);
      assert.equal(await exited, 0);
    } finally {
      connection.dispose();
      child.kill();
    }
  });

  it('the bundled dist/server.js --stdio (what VS Code runs) loads an LSTM model, completes, and shuts down', async () => {
    bundled('server.js');
    bundled('pipelineWorker.js'); // the training worker it spawns beside itself
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-dist-'));
    const previous = process.env.WORDLENS_TEST_SERVER;
    process.env.WORDLENS_TEST_SERVER = 'dist';
    try {
      await writeLstmModel(path.join(tmp, 'model'), { marker: 'markerDist' });
      const server = await startTestServer({ modelPath: path.join(tmp, 'model') });
      try {
        assert.deepEqual(server.process.spawnargs.slice(1), [path.join(root, 'dist/server.js'), '--stdio'], 'the bundle, not the source, runs');
        assert.equal(server.initializeResult.serverInfo?.name, 'wordlens');
        const status = await server.waitForStatus((s) => s.state !== 'none', 60_000);
        assert.equal(status.state, 'ready', `${JSON.stringify(status)}; stderr ${server.stderr().slice(-500)}`);
        const text = FIXTURE_TEXT + '\nfunction add1(left: number, right: number): number {\n  const total = left + ';
        await assertCompletes(server, 'file:///dist/typing.ts', text, 'the bundled server completes with the model');
      } finally {
        const exited = new Promise<number | null>((resolve) => server.process.once('exit', resolve));
        await server.stop();
        assert.equal(await exited, 0, 'shutdown + exit ends the bundled server cleanly');
      }
    } finally {
      if (previous === undefined) delete process.env.WORDLENS_TEST_SERVER;
      else process.env.WORDLENS_TEST_SERVER = previous;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the bundled `node dist/cli.js lsp --stdio` speaks LSP: initialize, a request, shutdown', async () => {
    const child = spawn(process.execPath, [bundled('cli.js'), 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onNotification(() => undefined);
    connection.listen();
    try {
      const result = await connection.sendRequest(InitializeRequest.type, initialize);
      assert.equal(result.serverInfo?.name, 'wordlens', stderr);
      await connection.sendNotification(InitializedNotification.type, {});
      const status = await connection.sendRequest(ServerStatusRequest);
      assert.equal(status.state, 'none', `no model configured: ${JSON.stringify(status)}`);
      await connection.sendRequest(ShutdownRequest.type);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await connection.sendNotification(ExitNotification.type);
      assert.equal(await exited, 0, stderr);
    } finally {
      connection.dispose();
      child.kill();
    }
  });

  it('--port listens on 127.0.0.1 only, for one client', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server/main.ts'), '--port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on (\S+):(\d+)/.exec(err);
          if (m) {
            assert.equal(m[1], '127.0.0.1');
            resolve(Number(m[2]));
          }
        });
        child.once('exit', () => reject(new Error(`server exited: ${err}`)));
      });
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      assert.equal(socket.remoteAddress, '127.0.0.1');
      const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
      connection.listen();
      const result = await connection.sendRequest(InitializeRequest.type, initialize);
      assert.equal(result.serverInfo?.name, 'wordlens');
      connection.dispose();
      socket.destroy();
    } finally {
      child.kill();
    }
  });
});
