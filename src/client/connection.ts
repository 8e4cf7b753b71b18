// Starts the language server (dist/server.js, its own Node process) and the client for it.
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SECTION, readServerSettings } from './config';
import type { InitializationOptions } from '../protocol';
import type { RestartPolicy } from './restartPolicy';

/** Documents synced to the server (and served by the inline and hover providers). */
export const DOCUMENTS = [{ scheme: 'file' }, { scheme: 'untitled' }];

export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  restarts: RestartPolicy,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  // The storage folder is outside the workspace, so a model kept there loads even in Restricted Mode.
  const storage = context.storageUri ?? context.globalStorageUri;
  // A function: a restarted server gets the settings and trust of the moment.
  const initializationOptions = (): InitializationOptions => ({
    storagePath: storage.fsPath,
    settings: readServerSettings(),
    // The extension has its own inline provider (completions.ts) and hover (hover.ts);
    // the suggest widget is left to language extensions.
    providers: { inlineCompletion: false, completion: false, hover: false },
    // The server enforces Restricted Mode too, whoever asks it to load a file.
    workspaceTrusted: vscode.workspace.isTrusted,
  });
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENTS,
    synchronize: { configurationSection: SECTION },
    initializationOptions,
    outputChannel: output,
    // A crashed server is restarted unless it crashes in a loop before it is ready.
    errorHandler: restarts,
  };
  return new LanguageClient('wordlens', 'Wordlens', serverOptions, clientOptions);
}
