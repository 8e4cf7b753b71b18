// End to end in a real VS Code (code-server + Chromium): live learning as a user meets it.
// Training starts on a workspace with no model; as soon as the n-gram serves (the status bar
// says "n-gram · LSTM training"), the user types `const frobnicateWidget = 1;` (an identifier
// the training never saw) and later `frob`: the ghost text offers `nicateWidget`, from the
// document cache. Screenshot: test/e2e/screenshots/live-cache-frob.png.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GHOST_TEXT_SETTINGS, repoRoot, withWorkbench } from './harness';

// Some code to train on (the n-gram needs a vocabulary and held-out text for its cache weights).
const CODE = Array.from(
  { length: 40 },
  (_, i) =>
    `export function scale${i % 5}(value: number, factor: number): number {\n` +
    `  const result = value * factor;\n` +
    `  if (result > ${i}) return result - ${i};\n` +
    `  return result;\n` +
    `}\n`,
).join('\n');

test('an identifier typed in the editor is offered as ghost text when its start is typed again', { timeout: 420_000 }, async () => {
  assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'client.js')), 'build the extension first (npm run build)');
  const started = Date.now();
  await withWorkbench(
    {
      extensionDir: repoRoot,
      name: 'live-cache',
      files: { 'src/scale.ts': CODE, 'src/more.ts': CODE.replace(/scale/g, 'shift'), 'src/typing.ts': '// typed by the e2e test\n' },
      settings: { ...GHOST_TEXT_SETTINGS, 'wordlens.trainingBudgetMinutes': 1 },
    },
    async (wb) => {
      await wb.waitForActivation();
      await wb.statusBarItem(/Wordlens: none/, { timeoutMs: 60_000 });
      await wb.runCommand('Wordlens: Train on Workspace');
      // Completions come as soon as the n-gram is built, long before the LSTM's budget is spent.
      const serving = await wb.statusBarItem(/Wordlens: (n-gram · LSTM training|ready)/, { timeoutMs: 120_000 });
      const statusText = (await serving.innerText()).trim();
      await wb.screenshot('ngram-serving');

      await wb.openFile('src/typing.ts');
      await wb.page.keyboard.press('Control+End');
      await wb.page.keyboard.type('const frobnicateWidget = 1;');
      await wb.page.keyboard.press('Enter');
      await wb.page.keyboard.type('console.log(frob');
      const ghost = await wb.waitForGhostText({ timeoutMs: 30_000 });
      await wb.screenshot('frob');
      assert.match(ghost, /^nicateWidget/);
      console.log(`e2e live cache: status "${statusText}", ghost text after "frob": "${ghost}" — ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
  );
});
