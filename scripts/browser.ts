// Headless Chromium for driving the workbench: the system's Chromium (Debian package), never
// a browser downloaded by `playwright install`. Its profile and downloads live in one temporary
// folder that is removed on close, and also when the process exits on a signal.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(`no Chromium found (looked at ${candidates.join(', ')}); install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return found;
}

export interface ChromiumSession {
  context: BrowserContext;
  /** The window's first tab. */
  page: Page;
  close(): Promise<void>;
}

const roots = new Set<string>();
process.on('exit', () => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

export async function launchChromium(options: { headless?: boolean; viewport?: { width: number; height: number }; /** Keep the GPU process (WebGL through SwiftShader when there is no GPU) instead of --disable-gpu. */ gpu?: boolean } = {}): Promise<ChromiumSession> {
  const executablePath = findChromium();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-chromium-'));
  roots.add(root);
  const cleanup = () => {
    fs.rmSync(root, { recursive: true, force: true });
    roots.delete(root);
  };
  let context: BrowserContext;
  try {
    // A persistent context only so the profile folder is ours to remove (launch() leaves
    // playwright_chromiumdev_profile-* behind when the process is killed).
    context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
      executablePath,
      headless: options.headless ?? true,
      downloadsPath: path.join(root, 'downloads'),
      viewport: options.viewport ?? { width: 1400, height: 900 },
      args: [
        '--no-sandbox', // root in CI containers
        ...(options.gpu ? [] : ['--disable-gpu']),
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  } catch (err) {
    cleanup();
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      cleanup();
    },
  };
}
