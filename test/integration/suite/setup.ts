// What the suites that drive a real training share: the activated extension (its server
// ready) and a temporary folder with a `corpus/` of given files, removed after the suite.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const extensionId = process.env.WORDLENS_EXTENSION_ID ?? 'wordlens.wordlens';

/** Activates Wordlens and waits until its language server is ready. */
export async function activateWordlens<A extends { ready: Promise<unknown> }>(): Promise<A> {
  const ext = vscode.extensions.getExtension<A>(extensionId);
  assert.ok(ext, `${extensionId} is not installed`);
  const api = await ext.activate();
  await api.ready;
  return api;
}

/** A temporary folder holding `corpus/<name>` for each file; returns the folder. */
export function tempCorpus(prefix: string, files: Record<string, string>): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(tmp, 'corpus'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(tmp, 'corpus', name), text);
  return tmp;
}

export function removeTemp(tmp: string | undefined): void {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it returns something truthy (returned), or throws naming `what`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** `functions` small TypeScript functions (four names over and over): text a tiny model learns fast. */
export function fixtureCode(functions = 40): string {
  return Array.from(
    { length: functions },
    (_, i) => `function add${i % 4}(left: number, right: number): number {\n  const total = left + right;\n  return total;\n}\n`,
  ).join('\n');
}
