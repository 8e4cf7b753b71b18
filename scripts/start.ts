// `npm start`: opens Wordlens in a real VS Code in the browser. Installs code-server on first
// use, starts it on 127.0.0.1 fully isolated (temporary profile, no telemetry, no gallery) with
// the built extension installed and auto-training on, prints the URL, and runs until Ctrl-C.
//   npm start [-- <folder>] [--port N]     (default folder: this repository)
//   npm run start:vsix [-- <folder>]       the same with the packaged .vsix installed instead
// Expects `npm run build` (or, with --vsix, `npm run package`) to have run; the scripts do it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCodeServer } from './code-server-session';
import { repoRoot } from './code-server';
import { vsixPath } from './vsix';

const usage = 'usage: npm start [-- <workspace folder>] [--port <n>] [--vsix]';

function parseArgs(argv: string[]): { folder: string; port?: number; vsix: boolean } {
  let folder = repoRoot;
  let port: number | undefined;
  let vsix = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg.includes('=') ? arg.split('=')[1] : argv[++i];
      port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port needs a number from 1 to 65535, got "${value ?? ''}"`);
    } else if (arg === '--vsix') {
      vsix = true;
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}\n${usage}`);
    } else {
      folder = path.resolve(arg);
      if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`not a folder: ${folder}`);
    }
  }
  return { folder, port, vsix };
}

async function main(): Promise<void> {
  const { folder, port, vsix } = parseArgs(process.argv.slice(2));
  const packaged = vsix ? vsixPath() : undefined;
  if (packaged && !fs.existsSync(packaged)) throw new Error(`${path.basename(packaged)} is missing: npm run start:vsix packages it first`);
  if (!packaged && !fs.existsSync(path.join(repoRoot, 'dist', 'client.js'))) {
    throw new Error('dist/client.js is missing: build the extension first (npm run build), or use npm start, which builds it');
  }
  const log = (m: string) => console.log(`[start] ${m}`);
  log(`starting VS Code (code-server) on ${folder} …`);
  const session = await startCodeServer({
    folder,
    port,
    // The dev folder (fast), or the .vsix installed as a user installs it.
    ...(packaged ? { vsix: [packaged] } : { extensions: [repoRoot] }),
    // The newcomer sees it work at once: train on the workspace if it has no model yet.
    settings: { 'wordlens.autoTrain': true },
    log: (m) => log(m),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping VS Code …`);
    await session.stop();
    log('stopped; temporary profile removed');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const url = session.workbenchUrl();
  console.log('');
  console.log('  Wordlens is running in VS Code (code-server) — open this in your browser:');
  console.log('');
  console.log(`    ${url}`);
  console.log('');
  console.log('  It trains on the workspace at start (status bar: "Wordlens: training …").');
  console.log('  Palette (F1): "Wordlens: …" commands. Logs: Output panel → Wordlens.');
  console.log(`  Server log: ${session.serverLog}`);
  console.log('  Press Ctrl-C to stop.');
  console.log('');

  const code = await session.exited;
  if (!stopping) {
    const tail = fs.readFileSync(session.serverLog, 'utf8').split('\n').slice(-30).join('\n');
    console.error(`[start] code-server exited unexpectedly (code ${code}); its log:\n${tail}`);
    await session.stop();
    process.exit(1);
  }
}

main().catch((err: Error) => {
  console.error(`[start] error: ${err.message}`);
  process.exit(1);
});
