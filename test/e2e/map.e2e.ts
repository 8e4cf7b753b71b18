// The embedding map in a real VS Code (code-server + Chromium): train a small model from the
// palette, open the map from the palette, wait until every word is drawn and UMAP has
// finished, search a word and select it, click it on the canvas, read its neighbours, switch
// the colouring, check that a workspace word that looks like markup is shown as text, follow
// the OS into dark and high-contrast themes, and save screenshots.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, withWorkbench } from './harness';

async function waitForFile(file: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file) || fs.statSync(file).size === 0) {
    if (Date.now() > deadline) throw new Error(`${file} was not written within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Prose with planted topics: words of one topic share contexts, so they end up near each other. */
function corpus(): string {
  const topics = [
    ['cat', 'dog', 'horse', 'rabbit', 'mouse', 'goat', 'sheep', 'cow'],
    ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'black', 'white'],
    ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'],
    ['paris', 'london', 'berlin', 'madrid', 'rome', 'vienna', 'prague', 'lisbon'],
  ];
  const frames = [
    ['the', 'small', '@', 'ran', 'across', 'the', 'field'],
    ['she', 'painted', 'the', 'door', '@', 'yesterday'],
    ['we', 'counted', '@', 'apples', 'on', 'the', 'table'],
    ['they', 'flew', 'to', '@', 'for', 'the', 'summer'],
  ];
  let seed = 3;
  // High bits: an LCG's low bits repeat with a short period.
  const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 16) % n;
  const lines: string[] = [];
  for (let i = 0; i < 2500; i++) {
    const t = rand(topics.length);
    lines.push(frames[t].map((w) => (w === '@' ? topics[t][rand(8)] : w)).join(' '));
  }
  // A token that looks like markup (it must reach the page as text), spread through the file:
  // the last tenth of each file's lines is held out for validation and not in the vocabulary.
  for (let i = 0; i < 30; i++) lines.splice(i * 80, 0, 'the page said <img src=x onerror=alert(1)> again');
  return lines.join('\n') + '\n';
}

test('embedding map: palette → every word drawn, UMAP streamed, search, click, neighbours, colours', { timeout: 540_000 }, async () => {
  const started = Date.now();
  await withWorkbench(
    {
      extensionDir: repoRoot,
      name: 'map',
      files: { 'notes/story.txt': corpus() },
      settings: { 'wordlens.trainingBudgetMinutes': 0.25, 'wordlens.tokenizer': 'whitespace', 'wordlens.modelSize': 'small', 'window.autoDetectColorScheme': true },
    },
    async (wb) => {
      const { page } = wb;
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs++;
        void d.dismiss();
      });
      await wb.waitForActivation();
      await wb.statusBarItem(/Wordlens: none/, { timeoutMs: 60_000 });
      await wb.runCommand('Wordlens: Train on Workspace');
      const ready = await wb.statusBarItem(/Wordlens: ready · V=\d/, { timeoutMs: 240_000 });
      const vocab = Number(/V=([\d,]+)/.exec(await ready.innerText())![1].replace(/,/g, ''));

      await wb.runCommand('Wordlens: Open Embedding Map');
      const map = page.frameLocator('iframe.webview').frameLocator('#active-frame');
      const status = map.getByTestId('status');
      // On a quiet machine a small map's UMAP can finish (~0.7 s) before the first look, so any
      // picture counts here; the frames' order (PCA, then UMAP epochs) is tested in projectionWorker.test.ts.
      await status.filter({ hasText: /points · (UMAP epoch \d+\/\d+|PCA|UMAP done|UMAP \(cached\))/ }).waitFor({ timeout: 60_000 });
      const firstStatus = await status.textContent();
      await status.filter({ hasText: /UMAP done|UMAP \(cached\)/ }).waitFor({ timeout: 120_000 });
      const finalStatus = (await status.textContent())!;
      assert.match(finalStatus, new RegExp(`^${vocab.toLocaleString('en-US')} points`), 'every vocabulary entry is on the map');
      await wb.screenshot('opened');

      // The points are really drawn: count pixels that differ from the background.
      // Read through a 2-D copy: the map canvas may be WebGL (its drawing buffer is preserved).
      const painted = await map.getByTestId('map-canvas').evaluate((c: HTMLCanvasElement) => {
        const d = ((x) => (x.drawImage(c, 0, 0), x))(Object.assign(document.createElement('canvas'), { width: c.width, height: c.height }).getContext('2d')!).getImageData(0, 0, c.width, c.height).data;
        const [r, g, b] = [d[0], d[1], d[2]];
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) > 60) n++;
        return n;
      });
      assert.ok(painted > vocab * 2, `only ${painted} painted pixels for ${vocab} points`);

      // Search a word; Enter selects it and centres it; its neighbours are listed with scores.
      await map.getByTestId('search').fill('horse');
      await map.getByTestId('search-info').filter({ hasText: /^1 of/ }).waitFor();
      await map.getByTestId('search').press('Enter');
      await map.getByTestId('neighbor-row').first().waitFor({ timeout: 30_000 });
      assert.equal(await map.getByTestId('selected-word').locator('.word').textContent(), 'horse');
      const rows = await map.getByTestId('neighbor-row').allTextContents();
      assert.ok(rows.length >= 8, `neighbour rows: ${rows.length}`);
      assert.ok(rows.every((r) => /-?\d\.\d{3}$/.test(r.replace(/\s+$/, ''))), `every row has a score: ${rows.join(' | ')}`);
      const animals = ['cat', 'dog', 'rabbit', 'mouse', 'goat', 'sheep', 'cow'];
      const top = rows.slice(0, 5).map((r) => r.replace(/-?\d\.\d{3}\s*$/, '').trim());
      const shared = top.filter((w) => animals.includes(w)).length;
      await wb.screenshot('neighbours');

      // Clicking the point at the centre (where the selection was centred) selects it again.
      await map.getByTestId('search').fill('');
      const canvas = map.getByTestId('map-canvas');
      const box = (await canvas.boundingBox())!;
      await page.waitForTimeout(600); // the re-centring animation
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await map.getByTestId('neighbor-row').first().waitFor({ timeout: 30_000 });
      assert.equal(await map.getByTestId('selected-word').locator('.word').textContent(), 'horse');

      // Colouring: by token kind, then by cluster; the legend follows.
      await map.getByTestId('color-mode').selectOption('kind');
      await map.getByTestId('legend-item').first().waitFor();
      const kinds = await map.getByTestId('legend-item').allTextContents();
      assert.ok(kinds.some((k) => k.startsWith('word')), `kind legend: ${kinds.join(' | ')}`);
      await wb.screenshot('by-kind');
      await map.getByTestId('color-mode').selectOption('cluster');
      await page.waitForTimeout(300);
      const clusters = await map.getByTestId('legend-item').count();
      assert.ok(clusters >= 4, `cluster legend has ${clusters} entries`);
      await wb.screenshot('by-cluster');

      // A markup-looking workspace word is text in the list and on the map, never an element.
      await map.getByTestId('search').fill('<img');
      await map.getByTestId('search-info').filter({ hasText: /^1 of/ }).waitFor();
      await map.getByTestId('search').press('Enter');
      await map.getByTestId('selected-word').locator('.word').filter({ hasText: '<img' }).waitFor({ timeout: 30_000 });
      assert.equal(await map.locator('img').count(), 0);
      assert.equal(dialogs, 0);
      await wb.screenshot('markup-word');

      // Export: the PNG of the view and the projector's TSV pair, through VS Code's save dialog
      // (code-server's simple dialog: the suggested path is accepted with Enter).
      const dialogInput = page.locator('.quick-input-widget input');
      await map.getByTestId('export-png').click();
      await dialogInput.waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');
      const png = path.join(wb.workspace, 'wordlens-map.png');
      await waitForFile(png);
      assert.equal(fs.readFileSync(png).subarray(1, 4).toString(), 'PNG');
      await map.getByTestId('export-tsv').click();
      await dialogInput.waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');
      const vectors = path.join(wb.workspace, 'vectors.tsv');
      await waitForFile(path.join(wb.workspace, 'metadata.tsv'));
      const rowsTsv = fs.readFileSync(vectors, 'utf8').trim().split('\n');
      const metadata = fs.readFileSync(path.join(wb.workspace, 'metadata.tsv'), 'utf8').trim().split('\n');
      assert.equal(rowsTsv.length, metadata.length);
      assert.ok(metadata.includes('horse'));

      // Reload the window: the serializer brings the map back with its state (search, colouring),
      // and the projection comes from the cache instead of being recomputed.
      await map.getByTestId('search').fill('horse');
      await map.getByTestId('color-mode').selectOption('kind');
      await page.waitForTimeout(500);
      // As a user would: the workbench saves the panels' state during its shutdown.
      await wb.runCommand('Developer: Reload Window');
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await status.filter({ hasText: /UMAP \(cached\)/ }).waitFor({ timeout: 90_000 });
      const revived = (await status.textContent())!;
      assert.equal(await map.getByTestId('search').inputValue(), 'horse');
      assert.equal(await map.getByTestId('color-mode').inputValue(), 'kind');
      await wb.screenshot('after-reload');

      // "Show Word on Map" from the editor: the word at the cursor is selected on the map.
      await wb.openFile('notes/story.txt');
      await page.keyboard.press('Control+Home');
      await wb.runCommand('Wordlens: Show Word on Map');
      await map.getByTestId('selected-word').locator('.word').filter({ hasText: /^the$/ }).waitFor({ timeout: 30_000 });
      await map.getByTestId('neighbor-row').first().waitFor({ timeout: 30_000 });
      await wb.screenshot('show-on-map');

      // The OS switches to dark, then to high contrast (dark and light), then back: VS Code
      // follows it (window.autoDetectColorScheme, autoDetectHighContrast) and so must the map.
      const background = () =>
        map.getByTestId('map-canvas').evaluate((c: HTMLCanvasElement) => {
          // The most common colour is the background: points and labels cover a small share.
          const d = ((x) => (x.drawImage(c, 0, 0), x))(Object.assign(document.createElement('canvas'), { width: c.width, height: c.height }).getContext('2d')!).getImageData(0, 0, c.width, c.height).data;
          const counts = new Map<number, number>();
          for (let i = 0; i < d.length; i += 4 * 5) {
            const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
          const key = [...counts].sort((a, b) => b[1] - a[1])[0][0];
          return `#${key.toString(16).padStart(6, '0')}`;
        });
      const workbenchTheme = () =>
        page.evaluate(() => {
          const wbEl = document.querySelector('.monaco-workbench')!;
          const kind = ['hc-black', 'hc-light', 'vs-dark', 'vs'].find((k) => wbEl.classList.contains(k)) ?? '?';
          return { kind, editor: getComputedStyle(wbEl).getPropertyValue('--vscode-editor-background').trim().toLowerCase() };
        });
      const themed: string[] = [];
      const schemes = [
        { colorScheme: 'dark', forcedColors: 'none', kind: 'vs-dark' },
        { colorScheme: 'dark', forcedColors: 'active', kind: 'hc-black' },
        { colorScheme: 'light', forcedColors: 'active', kind: 'hc-light' },
        { colorScheme: 'light', forcedColors: 'none', kind: 'vs' },
      ] as const;
      for (const { colorScheme, forcedColors, kind } of schemes) {
        await page.emulateMedia({ colorScheme, forcedColors });
        let theme = await workbenchTheme();
        let seen = '';
        for (let i = 0; i < 60 && (theme.kind !== kind || seen !== theme.editor); i++) {
          await page.waitForTimeout(250);
          theme = await workbenchTheme();
          seen = await background();
        }
        assert.equal(theme.kind, kind, `VS Code follows the OS to ${kind}`);
        assert.equal(seen, theme.editor, `the map's background is the ${kind} editor background`);
        // The legend keeps its data colours (forced high-contrast colours would blank them).
        const swatch = await map.getByTestId('legend-item').first().locator('.swatch').evaluate((e) => getComputedStyle(e).backgroundColor);
        assert.equal(swatch, 'rgb(89, 161, 79)', `the "word" swatch in ${kind}`);
        themed.push(`${kind} ${seen}`);
        await wb.screenshot(`theme-${kind}`);
      }

      console.log(
        `e2e map: after reload "${revived}"; V=${vocab}; first status "${firstStatus}", final "${finalStatus}"; ${painted} painted pixels; ` +
          `neighbours of horse: ${top.join(', ')} (${shared}/5 animals); ${clusters} clusters; themes: ${themed.join(', ')} — ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  );
});
