// Playwright helpers for end-to-end tests in a real VS Code (code-server + headless Chromium):
// start it on a fixture workspace with an extension installed, drive the palette, read the
// status bar, wait for ghost text, save screenshots, read output channels, and shut
// everything down, also when the test fails. Wordlens itself is installed as a user would
// install it: its .vsix (packaged when stale) through code-server's --install-extension, into
// a read-only folder that no test may find changed afterwards.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, type ChromiumSession } from '../../scripts/browser';
import { startCodeServer, type CodeServerSession } from '../../scripts/code-server-session';
import { readManifest } from '../../scripts/package-extension';
import { ensureVsix } from '../../scripts/vsix';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const screenshotDir = path.join(__dirname, 'screenshots');
export const fixtureExtension = path.join(repoRoot, 'test', 'fixtures', 'minimal-extension');

/** Workbench settings for tests of Wordlens's ghost text: at once, and no suggest widget in the way of Tab. */
export const GHOST_TEXT_SETTINGS: Record<string, unknown> = {
  'wordlens.modelSize': 'small',
  'wordlens.completion.debounceMs': 0,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.inlineSuggest.enabled': true,
};

/** The extension under test: WORDLENS_EXTENSION_DIR, else Wordlens once built, else the fixture. */
export function extensionUnderTest(): string {
  if (process.env.WORDLENS_EXTENSION_DIR) return path.resolve(process.env.WORDLENS_EXTENSION_DIR);
  return fs.existsSync(path.join(repoRoot, 'dist', 'client.js')) ? repoRoot : fixtureExtension;
}

/** Wordlens is tested as its .vsix unless WORDLENS_E2E_DEV_FOLDER=1; other extensions as folders. */
export function installsVsixByDefault(extensionDir: string): boolean {
  return path.resolve(extensionDir) === repoRoot && process.env.WORDLENS_E2E_DEV_FOLDER !== '1';
}

export interface WorkbenchOptions {
  /** Extension folder to install (manifest + built bundles). */
  extensionDir: string;
  /** An existing folder to open, or files (relative path → text) written to a fresh folder. */
  workspace?: string;
  files?: Record<string, string>;
  /** User settings over the quiet defaults, e.g. { 'wordlens.autoTrain': true }. */
  settings?: Record<string, unknown>;
  /** Prefix for screenshots (failure screenshots too). */
  name: string;
  /**
   * Install the extension's .vsix (read-only) rather than a copy of its folder. Default: yes
   * for Wordlens, unless WORDLENS_E2E_DEV_FOLDER=1 (faster while iterating on the UI).
   */
  packaged?: boolean;
}

export interface Workbench {
  page: Page;
  server: CodeServerSession;
  extensionId: string;
  workspace: string;
  /** The installed extension's folder (what VS Code runs). */
  extensionPath: string;
  /** Throws if any file in the installed extension's folder was added, removed or changed. */
  assertExtensionUntouched(): void;
  /** Runs a command from the palette by its title as shown, e.g. "Wordlens: Train on Workspace". */
  runCommand(title: string, options?: { timeoutMs?: number }): Promise<void>;
  /** Whether the palette offers a command with exactly this title. */
  paletteHas(title: string, options?: { timeoutMs?: number }): Promise<boolean>;
  /** The status bar item whose text matches, once it shows. */
  statusBarItem(text: string | RegExp, options?: { timeoutMs?: number }): Promise<Locator>;
  statusBarTexts(): Promise<string[]>;
  /** Opens a workspace file (path relative to the workspace) in an editor and focuses it. */
  openFile(relativePath: string): Promise<void>;
  /** The inline-completion ghost text in the active editor, once some shows. */
  waitForGhostText(options?: { timeoutMs?: number }): Promise<string>;
  /** Saves test/e2e/screenshots/<name>-<label>.png and returns its path. */
  screenshot(label: string): Promise<string>;
  /** Output channels written by the extension host so far: channel name → text. */
  outputChannels(): Record<string, string>;
  /** Resolves when the extension host log shows the extension activated. */
  waitForActivation(options?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Workspaces this process wrote, removed even if it dies on a signal mid-test.
const ownWorkspaces = new Set<string>();
process.on('exit', () => {
  for (const dir of ownWorkspaces) fs.rmSync(dir, { recursive: true, force: true });
});

function writeFiles(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-e2e-workspace-'));
  ownWorkspaces.add(dir);
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** Every file under a folder with its size and modification time, to notice any write. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    const stat = fs.lstatSync(p);
    files.set(path.relative(dir, p), e.isDirectory() ? 'dir' : `${stat.size}:${stat.mtimeMs}`);
  }
  return files;
}

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const manifest = readManifest(options.extensionDir);
  const extensionId = `${manifest.publisher}.${manifest.name}`;
  const ownWorkspace = !options.workspace;
  const workspace = options.workspace ?? writeFiles(options.files ?? { 'README.md': '# e2e workspace\n' });
  let server: CodeServerSession | undefined;
  let browser: ChromiumSession | undefined;
  const close = async () => {
    await browser?.close();
    await server?.stop();
    if (ownWorkspace) {
      fs.rmSync(workspace, { recursive: true, force: true });
      ownWorkspaces.delete(workspace);
    }
  };
  try {
    const packaged = options.packaged ?? installsVsixByDefault(options.extensionDir);
    server = await startCodeServer({
      folder: workspace,
      settings: options.settings,
      ...(packaged
        ? { vsix: [ensureVsix(options.extensionDir, (m) => process.stderr.write(`[e2e] ${m}\n`))], readOnlyExtensions: true }
        : { extensions: [options.extensionDir] }),
    });
    browser = await launchChromium({ viewport: { width: 1400, height: 900 } });
    const page = browser.page;
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return makeWorkbench(page, server, extensionId, workspace, options.name, close);
  } catch (err) {
    await close();
    throw err;
  }
}

function makeWorkbench(
  page: Page,
  server: CodeServerSession,
  extensionId: string,
  workspace: string,
  name: string,
  close: () => Promise<void>,
): Workbench {
  const extensionPath = server.installed[0];
  const installedFiles = snapshot(extensionPath);
  const palette = page.locator('.quick-input-widget');
  const paletteInput = palette.locator('input');
  const rows = palette.locator('.quick-input-list .monaco-list-row');

  async function openPalette(query: string): Promise<void> {
    await page.keyboard.press('F1');
    await paletteInput.waitFor({ state: 'visible', timeout: 10_000 });
    await paletteInput.fill(query);
  }

  function rowWithLabel(title: string): Locator {
    return rows.filter({ has: page.locator('.label-name', { hasText: title }) });
  }

  const logFiles = () => server.extensionHostLogDirs().flatMap(filesUnder);

  const wb: Workbench = {
    page,
    server,
    extensionId,
    workspace,
    extensionPath,
    assertExtensionUntouched() {
      const now = snapshot(extensionPath);
      const changed = [...new Set([...installedFiles.keys(), ...now.keys()])].filter((f) => installedFiles.get(f) !== now.get(f));
      if (changed.length) throw new Error(`the installed extension's folder ${extensionPath} was written to: ${changed.join(', ')}`);
    },
    async runCommand(title, opts = {}) {
      await openPalette(`>${title}`);
      const row = rowWithLabel(title).first();
      try {
        await row.waitFor({ timeout: opts.timeoutMs ?? 15_000 });
      } catch {
        const offered = await rows.allInnerTexts();
        await page.keyboard.press('Escape');
        throw new Error(`palette has no command "${title}"; it offers: ${offered.map((t) => t.split('\n')[0]).join(' | ') || '(nothing)'}`);
      }
      await row.click();
      await paletteInput.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
    },
    async paletteHas(title, opts = {}) {
      await openPalette(`>${title}`);
      try {
        await rowWithLabel(title).first().waitFor({ timeout: opts.timeoutMs ?? 5_000 });
        return true;
      } catch {
        return false;
      } finally {
        await page.keyboard.press('Escape');
      }
    },
    async statusBarItem(text, opts = {}) {
      const item = page.locator('.statusbar-item', { hasText: text }).first();
      try {
        await item.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 30_000 });
      } catch {
        throw new Error(`no status bar item matching ${text}; items: ${(await wb.statusBarTexts()).join(' | ')}`);
      }
      return item;
    },
    async statusBarTexts() {
      const texts = await page.locator('.statusbar-item').allInnerTexts();
      return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
    },
    async openFile(relativePath) {
      if (!fs.existsSync(path.join(workspace, relativePath))) throw new Error(`no ${relativePath} in ${workspace}`);
      await page.keyboard.press('Control+P');
      await paletteInput.waitFor({ state: 'visible', timeout: 10_000 });
      await paletteInput.fill(relativePath);
      await rowWithLabel(path.basename(relativePath)).first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.locator(`.tab[data-resource-name="${path.basename(relativePath)}"]`).first().waitFor({ timeout: 15_000 });
      await page.locator('.monaco-editor .view-lines').first().click();
    },
    async waitForGhostText(opts = {}) {
      const ghost = page.locator('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text-decoration-preview').first();
      await ghost.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 30_000 });
      return (await ghost.innerText()).trim();
    },
    async screenshot(label) {
      fs.mkdirSync(screenshotDir, { recursive: true });
      const file = path.join(screenshotDir, `${name}-${label}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    outputChannels() {
      const channels: Record<string, string> = {};
      for (const file of logFiles()) {
        // Plain channels: output_logging_<ts>/<n>-<Channel>.log; log channels
        // (createOutputChannel(name, { log: true })): <publisher.name>/<Channel>.log.
        const m = /output_logging_[^/]+\/\d+-(.+)\.log$/.exec(file) ?? /\/[\w-]+\.[\w-]+\/([^/]+)\.log$/.exec(file);
        if (m) channels[m[1]] = fs.readFileSync(file, 'utf8');
      }
      return channels;
    },
    async waitForActivation(opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
      const pattern = new RegExp(`ExtensionService#_doActivateExtension ${extensionId.replace(/\./g, '\\.')}\\b`, 'i');
      while (Date.now() < deadline) {
        for (const file of logFiles()) {
          if (/exthost\.log$/.test(file) && pattern.test(fs.readFileSync(file, 'utf8'))) return;
        }
        await sleep(250);
      }
      throw new Error(`${extensionId} did not activate within ${(opts.timeoutMs ?? 60_000) / 1000} s (logs: ${server.userDataDir}/logs)`);
    },
    close,
  };
  return wb;
}

/**
 * Opens a workbench, runs `fn`, and always shuts everything down. On failure it saves a
 * `<name>-failure.png` screenshot and prints the extension's output channels before rethrowing.
 */
export async function withWorkbench<T>(options: WorkbenchOptions, fn: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = await openWorkbench(options);
  try {
    const result = await fn(wb);
    // Models, caches and logs belong in VS Code's storage folders, never in the extension's.
    wb.assertExtensionUntouched();
    return result;
  } catch (err) {
    const shot = await wb.screenshot('failure').catch(() => undefined);
    const channels = wb.outputChannels();
    process.stderr.write(`e2e failure in ${options.name}${shot ? `; screenshot: ${path.relative(repoRoot, shot)}` : ''}\n`);
    for (const [channel, text] of Object.entries(channels)) {
      process.stderr.write(`--- output channel "${channel}" (last 40 lines) ---\n${text.split('\n').slice(-40).join('\n')}\n`);
    }
    throw err;
  } finally {
    await wb.close();
  }
}
