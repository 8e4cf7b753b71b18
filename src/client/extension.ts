// Wordlens's extension entry: wiring only. The model lives in the language server process.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { ServerStatusNotification, WorkspaceTrustedNotification, type ServerStatusParams } from '../protocol';
import { registerCommands } from './commands';
import { InlineCompletionProvider } from './completions';
import { SECTION, readClientSettings, type ClientSettings } from './config';
import { createLanguageClient, DOCUMENTS } from './connection';
import { NeighborsHoverProvider } from './hover';
import { registerProjector } from './projector';
import { RestartPolicy } from './restartPolicy';
import { StatusItem } from './status';
import { registerSidebar } from './views/sidebar';
import { openWalkthroughOnFirstRun } from './walkthrough';

/** What the integration tests may look at (returned from activate). */
export interface WordlensApi {
  ready: Promise<LanguageClient>;
  /** The status bar item's text, e.g. "$(sparkle) Wordlens: ready · V=12,950". */
  statusText(): string;
  /** The inline completion provider as registered (tests call it directly). */
  inlineProvider: vscode.InlineCompletionItemProvider;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): WordlensApi {
  const output = vscode.window.createOutputChannel('Wordlens', { log: true });
  const status = new StatusItem();
  let settings: ClientSettings = readClientSettings();
  status.setCompletionsEnabled(settings.completionEnabled);
  context.subscriptions.push(output, status);

  if (!vscode.workspace.isTrusted) {
    output.info('Restricted Mode: Wordlens trains on and completes the text, but loads no model or vector files from the workspace folder.');
  }
  const restarts = new RestartPolicy((m) => output.warn(m));
  const languageClient = createLanguageClient(context, output, restarts);
  client = languageClient;
  const ready = languageClient.start().then(
    () => languageClient,
    (error: Error) => {
      status.serverDown(`The Wordlens server could not start: ${error.message}`);
      output.error(`server failed to start: ${error.message}`);
      throw error;
    },
  );
  ready.catch(() => undefined); // reported above; commands re-surface it when used
  const running = () => (languageClient.state === State.Running ? languageClient : undefined);

  const sidebar = registerSidebar(running);
  const provider = new InlineCompletionProvider(running, () => settings, (m) => output.debug(m));
  // The language client keeps one handler per notification: fan out from here.
  const statusEvents = new vscode.EventEmitter<ServerStatusParams>();
  context.subscriptions.push(
    statusEvents,
    sidebar,
    languageClient.onNotification(ServerStatusNotification, (s) => {
      restarts.serverReported();
      if (s.state === 'ready') provider.clear();
      status.update(s);
      sidebar.update(s);
      output.info(`status: ${s.state}${s.message ? ` — ${s.message}` : ''}`);
      statusEvents.fire(s);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.info('workspace trusted: model files in it may be loaded');
      if (languageClient.state === State.Running) void languageClient.sendNotification(WorkspaceTrustedNotification);
    }),
    languageClient.onDidChangeState((e) => {
      if (e.newState === State.Stopped) status.serverDown('The Wordlens server stopped; see the Wordlens output.');
    }),
    // The same documents the language client syncs: the server knows no others.
    vscode.languages.registerInlineCompletionItemProvider(DOCUMENTS, provider),
    vscode.languages.registerHoverProvider(
      DOCUMENTS,
      new NeighborsHoverProvider(running, () => vscode.workspace.getConfiguration(SECTION).get('hover.enabled', true)),
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      settings = readClientSettings();
      status.setCompletionsEnabled(settings.completionEnabled);
      provider.clear();
    }),
    ...registerCommands({
      client: () => ready,
      status: () => status.status,
      output,
      onCompletionsToggled: (on) => status.setCompletionsEnabled(on),
      restartServer: async () => {
        output.info('restarting the server (Wordlens: Restart Server)');
        restarts.serverReported();
        await languageClient.restart();
      },
    }),
    ...registerProjector({ extensionUri: context.extensionUri, client: () => ready, output }),
  );

  // Optional: train once when the workspace has no model yet (off by default: it costs minutes of CPU).
  if (settings.autoTrain) {
    const once = statusEvents.event((s) => {
      once.dispose();
      if (s.state === 'none' && vscode.workspace.workspaceFolders?.length) {
        output.info('no model yet and wordlens.autoTrain is on: training');
        void vscode.commands.executeCommand('wordlens.train');
      }
    });
    context.subscriptions.push(once);
  }

  openWalkthroughOnFirstRun(context, (m) => output.info(m));
  return { ready, statusText: () => status.text, inlineProvider: provider };
}

export async function deactivate(): Promise<void> {
  await client?.stop().catch(() => undefined);
  client = undefined;
}
