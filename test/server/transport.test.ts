// How the server is reached: `wordlens lsp --stdio` (the CLI), and `--port N`, which listens
// on 127.0.0.1 only. Without --port no socket is opened at all.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ExitNotification, InitializeRequest, ShutdownRequest } from 'vscode-languageserver-protocol';

const root = path.resolve(__dirname, '..', '..');
const initialize = { processId: process.pid, rootUri: null, capabilities: {} };

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
