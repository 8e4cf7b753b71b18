// A real LSP client for the server tests: spawns the server from source over stdio and
// speaks JSON-RPC to it with vscode-jsonrpc, as any editor would.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  ShutdownRequest,
  type InitializeResult,
  type InlineCompletionList,
} from 'vscode-languageserver-protocol';
import { ServerStatusNotification, type InitializationOptions, type ServerStatusParams } from '../../src/protocol';

const root = path.resolve(__dirname, '..', '..');

export interface TestServer {
  connection: MessageConnection;
  process: ChildProcess;
  initializeResult: InitializeResult;
  statuses: ServerStatusParams[];
  /** Resolves with the first status (seen so far or later) that matches. */
  waitForStatus(match: (s: ServerStatusParams) => boolean, timeoutMs?: number): Promise<ServerStatusParams>;
  stderr(): string;
  open(uri: string, text: string, languageId?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `rootUri`: the client's workspace folder (file URI), when the test needs one. `wrap`: a
 * command the server's node process runs under (e.g. `unshare -rn strace …`).
 */
export async function startTestServer(init: InitializationOptions = {}, rootUri: string | null = null, wrap: string[] = []): Promise<TestServer> {
  // From source by default; WORDLENS_TEST_SERVER=dist runs the bundle (after `npm run build`).
  const args =
    process.env.WORDLENS_TEST_SERVER === 'dist'
      ? [path.join(root, 'dist/server.js'), '--stdio']
      : ['--import', 'tsx', path.join(root, 'src/server/main.ts'), '--stdio'];
  const [command, ...prefix] = [...wrap, process.execPath];
  const child = spawn(command, [...prefix, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const statuses: ServerStatusParams[] = [];
  const waiters: { match: (s: ServerStatusParams) => boolean; resolve: (s: ServerStatusParams) => void }[] = [];
  connection.onNotification(ServerStatusNotification, (s) => {
    statuses.push(s);
    for (const w of [...waiters]) {
      if (w.match(s)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(s);
      }
    }
  });
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();
  const initializeResult = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri,
    capabilities: { window: { workDoneProgress: true } },
    initializationOptions: init,
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection,
    process: child,
    initializeResult,
    statuses,
    waitForStatus(match, timeoutMs = 20_000) {
      const seen = statuses.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching status in ${timeoutMs} ms; seen ${JSON.stringify(statuses)}`)), timeoutMs);
        waiters.push({ match, resolve: (s) => (clearTimeout(timer), resolve(s)) });
      });
    },
    stderr: () => stderr,
    async open(uri, text, languageId = 'typescript') {
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId, version: 1, text },
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return connection.dispose();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // A server that does not answer shutdown (busy, or stuck) is killed: a test never hangs here.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        await Promise.race([
          (async () => {
            await connection.sendRequest(ShutdownRequest.type);
            await connection.sendNotification(ExitNotification.type);
          })(),
          exited,
        ]);
      } catch {
        child.kill();
      }
      await exited;
      clearTimeout(timer);
      connection.dispose();
    },
  };
}

/** Asks the server for ghost text in a fixture document (`text`, cursor at its end) and asserts it has some. */
export async function assertCompletes(server: TestServer, uri: string, text: string, what = 'the loaded model completes'): Promise<void> {
  await server.open(uri, text);
  const lines = text.split('\n');
  const result = (await server.connection.sendRequest(InlineCompletionRequest.type, {
    textDocument: { uri },
    position: { line: lines.length - 1, character: lines[lines.length - 1].length },
    context: { triggerKind: InlineCompletionTriggerKind.Invoked },
  })) as InlineCompletionList | null;
  assert.ok(result && result.items.length > 0, `${what} (got ${JSON.stringify(result)})`);
}
