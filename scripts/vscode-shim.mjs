#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath })
// where VS Code's Electron build cannot be downloaded: it accepts the arguments runTests passes
// (--extensionDevelopmentPath=, --extensionTestsPath=, --user-data-dir=, --extensions-dir=, a
// folder), runs the tests in code-server + headless Chromium, and exits with mocha's result.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
const { runExtensionTests } = require('./extension-tests.ts');

const options = { extensionDevelopmentPath: '', extensionTestsPath: '' };
const folders = [];
for (const arg of process.argv.slice(2)) {
  const m = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
  if (!m) folders.push(arg);
  else if (m[1] === 'extensionDevelopmentPath') options.extensionDevelopmentPath = m[2];
  else if (m[1] === 'extensionTestsPath') options.extensionTestsPath = m[2];
  else if (m[1] === 'user-data-dir') options.userDataDir = m[2];
  else if (m[1] === 'extensions-dir') options.extensionsDir = m[2];
  // Electron-only switches (--no-sandbox, --disable-updates, ...) mean nothing to code-server.
}
if (!options.extensionDevelopmentPath || !options.extensionTestsPath) {
  console.error('vscode-shim: --extensionDevelopmentPath=<dir> and --extensionTestsPath=<file> are required');
  process.exit(2);
}
if (folders.length) options.folder = folders[0];
// Opt-in Restricted Mode run (only the *.untrusted.test.ts files; see test/integration/suite/index.ts).
if (process.env.WORDLENS_UNTRUSTED_WORKSPACE === '1') options.untrustedWorkspace = true;

// If the test runner that started us dies, stop too (the exit hooks stop code-server/Chromium).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    console.error('vscode-shim: the test runner went away; stopping');
    process.exit(1);
  }
}, 1000).unref();

let code = 1;
try {
  code = await runExtensionTests(options);
} catch (err) {
  console.error(`vscode-shim: ${err instanceof Error ? err.message : err}`);
}
process.exit(code);
