// Drawing the embedding map at 50k / 200k / 1M points in headless Chromium (software
// rendering: SwiftShader for WebGL, no GPU on this machine): the real webview bundle on a page
// with the real Content-Security-Policy (mapHtml.ts), fed by a scripted extension that sends
// the coordinates as a Float32Array, as the compact form of the frame message. For each
// renderer (WebGL 2, and the 2-D canvas fallback via ?renderer=canvas) it reports the time to
// the first picture, frames per second while the mouse pans the map (counted in the page by
// requestAnimationFrame), and the page's own per-frame timing.
// Run: npx tsx bench/map-render.ts [--sizes 50000,200000,1000000] [--seconds 4]
import * as fs from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { launchChromium } from '../scripts/browser';
import { mapPage } from '../src/client/mapHtml';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const sizes = arg('sizes', '50000,200000,1000000').split(',').map(Number);
const seconds = Number(arg('seconds', '4'));
const root = path.resolve(__dirname, '..');

/** The scripted extension, run in the page before the bundle: n words in 40 Gaussian clusters of uneven size, Zipf counts. */
const fakeExtension = (n: number) => `
  window.acquireVsCodeApi = () => ({
    getState: () => null,
    setState: () => {},
    postMessage: (m) => {
      if (m.type === 'ready') {
        window.__t0 = performance.now();
        const words = [], counts = [], kinds = [];
        for (let i = 0; i < ${n}; i++) { words.push('w' + i); counts.push(Math.max(1, Math.round(1e7 / (i + 1)))); kinds.push(i % 7 ? 'word' : 'number'); }
        window.postMessage({ type: 'info', modelPath: '/bench', kind: 'vectors', tokenizer: 'whitespace', words, counts, kinds,
          facts: { vocab: ${n}, dim: 300, tokens: null, backend: null, validPpl: null, createdAt: '2026-12-05T00:00:00Z' }, curve: [] }, '*');
      } else if (m.type === 'project') {
        let s = 7;
        const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
        const centres = Array.from({ length: 40 }, () => [rand() * 1.6 - 0.8, rand() * 1.6 - 0.8, 0.02 + rand() * 0.12]);
        const coords = new Float32Array(${n} * m.dims);
        for (let i = 0; i < ${n}; i++) {
          const c = centres[Math.floor(rand() ** 2 * 40)];
          for (let d = 0; d < m.dims; d++) coords[i * m.dims + d] = Math.max(-1, Math.min(1, (c[d] ?? 0) + gauss() * c[2]));
        }
        window.postMessage({ type: 'frame', stage: 'umap', epoch: 200, epochs: 200, dims: m.dims, coords, cached: true }, '*');
      }
    },
  });`;

async function main() {
  await build({ entryPoints: { map: path.join(root, 'webview', 'main.ts') }, outdir: '/tmp/wordlens-bench-map', bundle: true, format: 'iife', target: 'es2020', minify: true, logLevel: 'silent' });
  const script = fs.readFileSync('/tmp/wordlens-bench-map/map.js', 'utf8');
  const css = fs.readFileSync(path.join(root, 'media', 'map.css'), 'utf8');
  const theme = 'body{--vscode-editor-background:#1e1e1e;--vscode-editor-foreground:#d4d4d4;--vscode-focusBorder:#007fd4;--vscode-charts-orange:#d18616;--vscode-font-family:sans-serif}';
  console.log(`webview bundle ${(script.length / 1024).toFixed(0)} KiB minified; load ${loadavg()[0].toFixed(2)}; ${seconds} s of panning per case`);
  const session = await launchChromium({ viewport: { width: 1400, height: 900 }, gpu: process.argv.includes('--gpu') });
  const { page } = session;
  const origin = 'http://wordlens.test';
  // The page exactly as the extension builds it, CSP included: a violation would stop the bundle.
  await page.route((url) => url.origin === origin && url.pathname === "/", (r) => r.fulfill({ contentType: 'text/html', body: mapPage({ cspSource: origin, script: `${origin}/map.js`, style: `${origin}/map.css` }).replace('<body>', '<body class="vscode-dark">') }));
  await page.route(`${origin}/map.js`, (r) => r.fulfill({ contentType: 'text/javascript', body: script }));
  await page.route(`${origin}/map.css`, (r) => r.fulfill({ contentType: 'text/css', body: css + theme }));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const rows: string[] = [];
  try {
    for (const n of sizes) {
      for (const renderer of (arg('renderers', 'webgl2,webgl2-flat,canvas')).split(',')) {
        await page.addInitScript(fakeExtension(n));
        await page.goto(`${origin}/?renderer=${renderer === 'canvas' ? 'canvas' : 'webgl'}${renderer === 'webgl2-flat' ? '&density=off' : ''}`);
        await page.waitForFunction(() => /\(cached\)/.test(document.querySelector('[data-testid=status]')?.textContent ?? '') && (document.querySelector('[data-testid=status]') as HTMLElement).title !== '', undefined, { timeout: 180_000, polling: 50 });
        const first = await page.evaluate(() => performance.now() - (window as unknown as { __t0: number }).__t0);
        const box = (await page.getByTestId('map-canvas').boundingBox())!;
        const x0 = box.x + box.width / 2, y0 = box.y + box.height / 2;
        await page.mouse.move(x0, y0);
        await page.mouse.down();
        // Every animation frame moves the (really pressed) mouse a little, so every frame pans and
        // redraws: the frames counted are frames drawn. A string, not a function: tsx's name
        // helpers do not exist inside the page.
        const frames = (await page.evaluate(`new Promise((done) => {
          const canvas = document.querySelector('[data-testid=map-canvas]');
          const frames = [];
          const tick = (t) => {
            frames.push(t);
            const k = frames.length;
            canvas.dispatchEvent(new PointerEvent('pointermove', { pointerId: 1, bubbles: true, clientX: ${x0} + 200 * Math.sin(k / 15), clientY: ${y0} + 120 * Math.cos(k / 23) }));
            if (t - frames[0] < ${seconds * 1000}) requestAnimationFrame(tick);
            else done(frames);
          };
          requestAnimationFrame(tick);
        })`)) as number[];
        await page.mouse.up();
        const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
        const fps = (frames.length - 1) / ((frames.at(-1)! - frames[0]) / 1000);
        const title = await page.getByTestId('status').getAttribute('title');
        const line = `${n.toLocaleString('en')} points, ${renderer}: first picture ${(first / 1000).toFixed(2)} s; panning ${fps.toFixed(1)} fps (median frame gap ${gaps[gaps.length >> 1].toFixed(1)} ms, p90 ${gaps[Math.floor(gaps.length * 0.9)].toFixed(1)} ms); page: ${title}`;
        console.log(line);
        rows.push(line);
        await page.screenshot({ path: `/tmp/wordlens-bench-map/${renderer}-${n}.png` });
      }
    }
  } finally {
    await session.close();
  }
  if (errors.length) console.log(`page errors: ${errors.join(' | ')}`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
