// Time to the first ghost text in a workspace with no model: the real server over stdio
// (from the bundle with --dist, else from source), `wordlens/train` on a 1 MB code folder
// (the TypeScript sources of @tensorflow/tfjs-layers, topped up with this repository's src/),
// then inline completion requests every 50 ms in an open document until one is not empty
// (the n-gram serves while the LSTM trains). Also: when the status first says `n-gram`, and
// didChange -> a completion that offers an identifier defined by the edit.
// Run: npx tsx bench/first-ghost-text.ts [--dist]
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DidChangeTextDocumentNotification, InlineCompletionRequest, type InlineCompletionList } from 'vscode-languageserver-protocol';
import { CancelTrainingRequest, TrainRequest } from '../src/protocol';
import { startTestServer } from '../test/server/lspClient';
import { sourcesFromInlineMaps, writeSources } from './lib/sourceMapCorpus';

const ROOT = path.resolve(__dirname, '..');
const TARGET_BYTES = 1_000_000;

async function main(): Promise<void> {
  if (process.argv.includes('--dist')) process.env.WORDLENS_TEST_SERVER = 'dist';
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores; server from ${process.env.WORDLENS_TEST_SERVER === 'dist' ? 'dist/server.js' : 'source (tsx)'}`);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-first-'));
  try {
    const files = await sourcesFromInlineMaps(path.join(ROOT, 'node_modules/@tensorflow/tfjs-layers/dist'));
    const workspace = path.join(tmp, 'workspace');
    const picked = [];
    let bytes = 0;
    for (const f of files) {
      if (bytes >= TARGET_BYTES) break;
      picked.push(f);
      bytes += Buffer.byteLength(f.text);
    }
    await writeSources(picked, workspace);
    console.log(`workspace: ${picked.length} files, ${(bytes / 1e6).toFixed(2)} MB of TypeScript`);
    const server = await startTestServer({ storagePath: path.join(tmp, 'storage') });
    try {
      await server.waitForStatus((s) => s.state === 'none', 60_000);
      const uri = pathToFileURL(path.join(workspace, 'scratch.ts')).href;
      let text = "import * as tfc from '@tensorflow/tfjs-core';\n\nexport function build(config: LayerArgs): Tensor {\n  const ";
      await server.open(uri, text);
      const end = () => {
        const lines = text.split('\n');
        return { line: lines.length - 1, character: lines[lines.length - 1].length };
      };
      const inline = async () => {
        const r = (await server.connection.sendRequest(InlineCompletionRequest.type, { textDocument: { uri }, position: end(), context: { triggerKind: 2 } })) as InlineCompletionList | null;
        const t = r?.items[0]?.insertText ?? '';
        return typeof t === 'string' ? t : t.value;
      };
      const t0 = performance.now();
      let ngramAt = NaN;
      void server.waitForStatus((s) => s.serving === 'n-gram', 600_000).then(() => (ngramAt = performance.now() - t0), () => undefined);
      const training = server.connection.sendRequest(TrainRequest, { roots: [workspace], budgetMinutes: 5 });
      let first = '';
      while (!first) {
        first = await inline();
        if (!first) await new Promise((r) => setTimeout(r, 50));
      }
      const firstMs = performance.now() - t0;
      console.log(`first ghost text ${(firstMs / 1000).toFixed(2)} s after wordlens/train (target ≤ 10 s: ${firstMs <= 10_000 ? 'met' : 'NOT met'}): ${JSON.stringify(first)}; status "n-gram" at ${(ngramAt / 1000).toFixed(2)} s`);
      // An edit defining a new identifier, then its start typed: didChange -> completion.
      const times: number[] = [];
      let offered = 0;
      let version = 1;
      const change = async (typed: string) => {
        const at = end();
        text += typed;
        await server.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: at, end: at }, text: typed }] });
      };
      for (let i = 0; i < 20; i++) {
        const prefix = `zq${String.fromCharCode(97 + i)}`;
        await change(`${prefix}frobWidget = ${i};\n  `);
        const t1 = performance.now();
        await change(prefix);
        const c = await inline();
        times.push(performance.now() - t1);
        if (c.startsWith('frobWidget')) offered++;
        await change('frobWidget;\n  const ');
      }
      times.sort((a, b) => a - b);
      console.log(`didChange -> completion (20 edits, n-gram serving): p50 ${times[10].toFixed(1)} ms, max ${times[19].toFixed(1)} ms; the new identifier offered ${offered}/20 times`);
      console.log(JSON.stringify({ bench: 'first-ghost-text', bytes, files: picked.length, firstMs, ngramStatusMs: ngramAt, editP50: times[10], editMax: times[19], offered, loadavg: os.loadavg()[0] }));
      await server.connection.sendRequest(CancelTrainingRequest);
      await training.catch(() => undefined);
    } finally {
      await server.stop();
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
