// The map's webview page on its own in headless Chromium, with a scripted extension on the
// other side of postMessage: 50,000 points drawn (time printed), search, isolate, click →
// neighbour list, colour modes, 3-D toggle, state kept across a reload, and workspace
// strings that look like markup shown as text. Fast (no code-server); map.e2e.ts covers the
// real VS Code path.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { launchChromium } from '../../scripts/browser';
import type { ToHost, ToWebview } from '../../src/mapMessages';
import { parseToHost } from '../../src/mapMessages';
import { repoRoot, screenshotDir } from './harness';

const N = 50_000;
const EVIL = '<img src=x onerror="window.__pwned=1">';

/** Words with planted structure: 20 groups around separate centres, Zipf-like counts. */
function fixture() {
  const words: string[] = [];
  const counts: number[] = [];
  const kinds: string[] = [];
  const coords: number[] = [];
  let seed = 1;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const named = ['the', 'function', 'return', 'const', EVIL, 'tensor', 'matrix', 'vector', 'model', 'layer'];
  for (let i = 0; i < N; i++) {
    const group = i % 20;
    const angle = (group / 20) * Math.PI * 2;
    const r = 0.5 + 0.3 * (group % 3);
    coords.push(Math.cos(angle) * r + (rand() - 0.5) * 0.18, Math.sin(angle) * r + (rand() - 0.5) * 0.18);
    words.push(i < named.length ? named[i] : `w${group}_${i}`);
    counts.push(Math.max(1, Math.round(1e6 / (i + 1))));
    kinds.push(i % 7 === 0 ? 'keyword' : i % 5 === 0 ? 'punctuation' : 'identifier');
  }
  return { words, counts, kinds, coords };
}

test('the map page draws 50k points, searches, lists neighbours, switches colours, keeps state, escapes words', { timeout: 120_000 }, async () => {
  const bundle = await build({ entryPoints: [path.join(repoRoot, 'webview', 'main.ts')], bundle: true, format: 'iife', target: 'es2020', write: false, logLevel: 'silent' });
  const script = bundle.outputFiles[0].text;
  const css = fs.readFileSync(path.join(repoRoot, 'media', 'map', 'map.css'), 'utf8');
  // A few of VS Code's dark theme variables, as the workbench would set them.
  const theme = `body{--vscode-editor-background:#1e1e1e;--vscode-editor-foreground:#d4d4d4;--vscode-foreground:#cccccc;--vscode-focusBorder:#007fd4;--vscode-descriptionForeground:#9d9d9d;--vscode-input-background:#3c3c3c;--vscode-input-foreground:#cccccc;--vscode-sideBar-background:#252526;--vscode-button-background:#0e639c;--vscode-button-foreground:#fff;--vscode-charts-orange:#d18616;--vscode-charts-blue:#3794ff;--vscode-font-family:sans-serif;--vscode-editor-font-family:monospace;--vscode-list-hoverBackground:#2a2d2e;--vscode-dropdown-background:#3c3c3c;--vscode-dropdown-foreground:#f0f0f0;--vscode-editorHoverWidget-background:#252526;--vscode-panel-border:#80808059}`;
  const data = fixture();
  const received: ToHost[] = [];
  const session = await launchChromium({ viewport: { width: 1300, height: 820 } });
  try {
    const { page } = session;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const send = (m: ToWebview) => page.evaluate((msg) => window.postMessage(msg, '*'), m);
    await page.exposeFunction('__toHost', async (raw: unknown) => {
      const m = parseToHost(raw); // what the page sends must pass the extension's check
      received.push(m);
      if (m.type === 'ready') {
        await send({
          type: 'info',
          modelPath: '/models/fixture',
          kind: 'lstm',
          tokenizer: 'code',
          words: data.words,
          counts: data.counts,
          kinds: data.kinds,
          facts: { vocab: N, dim: 64, tokens: 2_088_628, backend: 'wasm', validPpl: 141.7, createdAt: '2026-11-28T14:00:00.000Z' },
          curve: Array.from({ length: 40 }, (_, i) => ({ step: (i + 1) * 50, loss: 7 - 2.2 * Math.log1p(i) / Math.log(41), ...(i % 8 === 7 ? { validPpl: 600 / (1 + i / 10) } : {}) })),
        });
      } else if (m.type === 'project') {
        const dims = m.dims;
        const coords = dims === 2 ? data.coords : data.coords.flatMap((v, i) => (i % 2 ? [v, Math.sin(i) * 0.3] : [v]));
        await send({ type: 'frame', stage: 'pca', epoch: 0, epochs: 200, dims, coords: coords.map((v) => v * 0.5), cached: false });
        await send({ type: 'frame', stage: 'umap', epoch: 200, epochs: 200, dims, coords, cached: false });
      } else if (m.type === 'analogy') {
        await send(
          m.a === 'nosuchword'
            ? { type: 'analogy', seq: m.seq, unknown: ['nosuchword'], results: [] }
            : { type: 'analogy', seq: m.seq, unknown: [], results: [{ word: 'vector', score: 0.71 }, { word: 'layer', score: 0.64 }] },
        );
      } else if (m.type === 'neighbors') {
        await send({ type: 'neighbors', seq: m.seq, word: m.word, known: true, metric: m.metric, neighbors: [EVIL, 'tensor', 'matrix', 'w3_23'].slice(0, m.k).map((word, i) => ({ word, score: 0.9 - i * 0.1 })) });
      }
    });
    // A string, not a function: tsx's name helpers do not exist inside the page.
    await page.addInitScript(`
      let saved;
      window.acquireVsCodeApi = () => ({
        postMessage: (m) => window.__toHost(m),
        getState: () => saved ?? JSON.parse(sessionStorage.getItem('state') ?? 'null'),
        setState: (s) => { saved = s; sessionStorage.setItem('state', JSON.stringify(s)); },
      });
    `);
    await page.route('http://wordlens.test/', (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!DOCTYPE html><html><head><style>${theme}</style><style>${css}</style></head><body class="vscode-dark"><div id="app"></div><script>${script}</script></body></html>` }),
    );
    await page.goto('http://wordlens.test/');

    const status = page.getByTestId('status');
    await page
      .waitForFunction(() => /UMAP done/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), undefined, { timeout: 20_000 })
      .catch(async (e: Error) => {
        throw new Error(`${e.message}; status "${await status.textContent()}", page errors: ${errors.join(' | ') || 'none'}, received: ${received.map((m) => m.type).join(',')}`);
      });
    assert.match((await status.textContent())!, /^50,000 points · UMAP done/);
    // Redraw a few times (pan by keyboard-free wheel zoom) and report the last frame's timing.
    const canvasBox = (await page.getByTestId('map-canvas').boundingBox())!;
    await page.mouse.move(canvasBox.x + canvasBox.width / 2, canvasBox.y + canvasBox.height / 2);
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      await page.mouse.wheel(0, i % 2 ? 100 : -100);
      await page.waitForTimeout(60);
      times.push(Number(/drawn in ([\d.]+) ms/.exec((await status.getAttribute('title')) ?? '')?.[1]));
    }
    const median = [...times].sort((a, b) => a - b)[4];
    console.log(`map page: 50,000 points, median frame ${median.toFixed(1)} ms over 9 redraws (last: ${await status.getAttribute('title')}); 2-D canvas, headless Chromium, software rendering`);

    // Points are really on the canvas: many non-background pixels.
    const painted = await page.getByTestId('map-canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 30) + Math.abs(d[i + 1] - 30) + Math.abs(d[i + 2] - 30) > 40) n++;
      return n;
    });
    assert.ok(painted > 20_000, `only ${painted} painted pixels`);
    await page.screenshot({ path: path.join(screenshotDir, 'map-page-frequency.png') });

    // Search: plain text counts matches; a bad regex says so instead of throwing.
    await page.getByTestId('search').fill('w3_');
    await page.waitForFunction(() => /words match/.test(document.querySelector('[data-testid=search-info]')?.textContent ?? ''));
    const expected = data.words.filter((w) => w.includes('w3_')).length;
    assert.equal(await page.getByTestId('search-info').textContent(), `${expected.toLocaleString('en-US')} of 50,000 words match`);
    await page.getByTestId('isolate').check();
    await page.screenshot({ path: path.join(screenshotDir, 'map-page-isolate.png') });
    await page.getByTestId('search').fill('/w(3/');
    await page.waitForFunction(() => /invalid regular expression/.test(document.querySelector('[data-testid=search-info]')?.textContent ?? ''));
    await page.getByTestId('search').fill('/^(tensor|matrix)$/');
    await page.waitForFunction(() => /^2 of/.test(document.querySelector('[data-testid=search-info]')?.textContent ?? ''));
    await page.getByTestId('isolate').uncheck();

    // Enter selects the most frequent match; its neighbours are listed (markup shown as text).
    await page.getByTestId('search').press('Enter');
    await page.getByTestId('neighbor-row').first().waitFor();
    const rows = await page.getByTestId('neighbor-row').allTextContents();
    assert.equal(rows.length, 4);
    assert.ok(rows[0].includes(EVIL), `first row shows the word as text: ${rows[0]}`);
    assert.equal(await page.getByTestId('selected-word').locator('.word').textContent(), 'tensor');
    const last = received.filter((m) => m.type === 'neighbors').at(-1);
    assert.deepEqual(last && { word: (last as { word: string }).word, k: (last as { k: number }).k }, { word: 'tensor', k: 12 });

    // Enter also re-centres on the word (a 350 ms animation that ends by saving the view):
    // once it has settled, the point under the canvas centre is "tensor".
    const box = (await page.getByTestId('map-canvas').boundingBox())!;
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const settledOn = async (word: string) => {
      let seen = '';
      for (let i = 0; i < 40 && seen !== word; i++) {
        await page.waitForTimeout(100);
        await page.mouse.move(centre.x + (i % 2), centre.y); // a real move, so the tooltip updates
        await page.mouse.move(centre.x, centre.y);
        seen = (await page.getByTestId('tooltip').locator('.word').textContent().catch(() => '')) ?? '';
      }
      return seen;
    };
    assert.equal(await settledOn('tensor'), 'tensor', 'Enter centres the map on the selected word');

    // Double-click on another point centres on it too.
    const off = { x: centre.x + 90, y: centre.y + 40 };
    await page.mouse.move(off.x, off.y);
    const other = await page.getByTestId('tooltip').locator('.word').textContent();
    assert.ok(other && other !== 'tensor', `a point under the cursor before the double-click: ${other}`);
    await page.mouse.dblclick(off.x, off.y);
    assert.equal(await settledOn(other), other, 'double-click centres the map on the point');

    // Fit, then clicking a point on the canvas selects it (the page answers asynchronously).
    await page.getByTestId('reset-view').click();
    await page.waitForTimeout(100);
    const before = received.filter((m) => m.type === 'neighbors').length;
    const target = await page.evaluate(() => {
      const c = document.querySelector('canvas')!;
      return { w: c.clientWidth, h: c.clientHeight };
    });
    // Group 0 sits at angle 0, radius 0.5 (before the map is scaled into [-1, 1]): to the
    // right of the centre, somewhere between 0.3 and 0.6 of the view's half-size.
    let clicked = false;
    for (let f = 0.3; f < 0.6 && !clicked; f += 0.02) {
      await page.mouse.click(box.x + target.w / 2 + f * 0.46 * Math.min(target.w, target.h), box.y + target.h / 2);
      for (let t = 0; t < 10 && !clicked; t++) {
        await page.waitForTimeout(50);
        clicked = received.filter((m) => m.type === 'neighbors').length > before;
      }
    }
    assert.ok(clicked, 'a click on a point asks for its neighbours');

    // Analogy: a − b + c answered and listed; unknown words are named.
    await page.getByTestId('analogy-a').fill('tensor');
    await page.getByTestId('analogy-b').fill('matrix');
    await page.getByTestId('analogy-c').fill('model');
    await page.getByTestId('analogy-go').click();
    await page.getByTestId('analogy-row').first().waitFor();
    assert.deepEqual(await page.getByTestId('analogy-row').allTextContents(), ['vector0.710', 'layer0.640']);
    assert.equal(await page.getByTestId('analogy-info').textContent(), 'tensor − matrix + model ≈');
    await page.getByTestId('analogy-a').fill('nosuchword');
    await page.getByTestId('analogy-go').click();
    await page.getByTestId('analogy-info').filter({ hasText: 'Not in the vocabulary: nosuchword' }).waitFor();
    assert.equal(await page.getByTestId('analogy-row').count(), 0);

    // Colour modes: the legend follows.
    await page.getByTestId('color-mode').selectOption('kind');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=legend-item]').length === 3);
    // Largest kind first, each with its count.
    assert.deepEqual(await page.getByTestId('legend-item').allTextContents(), ['identifier34,286', 'punctuation8,571', 'keyword7,143']);
    await page.getByTestId('color-mode').selectOption('cluster');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=legend-item]').length >= 8);
    await page.screenshot({ path: path.join(screenshotDir, 'map-page-cluster.png') });

    // 3-D: asks for a 3-D projection and draws it.
    await page.getByTestId('toggle-3d').click();
    await page.waitForFunction(() => /3-D/.test(document.querySelector('[data-testid=status]')?.textContent ?? '') && /UMAP done/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    assert.ok(received.some((m) => m.type === 'project' && m.dims === 3));
    await page.mouse.move(box.x + 300, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + 380, box.y + 340, { steps: 5 });
    await page.mouse.up();
    await page.screenshot({ path: path.join(screenshotDir, 'map-page-3d.png') });

    // Reload: the state comes back (search, colour mode, dims, selection).
    await page.reload();
    await page.waitForFunction(() => /UMAP done/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    assert.equal(await page.getByTestId('search').inputValue(), '/^(tensor|matrix)$/');
    assert.equal(await page.getByTestId('color-mode').inputValue(), 'cluster');
    assert.match((await status.textContent())!, /3-D/);

    // A light theme (VS Code swaps the body class and the variables): the map redraws in it.
    await page.evaluate(() => {
      document.body.style.cssText =
        '--vscode-editor-background:#ffffff;--vscode-editor-foreground:#1f1f1f;--vscode-foreground:#3b3b3b;--vscode-sideBar-background:#f8f8f8;--vscode-input-background:#ffffff;--vscode-input-foreground:#1f1f1f;--vscode-descriptionForeground:#717171;--vscode-dropdown-background:#ffffff;--vscode-dropdown-foreground:#1f1f1f';
      document.body.className = 'vscode-light';
    });
    await page.getByTestId('toggle-3d').click();
    await page.getByTestId('color-mode').selectOption('frequency');
    await page.waitForTimeout(200);
    const corner = await page.getByTestId('map-canvas').evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(1, 1, 1, 1).data));
    assert.deepEqual(corner, [255, 255, 255, 255], 'the canvas background follows the theme');
    await page.screenshot({ path: path.join(screenshotDir, 'map-page-light.png') });

    // Nothing from the workspace became markup; nothing ran.
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(dialogs, 0);
    assert.deepEqual(errors, []);
  } finally {
    await session.close();
  }
});
