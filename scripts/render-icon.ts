// Renders media/icon.svg to media/icon.png (128×128, transparent corners) with the system
// Chromium, for the marketplace, which wants a PNG. Run after editing the SVG:
//   npx tsx scripts/render-icon.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium } from './browser';

async function main(): Promise<void> {
  const media = path.join(__dirname, '..', 'media');
  const svg = fs.readFileSync(path.join(media, 'icon.svg'), 'utf8');
  const browser = await launchChromium({ viewport: { width: 128, height: 128 } });
  try {
    await browser.page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    const png = await browser.page.locator('svg').screenshot({ omitBackground: true });
    fs.writeFileSync(path.join(media, 'icon.png'), png);
    console.log(`media/icon.png: ${png.length} bytes`);
  } finally {
    await browser.close();
  }
}

void main();
