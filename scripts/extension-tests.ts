// Runs extension-host tests (mocha inside VS Code) in code-server + headless Chromium, the
// way VS Code's own web test runner does: the workbench calls `codeAutomationLog` with the
// test output and `codeAutomationExit` with mocha's result.
import * as path from 'node:path';
import { format } from 'node:util';
import { launchChromium } from './browser';
import { startCodeServer } from './code-server-session';

export interface ExtensionTestOptions {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  /** Folder opened in the workbench; defaults to the extension's folder. */
  folder?: string;
  userDataDir?: string;
  extensionsDir?: string;
  /** Workspace Trust on and the folder untrusted (see startCodeServer). */
  untrustedWorkspace?: boolean;
  /** Whole-run limit; a hung test run fails instead of blocking CI. */
  timeoutMs?: number;
  log?: (message: string) => void;
}

// The workbench's own start-up chatter, hidden unless WORDLENS_TEST_VERBOSE=1.
const workbenchNoise = /^(Resolving connection token|Resolved connection token|Creating a socket|\[Service Worker\]|Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|ChatSessionStore:)/;
const verbose = process.env.WORDLENS_TEST_VERBOSE === '1';

/** Returns the exit code: 0 when every test passed. */
export async function runExtensionTests(options: ExtensionTestOptions): Promise<number> {
  const log = options.log ?? ((m: string) => process.stderr.write(`[vscode-shim] ${m}\n`));
  const timeoutMs = options.timeoutMs ?? Number(process.env.WORDLENS_TEST_TIMEOUT_MS ?? 300_000);
  const started = Date.now();
  const server = await startCodeServer({
    folder: options.folder ?? options.extensionDevelopmentPath,
    userDataDir: options.userDataDir,
    extensionsDir: options.extensionsDir,
    untrustedWorkspace: options.untrustedWorkspace,
    log,
  });
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    log(`code-server ready on ${server.origin} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    browser = await launchChromium();
    const page = browser.page;
    const result = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        log(`tests did not finish within ${timeoutMs / 1000} s (set WORDLENS_TEST_TIMEOUT_MS to change); code-server log: ${server.serverLog}`);
        resolve(1);
      }, timeoutMs);
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(Number(code) || 0));
    });
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      // The extension host's console calls arrive as [format, ...args].
      const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
      if (!verbose && workbenchNoise.test(text)) return;
      (level === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
    });
    page.on('pageerror', (err) => log(`page error: ${err.message}`));
    await page.goto(
      server.workbenchUrl({
        extensionDevelopmentPath: path.resolve(options.extensionDevelopmentPath),
        extensionTestsPath: path.resolve(options.extensionTestsPath),
      }),
    );
    const code = await result;
    log(`extension tests ${code === 0 ? 'passed' : `failed (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code;
  } finally {
    if (timer) clearTimeout(timer);
    await browser?.close();
    await server.stop();
  }
}
