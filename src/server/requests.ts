// What every request handler shares: parameter checks that answer InvalidParams with a
// clear message, cancellation as an AbortSignal for the engine, and one mapping of thrown
// errors to LSP errors so a bad request never takes the server down.
import {
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type RequestHandler,
  type RequestType,
} from 'vscode-languageserver/node';

/** A user-facing failure (bad model folder, nothing to train on): sent as RequestFailed. */
export class UserError extends Error {}

export function invalidParams(method: string, message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${message}`);
}

export type Checks = {
  [field: string]: 'string' | 'string?' | 'number?' | 'boolean?' | 'string[]?' | 'position' | 'textDocument';
};

/** The checks of a request made at a position of an open document (TextDocumentPositionParams). */
export const AT_POSITION: Checks = { textDocument: 'textDocument', position: 'position' };

/**
 * Checks `params` against a flat description and returns it typed. Throws InvalidParams
 * naming the first field that is wrong, so callers see what to fix.
 */
export function checkParams<T>(method: string, params: unknown, checks: Checks): T {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw invalidParams(method, 'params must be an object');
  }
  const p = params as Record<string, unknown>;
  for (const [field, kind] of Object.entries(checks)) {
    const value = p[field];
    const optional = kind.endsWith('?');
    if (value === undefined && optional) continue;
    const ok = (() => {
      switch (kind) {
        case 'string':
          return typeof value === 'string' && value.length > 0;
        case 'string?':
          return typeof value === 'string';
        case 'number?':
          return typeof value === 'number' && Number.isFinite(value);
        case 'boolean?':
          return typeof value === 'boolean';
        case 'string[]?':
          return Array.isArray(value) && value.every((v) => typeof v === 'string');
        case 'position': {
          const pos = value as { line?: unknown; character?: unknown } | undefined;
          return isNonNegInt(pos?.line) && isNonNegInt(pos?.character);
        }
        case 'textDocument': {
          const doc = value as { uri?: unknown } | undefined;
          return typeof doc?.uri === 'string';
        }
      }
    })();
    if (!ok) throw invalidParams(method, `"${field}" must be ${describe(kind)} (got ${preview(value)})`);
  }
  return params as T;
}

function isNonNegInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function describe(kind: string): string {
  return (
    {
      string: 'a non-empty string',
      'string?': 'a string',
      'number?': 'a finite number',
      'boolean?': 'a boolean',
      'string[]?': 'an array of strings',
      position: 'a position {line, character} of non-negative integers',
      textDocument: 'a text document identifier {uri}',
    } as Record<string, string>
  )[kind];
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

/** Clamps an optional integer parameter into [min, max]. */
export function intParam(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  return Math.max(min, Math.min(max, Math.round(value)));
}

/** An AbortSignal that fires when the LSP request is cancelled. */
export function toSignal(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

export function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled');
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'CancellationError');
}

/**
 * Wraps a handler so every failure becomes a ResponseError: checks and user errors keep
 * their message; unexpected errors are logged with their stack and reported briefly.
 */
export function guard<P, R>(
  method: string,
  log: (message: string) => void,
  handler: (params: P, token: CancellationToken) => Promise<R> | R,
): (params: P, token: CancellationToken) => Promise<R> {
  return async (params, token) => {
    try {
      return await handler(params, token);
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      if (isAbort(error) || token.isCancellationRequested) throw cancelled();
      const message = error instanceof Error ? error.message : String(error);
      if (isUserError(error)) throw new ResponseError(LSPErrorCodes.RequestFailed, message);
      log(`${method} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
      throw new ResponseError(ErrorCodes.InternalError, `${method} failed: ${message}`);
    }
  };
}

/** Errors meant for the user: ours, and the engine's (e.g. ModelLoadError) by name. */
function isUserError(error: unknown): boolean {
  return error instanceof UserError || (error instanceof Error && /LoadError$|UserError$|CorpusError$/.test(error.name));
}

/**
 * Registers `handler` for `type` behind guard(), its params checked against `checks` first
 * (Q: a wider params type where the request also takes fields its protocol type omits).
 */
export function onCheckedRequest<P, R, Q extends P = P>(
  connection: Connection,
  log: (message: string) => void,
  type: RequestType<P, R, void>,
  checks: Checks,
  handler: (params: Q, token: CancellationToken) => Promise<R> | R,
): void {
  const checked = guard(type.method, log, (raw: P, token: CancellationToken) => handler(checkParams<Q>(type.method, raw, checks), token));
  // A cast: for a generic R, TypeScript cannot resolve the LSP's conditional result type.
  connection.onRequest(type, checked as unknown as RequestHandler<P, R, void>);
}

/** The serving model, or the user-facing error that there is none yet. */
export function requireModel<M>(model: M | null | undefined): M {
  if (!model) throw new UserError('No model is loaded: train or load one first.');
  return model;
}

/** An open document by URI, or the user-facing error that the client never opened it. */
export function openDocument<D>(documents: { get(uri: string): D | undefined }, uri: string): D {
  const document = documents.get(uri);
  if (!document) throw new UserError(`${uri} is not open (send textDocument/didOpen first).`);
  return document;
}
