// Headless Chromium for driving the workbench: the system's Chromium (Debian package), never
// a browser downloaded by `playwright install`.
import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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

export function launchChromium(options: { headless?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: options.headless ?? true,
    args: [
      '--no-sandbox', // root in CI containers
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
