// The Wordlens language server: connection, capabilities, lifecycle. The model lives here,
// never in the editor; each capability's handler is in handlers/, one file each.
import * as net from 'node:net';
import { isMainThread } from 'node:worker_threads';
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  WorkDoneProgressCancelNotification,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import {
  defaultSettings,
  restrictedModeMessage,
  ServerStatusNotification,
  WorkspaceTrustedNotification,
  type InitializationOptions,
  type ServerSettings,
} from '../protocol';
import { isInsideAny } from '../insideFolder';
import { UserError } from './requests';
import { ModelHost } from './modelHost';
import type { ServerContext } from './context';
import { registerInlineCompletion } from './handlers/inlineCompletion';
import { registerCompletion } from './handlers/completion';
import { registerHover } from './handlers/hover';
import { registerGenerate } from './handlers/generate';
import { registerTrain } from './handlers/train';
import { registerVectors } from './handlers/vectors';
import { registerModel } from './handlers/model';
import { registerNeighbors } from './handlers/neighbors';
import { registerNextTokens } from './handlers/nextTokens';
import { registerProject } from './handlers/project';
import { registerDebugStats } from './handlers/debugStats';
import { registerLiveEdits } from './liveEdits';
import { startLiveTraining } from './liveTraining';

export interface StartOptions {
  /** `--stdio` (default) or `--port N` (listens on 127.0.0.1 only, for one client). */
  argv?: string[];
}

/** Starts the server on stdio, or on 127.0.0.1:N with `--port N`. Used by `wordlens lsp`. */
export async function startServer(options: StartOptions = {}): Promise<Connection> {
  const argv = options.argv ?? process.argv.slice(2);
  const portIndex = argv.indexOf('--port');
  const portArg = portIndex >= 0 ? argv[portIndex + 1] : argv.find((a) => a.startsWith('--port='))?.slice(7);
  if (portArg !== undefined) {
    const port = Number(portArg);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port needs a port number, got "${portArg}"`);
    return listenOnce(port);
  }
  // stdout carries the protocol: anything printed by libraries goes to stderr instead.
  for (const name of ['log', 'info', 'debug', 'warn'] as const) {
    console[name] = (...args: unknown[]) => console.error(...args);
  }
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  serve(connection);
  return connection;
}

function listenOnce(port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      server.close(); // one client per server process, as with stdio
      const connection = createConnection(ProposedFeatures.all, socket, socket);
      socket.on('close', () => process.exit(0));
      serve(connection);
      resolve(connection);
    });
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      console.error(`wordlens language server listening on 127.0.0.1:${address.port}`);
    });
  });
}

/** Wires every handler to a connection and starts listening. */
export function serve(connection: Connection): ServerContext {
  const documents = new TextDocuments(TextDocument);
  let settings: ServerSettings = { ...defaultSettings };
  let init: InitializationOptions = {};
  let roots: string[] = [];
  const log = (message: string) => connection.console.log(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
  const host = new ModelHost({
    log,
    onStatus: (status) => void connection.sendNotification(ServerStatusNotification, status).catch(() => undefined),
  });
  const ctx: ServerContext = {
    connection,
    documents,
    host,
    log,
    settings: () => settings,
    init: () => init,
    workspaceRoots: () => roots,
    checkTrustedPath: (fsPath, what) => {
      if (!trusted && isInsideAny(fsPath, roots)) {
        log(`refused ${fsPath}: inside the untrusted workspace`);
        throw new UserError(restrictedModeMessage(what));
      }
    },
  };
  let trusted = true;
  connection.onNotification(WorkspaceTrustedNotification, () => {
    trusted = true;
    log('workspace trusted: model files in it may be loaded');
  });

  const liveTrainer = startLiveTraining(ctx);
  // A training the user asks for comes first: a continued one in the background stops.
  const training = registerTrain(ctx, () => liveTrainer.cancel());
  connection.onInitialize((params): InitializeResult => {
    init = sanitizeInit(params.initializationOptions, log);
    trusted = init.workspaceTrusted !== false;
    const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    roots = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    settings = mergeSettings(settings, init.settings);
    const providers = init.providers ?? {};
    return {
      capabilities: {
        // didSave: a saved file joins the recent-files cache (live learning).
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        inlineCompletionProvider: providers.inlineCompletion === false ? undefined : {},
        completionProvider: providers.completion === false ? undefined : { triggerCharacters: ['.', ' '] },
        hoverProvider: providers.hover !== false,
      },
      serverInfo: { name: 'wordlens', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    // Registered after initialize, so it replaces the library's handler, which cancels only
    // server-created progress: a client's cancel button on the training progress stops training.
    connection.onNotification(WorkDoneProgressCancelNotification.type, ({ token }) => {
      if (!training.cancelProgress(token)) log(`progress ${String(token)} cancelled: nothing of it is running`);
    });
    host.setBackendPreference(settings.backend);
    const start = init.modelPath ?? host.defaultModelDir(init.storagePath);
    if (start) void host.loadAtStart(start, init.modelPath !== undefined);
    else host.publishStatus();
  });

  connection.onDidChangeConfiguration((change) => {
    const incoming = (change.settings as { wordlens?: Partial<ServerSettings> } | undefined)?.wordlens;
    if (incoming && typeof incoming === 'object') {
      settings = mergeSettings(settings, incoming);
      host.setBackendPreference(settings.backend);
      log('settings updated');
    }
  });

  documents.onDidClose((e) => host.forgetDocument(e.document.uri));
  connection.onShutdown(() => {
    liveTrainer.dispose();
    host.dispose();
  });

  registerInlineCompletion(ctx, registerLiveEdits(ctx, liveTrainer.policy));
  registerCompletion(ctx);
  registerHover(ctx);
  registerGenerate(ctx);
  registerVectors(ctx);
  registerModel(ctx);
  registerNeighbors(ctx);
  registerNextTokens(ctx);
  registerProject(ctx);
  registerDebugStats(ctx);

  documents.listen(connection);
  connection.listen();
  return ctx;
}

function sanitizeInit(raw: unknown, log: (m: string) => void): InitializationOptions {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object') {
    log('initializationOptions ignored: not an object');
    return {};
  }
  const r = raw as Record<string, unknown>;
  const out: InitializationOptions = {};
  if (typeof r.modelPath === 'string' && r.modelPath) out.modelPath = r.modelPath;
  if (typeof r.storagePath === 'string' && r.storagePath) out.storagePath = r.storagePath;
  if (r.settings && typeof r.settings === 'object') out.settings = r.settings as Partial<ServerSettings>;
  if (r.providers && typeof r.providers === 'object') out.providers = r.providers as InitializationOptions['providers'];
  if (typeof r.workspaceTrusted === 'boolean') out.workspaceTrusted = r.workspaceTrusted;
  return out;
}

/** Takes only well-typed values from `incoming`, so a bad setting cannot break the server. */
function mergeSettings(base: ServerSettings, incoming: Partial<ServerSettings> | undefined): ServerSettings {
  if (!incoming) return base;
  const out: ServerSettings = { ...base, completion: { ...base.completion }, liveTraining: { ...base.liveTraining } };
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (strings(incoming.include)) out.include = incoming.include!;
  if (strings(incoming.exclude)) out.exclude = incoming.exclude!;
  if (incoming.tokenizer === 'code' || incoming.tokenizer === 'whitespace') out.tokenizer = incoming.tokenizer;
  if (incoming.modelSize === 'small' || incoming.modelSize === 'medium' || incoming.modelSize === 'large') {
    out.modelSize = incoming.modelSize;
  }
  if (typeof incoming.trainingBudgetMinutes === 'number' && incoming.trainingBudgetMinutes > 0) {
    out.trainingBudgetMinutes = incoming.trainingBudgetMinutes;
  }
  if (typeof incoming.trainingLowPriority === 'boolean') out.trainingLowPriority = incoming.trainingLowPriority;
  if (['', 'tensorflow', 'wasm', 'cpu'].includes(incoming.backend as string)) out.backend = incoming.backend!;
  const c = incoming.completion;
  if (c && typeof c === 'object') {
    if (typeof c.maxTokens === 'number' && c.maxTokens >= 1) out.completion.maxTokens = Math.min(64, Math.round(c.maxTokens));
    if (typeof c.temperature === 'number' && c.temperature >= 0) out.completion.temperature = c.temperature;
    if (typeof c.multiline === 'boolean') out.completion.multiline = c.multiline;
    if (typeof c.jumpContextTokens === 'number' && c.jumpContextTokens >= 0) out.completion.jumpContextTokens = Math.round(c.jumpContextTokens);
  }
  const live = incoming.liveTraining;
  if (live && typeof live === 'object') {
    if (typeof live.enabled === 'boolean') out.liveTraining.enabled = live.enabled;
    if (typeof live.minutesPerHour === 'number' && live.minutesPerHour >= 0) out.liveTraining.minutesPerHour = Math.min(60, live.minutesPerHour);
  }
  return out;
}

// Run directly (dist/server.js or src/server/main.ts) it serves; bundled into the CLI it only exports startServer.
if (isMainThread && /[\\/](server\.js|main\.ts)$/.test(process.argv[1] ?? '')) {
  startServer().catch((error: Error) => {
    console.error(`wordlens language server: ${error.message}`);
    process.exit(1);
  });
}
