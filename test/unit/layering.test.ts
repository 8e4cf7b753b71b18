// The layering check fails when it should: each dependency-cruiser rule of
// .dependency-cruiser.cjs is reported on a scratch tree with one planted import (and only that
// rule), a clean tree and the real src/ + webview/ report nothing, and the per-layer
// tsconfigs refuse the DOM in the engine and node in the webview.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { checkLayers, REPO_ROOT } from '../../scripts/layering';

/** A tree shaped like the repository's, every layer importing what it may. */
const CLEAN: Record<string, string> = {
  'src/engine/types.ts': "export interface Tokenizer { encode(text: string): number[] }\n",
  'src/engine/text/tokenizer.ts': "import type { Tokenizer } from '../types';\nimport * as fs from 'node:fs';\nexport const t: Tokenizer | undefined = fs ? undefined : undefined;\n",
  'src/engine/ngram/ngram.ts': "import type { Tokenizer } from '../types';\nexport type N = Tokenizer;\n",
  'src/engine/lstm/lstm.ts': "import * as tf from '@tensorflow/tfjs';\nimport type { Tokenizer } from '../types';\nexport const x = tf; export type T = Tokenizer;\n",
  'src/protocol.ts': "import { RequestType } from 'vscode-languageserver';\nexport const R = RequestType;\n",
  'src/mapMessages.ts': "export interface ToHost { kind: string }\n",
  'src/server/main.ts': "import { createConnection } from 'vscode-languageserver/node';\nimport { x } from '../engine/lstm/lstm';\nimport { R } from '../protocol';\nexport const c = [createConnection, x, R];\n",
  'src/client/extension.ts': "import * as vscode from 'vscode';\nimport { LanguageClient } from 'vscode-languageclient/node';\nimport { R } from '../protocol';\nimport type { ToHost } from '../mapMessages';\nexport const e: unknown[] = [vscode, LanguageClient, R]; export type H = ToHost;\n",
  'src/cli.ts': "import { x } from './engine/lstm/lstm';\nexport const y = x;\n",
  'webview/main.ts': "import type { ToHost } from '../src/mapMessages';\nimport { draw } from './render';\nexport const m: ToHost = { kind: draw() };\n",
  'webview/render.ts': "export const draw = (): string => 'drawn';\n",
};

/** One planted violation per rule; the type-only and transitive ones show those count too. */
const PLANTS: { rule: string; files: Record<string, string> }[] = [
  { rule: 'engine-not-to-editor', files: { 'src/engine/decode/plant.ts': "import type { Connection } from 'vscode-languageserver/node';\nexport type C = Connection;\n" } },
  { rule: 'engine-not-to-editor', files: { 'src/engine/io/plant.ts': "import * as vscode from 'vscode';\nexport const v = vscode;\n" } },
  { rule: 'engine-not-to-app', files: { 'src/engine/io/plant.ts': "import { R } from '../../protocol';\nexport const r = R;\n" } },
  { rule: 'engine-not-to-app', files: { 'src/engine/plant.ts': "import type { ToHost } from '../mapMessages';\nexport type T = ToHost;\n" } },
  { rule: 'client-not-to-engine', files: { 'src/client/plant.ts': "import type { Tokenizer } from '../engine/types';\nexport type T = Tokenizer;\n" } },
  { rule: 'client-not-to-engine', files: { 'src/client/plant.ts': "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n" } },
  { rule: 'server-not-to-vscode', files: { 'src/server/plant.ts': "import * as vscode from 'vscode';\nexport const v = vscode;\n" } },
  { rule: 'webview-only-webview', files: { 'webview/plant.ts': "import * as fs from 'node:fs';\nexport const f = fs;\n" } },
  { rule: 'webview-only-webview', files: { 'webview/plant.ts': "import type { Tokenizer } from '../src/engine/types';\nexport type T = Tokenizer;\n" } },
  { rule: 'text-ngram-not-to-tfjs', files: { 'src/engine/text/plant.ts': "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n" } },
  // Through another engine module: ngram -> lstm -> @tensorflow/tfjs.
  { rule: 'text-ngram-not-to-tfjs', files: { 'src/engine/ngram/plant.ts': "import { x } from '../lstm/lstm';\nexport const y = x;\n" } },
];

/** Writes a tree into a fresh temporary folder whose node_modules is the repository's, so packages resolve as they do in the real check. */
function scratchTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-layering-'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function rulesBroken(files: Record<string, string>): Promise<string[]> {
  const dir = scratchTree(files);
  try {
    const { violations, modules } = await checkLayers(dir, ['src', 'webview']);
    assert.ok(modules >= Object.keys(files).length, `cruised ${modules} modules`);
    return violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('layering: a clean tree breaks no rule', async () => {
  assert.deepEqual(await rulesBroken(CLEAN), []);
});

for (const { rule, files } of PLANTS) {
  const [file, text] = Object.entries(files)[0];
  test(`layering: ${rule} catches ${file}: ${text.split('\n')[0]}`, async () => {
    const broken = await rulesBroken({ ...CLEAN, ...files });
    assert.ok(broken.length > 0, 'nothing reported');
    assert.deepEqual(broken.filter((b) => !b.startsWith(`${rule}: ${file} -> `)), [], 'only the planted import, by its rule');
  });
}

test('layering: the repository breaks no rule', async () => {
  const { violations, modules } = await checkLayers(REPO_ROOT, ['src', 'webview']);
  assert.ok(modules > 100, `cruised only ${modules} modules`);
  assert.deepEqual(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`), []);
});

/** Type-checks scratch files under one of the repository's tsconfigs (its lib and types); returns each file's error messages. */
function typeErrors(tsconfig: string, files: Record<string, string>, extraRoots: string[] = []): Record<string, string[]> {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(REPO_ROOT, tsconfig), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  assert.ok(parsed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-layering-ts-'));
  try {
    const roots = Object.entries(files).map(([name, text]) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    });
    const program = ts.createProgram([...roots, ...extraRoots.map((f) => path.join(REPO_ROOT, f))], parsed.options);
    return Object.fromEntries(Object.keys(files).map((name, i) => [
      name,
      ts.getPreEmitDiagnostics(program, program.getSourceFile(roots[i])).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')),
    ]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('layering: the engine project has node and WebAssembly but no DOM', () => {
  const errors = typeErrors('src/engine/tsconfig.json', {
    'plant.ts': "export const title: string = document.title;\n",
    'clean.ts': "export const memory = new WebAssembly.Memory({ initial: 1 });\nexport const pages: number = memory.grow(1) + memory.buffer.byteLength + process.pid;\n",
  }, ['src/engine/webassembly.d.ts']);
  assert.deepEqual(errors['clean.ts'], []);
  assert.match(errors['plant.ts'].join('\n'), /Cannot find name 'document'/);
});

test('layering: the webview project has the DOM but no node', () => {
  const errors = typeErrors('webview/tsconfig.json', {
    'plant.ts': "export const home: string | undefined = process.env.HOME;\n",
    'clean.ts': "export const title: string = document.title;\n",
  });
  assert.deepEqual(errors['clean.ts'], []);
  assert.match(errors['plant.ts'].join('\n'), /Cannot find name 'process'/);
});
