// What handlers get: the connection, the synced documents, the model host, settings.
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { InitializationOptions, ServerSettings } from '../protocol';
import type { ModelHost } from './modelHost';

export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  host: ModelHost;
  log(message: string): void;
  settings(): ServerSettings;
  init(): InitializationOptions;
  /** File-system paths of the client's workspace folders (from initialize). */
  workspaceRoots(): string[];
  /** Throws a UserError when `fsPath` is a model or vector file the server must not load (Restricted Mode). */
  checkTrustedPath(fsPath: string, what: string): void;
}
