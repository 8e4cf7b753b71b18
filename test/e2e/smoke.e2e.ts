// Smoke test in a real VS Code (code-server + Chromium): the workbench loads with the extension
// installed, the extension activates, its commands are in the palette, one runs, and a
// screenshot is saved. Runs on Wordlens once built (dist/client.js), else on the fixture.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionUnderTest, installsVsixByDefault, repoRoot, withWorkbench } from './harness';
import { readManifest } from '../../scripts/package-extension';

interface Contributes {
  commands?: { command: string; title: string; category?: string }[];
  menus?: { commandPalette?: { command: string; when?: string }[] };
}

// A harmless command to run and what the status bar shows before/after, per extension.
const probes: Record<string, { command: string; statusBefore: RegExp; statusAfter?: RegExp; channel?: string; channelText?: RegExp; ghost?: { type: string; text: RegExp; accepted: RegExp } }> = {
  'wordlens.wordlens': { command: 'Wordlens: Show Log', statusBefore: /Wordlens/, channel: 'Wordlens', channelText: /\S/ },
  'wordlens-test.minimal-extension': {
    command: 'Minimal: Say Hello',
    statusBefore: /Minimal: ready/,
    statusAfter: /Minimal: hello 1/,
    channel: 'Minimal',
    channelText: /activated\nhello 1/,
    ghost: { type: 'hello', text: /world/, accepted: /hello\s+world/ },
  },
};

test('workbench loads with the extension activated; palette, status bar, screenshot', { timeout: 240_000 }, async () => {
  const started = Date.now();
  const extensionDir = extensionUnderTest();
  const manifest = readManifest(extensionDir);
  const id = `${manifest.publisher}.${manifest.name}`;
  const probe = probes[id];
  assert.ok(probe, `no smoke probe for ${id}; add one to test/e2e/smoke.e2e.ts`);
  console.log(`e2e smoke: ${id} from ${installsVsixByDefault(extensionDir) ? 'its .vsix' : path.relative(repoRoot, extensionDir) || '.'}`);

  await withWorkbench(
    { extensionDir, name: 'smoke', files: { 'notes.md': '# Notes\n\nThe quick brown fox jumps over the lazy dog.\n' } },
    async (wb) => {
      await wb.waitForActivation();
      await wb.statusBarItem(probe.statusBefore);

      await wb.openFile('notes.md');
      // Every contributed command the palette shows unconditionally (no `when` of its own).
      const contributes = (manifest as { contributes?: Contributes }).contributes ?? {};
      const gated = new Set((contributes.menus?.commandPalette ?? []).filter((m) => m.when).map((m) => m.command));
      const titles = (contributes.commands ?? [])
        .filter((c) => !gated.has(c.command))
        .map((c) => (c.category ? `${c.category}: ${c.title}` : c.title));
      assert.ok(titles.includes(probe.command), `${probe.command} is not contributed by ${id}`);
      for (const title of titles) assert.ok(await wb.paletteHas(title), `palette does not offer "${title}"`);

      await wb.runCommand(probe.command);
      if (probe.statusAfter) await wb.statusBarItem(probe.statusAfter);
      if (probe.channel && probe.channelText) {
        const deadline = Date.now() + 10_000;
        while (!probe.channelText.test(wb.outputChannels()[probe.channel] ?? '') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.match(wb.outputChannels()[probe.channel] ?? '(no channel)', probe.channelText);
      }

      if (probe.ghost) {
        // Ghost text appears, and Tab accepts it into the document.
        await wb.page.keyboard.type(probe.ghost.type);
        assert.match(await wb.waitForGhostText(), probe.ghost.text);
        await wb.page.keyboard.press('Tab');
        await wb.page.locator('.monaco-editor .view-line', { hasText: probe.ghost.accepted }).first().waitFor({ timeout: 10_000 });
      }

      const shot = await wb.screenshot('workbench');
      const png = fs.readFileSync(shot);
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.ok(png.length > 10_000, `screenshot is suspiciously small (${png.length} bytes)`);
      console.log(
        `e2e smoke: ${id} activated, ${titles.length} palette commands, status bar [${(await wb.statusBarTexts()).join(' | ')}], ` +
          `screenshot ${path.relative(repoRoot, shot)} — ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  );
});
