// A jump request's server CPU, in-process and split by phase: what the inlineCompletion
// handler runs (handlers/inlineCompletion.ts) after a jump to a random position of a
// 2,000-line document — the edit counted into the live n-gram (LiveLearning.absorb, as
// liveEdits.ts's flush does), the rest-of-line check, the window before the cursor and
// completeText (prefix cache with completion.jumpContextTokens, cache mixture). Positions as
// bench/completion-latency.ts's jump scenario (same seed); "retype" puts the same character
// back (the LSP bench's edit, the text is unchanged), "insert" types it again (the text grows
// by one character per request). CPU via process.cpuUsage (the machine is shared). The
// completions' digest must not change with a speed-up.
//   npx tsx bench/jump-cpu.ts [--model DIR] [--requests 1000] [--jump-context 64] [--insert]
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initBackend } from '../src/engine/kernels/backend';
import { mulberry32 } from '../src/engine/prng';
import { defaultSettings } from '../src/protocol';
import { completeText, textBefore, warmUp } from '../src/server/predict';
import { loadServingModel } from '../src/server/servingModel';
import { documentOf, sourcesFromInlineMaps } from './lib/sourceMapCorpus';

const ROOT = path.resolve(__dirname, '..');
const REST_OF_LINE_OK = /^[\s)\]}'"`;,]*$/; // handlers/inlineCompletion.ts's check

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const r3 = (x: number) => +x.toFixed(3);

async function main(): Promise<void> {
  const backend = await initBackend();
  const modelDir = path.resolve(arg('model', path.join(ROOT, 'bench/results/completion-latency/model-d128-m1')));
  const requests = Number(arg('requests', '1000'));
  const jumpContextTokens = Number(arg('jump-context', String(defaultSettings.completion.jumpContextTokens)));
  const insert = process.argv.includes('--insert');
  const model = await loadServingModel(modelDir);
  await warmUp(model);
  const sources = await sourcesFromInlineMaps(path.join(ROOT, 'node_modules/@tensorflow/tfjs-layers/dist'));
  const text = documentOf(sources.filter((_, i) => i % 10 === 9), 2000);
  const uri = 'file:///bench/jump.ts';
  const doc = TextDocument.create(uri, 'typescript', 1, text);
  const lines = text.split('\n');
  const typeable = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim().length > 0);
  model.live?.addRecent(text); // as the server does on didOpen
  model.live?.absorb(uri, text); // the document's first count (a new file), not per request

  const at = mulberry32(13);
  const spent = { absorb: 0, decode: 0, other: 0 };
  let decoded = 0;
  let tokens = 0;
  const digest = createHash('sha256');
  const settings = defaultSettings.completion;
  for (let n = 0; n < requests; n++) {
    const { l, i: line } = typeable[Math.floor(at() * typeable.length)];
    const character = l.length - l.trimStart().length + 1 + Math.floor(at() * l.trimStart().length);
    const current = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    const typed = current[character - 1] ?? l[character - 1];
    const range = insert ? { start: { line, character }, end: { line, character } } : { start: { line, character: character - 1 }, end: { line, character } };
    TextDocument.update(doc, [{ range, text: typed }], doc.version + 1);
    const cursor = { line, character: insert ? character + 1 : character };
    const c0 = process.cpuUsage();
    model.live?.absorb(uri, doc.getText());
    const c1 = process.cpuUsage();
    spent.absorb += cpuMs(process.cpuUsage(c0));
    const rest = doc.getText({ start: cursor, end: { line, character: Number.MAX_SAFE_INTEGER } }).replace(/\r?\n$/, '');
    if (!REST_OF_LINE_OK.test(rest)) {
      spent.other += cpuMs(process.cpuUsage(c1));
      continue;
    }
    const r = await completeText(model, uri, textBefore(doc, cursor), { ...settings, jumpContextTokens, signal: new AbortController().signal });
    spent.decode += cpuMs(process.cpuUsage(c1));
    decoded++;
    tokens += r.tokens;
    digest.update(`${n}:${r.text}\u0000`);
  }
  console.log(
    JSON.stringify({
      bench: 'jump-cpu',
      backend,
      edit: insert ? 'insert' : 'retype',
      jumpContextTokens,
      requests,
      decoded,
      cpuMsPerRequest: r3((spent.absorb + spent.decode + spent.other) / requests),
      absorbCpuMsPerRequest: r3(spent.absorb / requests),
      decodeCpuMsPerDecodedRequest: r3(spent.decode / Math.max(1, decoded)),
      tokensPerDecodedRequest: r3(tokens / Math.max(1, decoded)),
      completionsSha256: digest.digest('hex').slice(0, 16),
      load: +loadavg()[0].toFixed(2),
    }),
  );
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
