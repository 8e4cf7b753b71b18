// End to end in a real VS Code (code-server + Chromium): train on a fixture workspace from
// the palette, watch the status bar go through training to ready, type in a file, see the
// model's ghost text, accept it with Tab. Screenshots go to test/e2e/screenshots/.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GHOST_TEXT_SETTINGS, repoRoot, withWorkbench } from './harness';

// Repetitive code, so a model trained for seconds has a confident continuation.
const CODE = Array.from(
  { length: 60 },
  (_, i) =>
    `export function add${i % 6}(left: number, right: number): number {\n` +
    `  const total = left + right;\n` +
    `  return total;\n` +
    `}\n`,
).join('\n');

test('train from the palette, see progress, get ghost text, accept it with Tab', { timeout: 420_000 }, async () => {
  assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'client.js')), 'build the extension first (npm run build)');
  const started = Date.now();
  await withWorkbench(
    {
      extensionDir: repoRoot,
      name: 'completion',
      files: { 'src/add.ts': CODE, 'src/more.ts': CODE.replace(/add/g, 'sum'), 'src/typing.ts': '// typed by the e2e test\n' },
      settings: { ...GHOST_TEXT_SETTINGS, 'wordlens.trainingBudgetMinutes': 0.25 },
    },
    async (wb) => {
      await wb.waitForActivation();
      await wb.statusBarItem(/Wordlens: none/, { timeoutMs: 60_000 });
      await wb.screenshot('no-model');

      await wb.runCommand('Wordlens: Train on Workspace');
      await wb.statusBarItem(/Wordlens: (.+ · )?(LSTM )?training/, { timeoutMs: 60_000 });
      const progress = await wb.statusBarItem(/Wordlens: (.+ · )?(LSTM )?training [1-9]\d*%/, { timeoutMs: 60_000 });
      const progressText = (await progress.innerText()).trim();
      await wb.screenshot('training');
      await wb.statusBarItem(/Wordlens: ready · V=\d/, { timeoutMs: 180_000 });
      await wb.screenshot('trained');
      const log = wb.outputChannels()['Wordlens'] ?? '';
      assert.match(log, /training/, 'the output channel logs the training');

      await wb.openFile('src/typing.ts');
      await wb.page.keyboard.press('Control+End');
      await wb.page.keyboard.type('function add9(left: number, right: number): number {');
      await wb.page.keyboard.press('Enter');
      await wb.page.keyboard.type('const total = left + ');
      const ghost = await wb.waitForGhostText({ timeoutMs: 30_000 });
      await wb.screenshot('ghost-text');
      assert.match(ghost, /^right/);
      await wb.page.keyboard.press('Tab');
      await wb.page
        .locator('.monaco-editor .view-line', { hasText: /const\s+total\s+=\s+left\s+\+\s+right;/ })
        .first()
        .waitFor({ timeout: 10_000 });
      await wb.screenshot('accepted');
      console.log(
        `e2e completion: status "${progressText}" while training, ghost text "${ghost}" accepted with Tab — ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  );
});
