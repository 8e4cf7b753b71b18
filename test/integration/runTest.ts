// Extension-host tests through @vscode/test-electron's standard runTests(). Which VS Code runs:
//   VSCODE_EXECUTABLE=<path>        that executable (a desktop VS Code, or scripts/vscode-shim.mjs)
//   WORDLENS_VSCODE=electron        the desktop build, downloaded by test-electron (needs internet
//                                   and, on Linux, a display)
//   WORDLENS_VSCODE=code-server     VS Code 1.100 in code-server + headless Chromium (the shim)
//   default                         electron where a display exists (macOS, Windows, Linux with
//                                   DISPLAY) and the download works, else code-server.
// WORDLENS_EXTENSION_DIR tests another extension folder (e.g. test/fixtures/minimal-extension);
// WORDLENS_TEST_WORKSPACE opens another folder than test/fixtures/workspace.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const repoRoot = path.resolve(__dirname, '..', '..');
const shim = path.join(repoRoot, 'scripts', 'vscode-shim.mjs');

async function chooseVSCode(): Promise<string> {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  const wanted = process.env.WORDLENS_VSCODE ?? 'auto';
  if (wanted === 'code-server') return shim;
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (wanted === 'electron' || (wanted === 'auto' && hasDisplay)) {
    try {
      return await downloadAndUnzipVSCode({ timeout: 30_000 });
    } catch (err) {
      if (wanted === 'electron') throw err;
      console.log(`desktop VS Code unavailable (${(err as Error).message}); using code-server`);
    }
  }
  return shim;
}

/** Compiles the mocha suite (TypeScript) to JS the extension host can require. */
async function buildSuite(): Promise<string> {
  const srcDir = path.join(__dirname, 'suite');
  const outDir = path.join(repoRoot, 'out', 'test', 'integration', 'suite');
  fs.rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: fs.readdirSync(srcDir).filter((f) => f.endsWith('.ts')).map((f) => path.join(srcDir, f)),
    outdir: outDir,
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return path.join(outDir, 'index.js');
}

async function main(): Promise<void> {
  const extensionDevelopmentPath = path.resolve(process.env.WORDLENS_EXTENSION_DIR ?? repoRoot);
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDevelopmentPath, 'package.json'), 'utf8'));
  const main = path.resolve(extensionDevelopmentPath, manifest.main ?? '');
  if (manifest.main && !fs.existsSync(main)) {
    throw new Error(`${path.relative(repoRoot, main)} does not exist: build the extension first (npm run build)`);
  }
  const workspace = path.resolve(process.env.WORDLENS_TEST_WORKSPACE ?? path.join(repoRoot, 'test', 'fixtures', 'workspace'));
  const extensionTestsPath = await buildSuite();
  const vscodeExecutablePath = await chooseVSCode();
  console.log(`integration tests of ${manifest.publisher}.${manifest.name} in ${vscodeExecutablePath === shim ? 'code-server (scripts/vscode-shim.mjs)' : vscodeExecutablePath}`);

  // A fresh profile each run: no state leaks between runs or from the developer's own VS Code.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-integration-'));
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath,
      extensionTestsPath,
      launchArgs: [
        `--user-data-dir=${path.join(profile, 'user-data')}`,
        `--extensions-dir=${path.join(profile, 'extensions')}`,
        '--disable-extensions', // only the extension under test
        workspace,
      ],
      extensionTestsEnv: { WORDLENS_EXTENSION_ID: `${manifest.publisher}.${manifest.name}` },
    });
    console.log('integration tests: passed');
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`integration tests: FAILED — ${err.message}`);
  process.exit(1);
});
