// A map of 200,000 words in the real VS Code (code-server + Chromium), drawn by WebGL 2: a
// generated 200k × 16 word2vec text file imported with Import Vectors… (through code-server's
// file dialog), the map opened, the points read back from the canvas, hover and click picking
// a word, search finding one, and the frames per second while panning, counted in the page by
// requestAnimationFrame (printed, not asserted: this machine renders WebGL in software).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, withWorkbench } from './harness';

const N = 200_000;
const DIM = 16;

/** word2vec text: 40 clusters of uneven size; a few real words first (the most frequent ones). */
function vectorsFile(file: string): void {
  let seed = 9;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const centres = Array.from({ length: 40 }, () => Array.from({ length: DIM }, () => rand() * 2 - 1));
  const named = ['the', 'of', 'and', 'zebra', 'giraffe'];
  const lines = [`${N} ${DIM}`];
  for (let i = 0; i < N; i++) {
    const c = centres[Math.floor(rand() ** 2 * 40)];
    lines.push(`${i < named.length ? named[i] : `w${i}`} ${c.map((v) => (v + (rand() - 0.5) * 0.6).toFixed(4)).join(' ')}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

test('a 200k-word map in VS Code: imported, drawn by WebGL, picked by hover and click, searched, panned', { timeout: 600_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-200k-'));
  const file = path.join(dir, 'vectors-200k.vec');
  vectorsFile(file);
  try {
    await withWorkbench(
      { extensionDir: repoRoot, name: 'map', files: { 'README.md': 'A folder to open.\n' }, settings: { 'wordlens.map.renderer': 'webgl' } },
      async (wb) => {
        const { page } = wb;
        await wb.waitForActivation();
        await wb.statusBarItem(/Wordlens: none/, { timeoutMs: 60_000 });
        // Import Vectors…: code-server's simple file dialog takes a typed path.
        await wb.runCommand('Wordlens: Import Vectors…');
        const dialogInput = page.locator('.quick-input-widget input');
        await dialogInput.waitFor({ state: 'visible', timeout: 15_000 });
        // The dialog first lists the workspace folder (which would reset a path typed too early),
        // then lists the file's folder as the path is typed; accept once it has settled on the file.
        const quickInput = page.locator('.quick-input-widget');
        await quickInput.getByText('README.md').waitFor({ timeout: 15_000 });
        for (let attempt = 1; ; attempt++) {
          await dialogInput.fill(file);
          await quickInput.getByText('vectors-200k.vec').waitFor({ timeout: 15_000 });
          if ((await dialogInput.inputValue()) === file) {
            await quickInput.getByRole('button', { name: 'Import Vectors' }).click();
            if (await quickInput.waitFor({ state: 'hidden', timeout: 10_000 }).then(() => true, () => false)) break;
          }
          assert.ok(attempt < 3, `the file dialog did not take ${file}`);
        }
        await wb.statusBarItem(/Wordlens: ready · V=200,00\d/, { timeoutMs: 180_000 });

        const opened = Date.now();
        await wb.runCommand('Wordlens: Open Embedding Map');
        const map = page.frameLocator('iframe.webview').frameLocator('#active-frame');
        const status = map.getByTestId('status');
        await status.filter({ hasText: /^200,00\d points · (PCA|UMAP)/ }).waitFor({ timeout: 180_000 });
        const firstPicture = (Date.now() - opened) / 1000;
        const canvas = map.getByTestId('map-canvas');
        assert.equal(await canvas.getAttribute('data-renderer'), 'webgl2', 'the WebGL 2 renderer drew the map');
        await page.waitForTimeout(500);

        // The points are really drawn: copy the WebGL canvas into a 2-D one and count non-background pixels.
        const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
          const copy = document.createElement('canvas');
          copy.width = c.width;
          copy.height = c.height;
          const ctx = copy.getContext('2d')!;
          ctx.drawImage(c, 0, 0);
          const d = ctx.getImageData(0, 0, c.width, c.height).data;
          let count = 0;
          for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 24) count++;
          return { count, total: d.length / 4 };
        });
        assert.ok(painted.count > 20_000, `only ${painted.count} of ${painted.total} pixels show points`);
        await wb.screenshot('200k');

        // Search finds the one word; Enter selects it and its neighbours (in the 16-D space) come back.
        await map.getByTestId('search').fill('zebra');
        await map.getByTestId('search-info').filter({ hasText: /^1 of 200,00\d words match/ }).waitFor({ timeout: 30_000 });
        await map.getByTestId('search').press('Enter');
        await map.getByTestId('selected-word').locator('.word').filter({ hasText: /^zebra$/ }).waitFor({ timeout: 30_000 });
        await map.getByTestId('neighbor-row').first().waitFor({ timeout: 60_000 });
        await map.getByTestId('search').fill('');

        // Hover: walk the canvas, away from "zebra" (centred by the search), until the tooltip
        // names another word; a click there selects a word other than "zebra".
        const box = (await canvas.boundingBox())!;
        let hovered: string | undefined;
        let at = { x: 0, y: 0 };
        for (let k = 0; k < 80 && (!hovered || hovered === 'zebra'); k++) {
          at = { x: box.x + box.width / 2 + Math.cos(k) * (40 + k * 4), y: box.y + box.height / 2 + Math.sin(k) * (30 + k * 3) };
          await page.mouse.move(at.x, at.y);
          await page.waitForTimeout(60);
          const tip = map.getByTestId('tooltip');
          if (await tip.isVisible()) hovered = (await tip.locator('.word').textContent()) ?? undefined;
        }
        assert.ok(hovered && hovered !== 'zebra', `hovering the map names a word (${hovered})`);
        await page.mouse.click(at.x, at.y);
        const selectedWord = map.getByTestId('selected-word').locator('.word');
        await selectedWord.filter({ hasNotText: /^zebra$/ }).waitFor({ timeout: 15_000 });
        const selected = await selectedWord.textContent();
        // UMAP frames keep arriving and move the points, so the click may land on a neighbour of the hovered word.
        assert.match(selected ?? '', /^(w\d+|the|of|and|giraffe|<unk>)$/, `a click selects a word (hovered "${hovered}")`);

        // Frames per second while panning: the mouse is really pressed, then every animation
        // frame moves it a little (a pointer event dispatched in the page), so every frame redraws.
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        // A string run in the webview's frame, not a function: tsx's name helpers do not exist in the page.
        const frame = (await page.frameLocator('iframe.webview').locator('#active-frame').elementHandle())!.contentFrame();
        const frames = (await (await frame)!.evaluate(`new Promise((done) => {
          const c = document.querySelector('[data-testid=map-canvas]');
          const r = c.getBoundingClientRect();
          const times = [];
          const tick = (t) => {
            times.push(t);
            const k = times.length;
            c.dispatchEvent(new PointerEvent('pointermove', { pointerId: 1, bubbles: true, clientX: r.left + r.width / 2 + 150 * Math.sin(k / 12), clientY: r.top + r.height / 2 + 90 * Math.cos(k / 17) }));
            if (t - times[0] < 4000) requestAnimationFrame(tick);
            else done(times);
          };
          requestAnimationFrame(tick);
        })`)) as number[];
        await page.mouse.up();
        const fps = (frames.length - 1) / ((frames.at(-1)! - frames[0]) / 1000);
        assert.ok(frames.length > 2, 'the page drew while panning');
        const title = await status.getAttribute('title');
        console.log(
          `e2e map 200k: first picture ${firstPicture.toFixed(1)} s after Open Embedding Map; ${painted.count} of ${painted.total} pixels painted; ` +
            `panning ${fps.toFixed(1)} fps over ${frames.length} frames (WebGL 2 in SwiftShader: no GPU here); last frame: ${title}; hovered "${hovered}", clicked "${selected}"`,
        );
        await wb.screenshot('200k-panned');
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
