// The keystroke path in-process, without LSP: per-token costs of the serving model (LSTM +
// n-gram mixture: advance, logProbs, the greedy pick) and per-keystroke complete() through
// the server's window and a per-document PrefixCache, retyping lines of a 2,000-line file
// key by key. Also a cold first request (a new document). CPU ms via process.cpuUsage (the
// machine is shared), wall ms as medians. Uses the model folder bench/completion-latency.ts
// trained (or --model DIR) and its held-out sources.
//   npx tsx bench/completion-hotpath.ts [--model DIR] [--keystrokes 600] [--tokens 300] [--vocab 10000] [--warm]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initBackend } from '../src/engine/kernels/backend';
import { complete } from '../src/engine/decode/complete';
import { StopRules, greedyPick } from '../src/engine/decode/generate';
import { LstmModel } from '../src/engine/lstm/lstm';
import { PrefixCache } from '../src/engine/decode/prefixCache';
import type { LanguageModel } from '../src/engine/types';
import { loadServingModel } from '../src/server/servingModel';
import { textBefore, warmUp } from '../src/server/predict';

const ROOT = path.resolve(__dirname, '..');
function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const r3 = (x: number) => +x.toFixed(3);

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourcesUnder(p));
    else if (name.endsWith('.ts')) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

/** CPU and wall ms of each call of `f`. */
function timeEach(n: number, f: (i: number) => void): { wall: number[]; cpuMs: number } {
  const wall: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f(i);
    wall.push(performance.now() - t);
  }
  const c = process.cpuUsage(c0);
  return { wall, cpuMs: (c.user + c.system) / 1000 / n };
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const modelDir = path.resolve(arg('model', path.join(ROOT, 'bench/results/completion-latency/model-d128-m2')));
  const model = await loadServingModel(modelDir);
  const lm = model.lm as LanguageModel<unknown>;
  const vocab = model.vocab;
  const h = model.meta.hyper;
  console.log(`backend ${backend}; load ${loadavg()[0].toFixed(2)}; model ${model.info.kind} V=${vocab.size} H=${h.hiddenDim} λ=${model.meta.metrics.lambda}`);

  // A 2,000-line document of the training sources (the held-out choice matters little for speed).
  const lines = sourcesUnder(path.join(ROOT, 'bench/results/completion-latency/train-src')).join('\n').split('\n').slice(0, 2000);
  const doc = TextDocument.create('file:///bench.ts', 'typescript', 1, lines.join('\n'));

  // The first request of the process, after an optional warm-up (--warm: what the server runs on load).
  let warmUpMs: number | null = null;
  if (process.argv.includes('--warm')) {
    const t = performance.now();
    await warmUp(model);
    warmUpMs = r3(performance.now() - t);
  }
  const t0 = performance.now();
  await complete(lm, model.tokenizer, vocab, textBefore(doc, { line: 500, character: 0 }), { maxTokens: 8, multiline: false, cache: new PrefixCache<unknown>(), signal: new AbortController().signal });
  console.log(JSON.stringify({ firstRequestMs: r3(performance.now() - t0), warmUpMs }));

  // Per token: advance, logProbs, greedy pick (on states along the document).
  const ids = vocab.encode(model.tokenizer.tokenize(lines.slice(1000, 1100).join('\n')));
  const nTok = Math.min(Number(arg('tokens', '300')), ids.length - 1);
  const states: unknown[] = [lm.initialState()];
  const adv = timeEach(nTok, (i) => states.push(lm.advance(states[i], ids[i])));
  const lp = timeEach(nTok, (i) => lm.logProbs(states[i + 1]));
  const stop = new StopRules(vocab, false);
  const pick = timeEach(nTok, (i) => greedyPick(lm, states[i + 1], { exclude: stop.exclude }));
  console.log(
    JSON.stringify({
      perToken: {
        advanceMs: r3(median(adv.wall)),
        advanceCpuMs: r3(adv.cpuMs),
        logProbsMs: r3(median(lp.wall)),
        logProbsCpuMs: r3(lp.cpuMs),
        greedyPickMs: r3(median(pick.wall)),
        greedyPickCpuMs: r3(pick.cpuMs),
      },
    }),
  );

  // Cold: the first request on a new document at line 1,000.
  const cold: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const cache = new PrefixCache<unknown>();
    const before = textBefore(doc, { line: 1000, character: 0 });
    const t = performance.now();
    await complete(lm, model.tokenizer, vocab, before, { maxTokens: 8, multiline: false, cache, signal: new AbortController().signal });
    cold.push(performance.now() - t);
  }

  // How often greedy decoding needs the LSTM's output layer (a mixture skips it when the n-gram decides).
  const counts = { lstmProbs: 0, picks: 0 };
  const mixture = lm as { a?: { probs?: (s: unknown) => unknown } };
  const lstmSide = mixture.a;
  if (lstmSide?.probs) {
    const probs = lstmSide.probs.bind(lstmSide);
    lstmSide.probs = (s) => (counts.lstmProbs++, probs(s));
  }
  const pickProbe = lm as { greedy?: (s: unknown, o: unknown) => number };
  if (pickProbe.greedy) {
    const greedy = pickProbe.greedy.bind(lm);
    pickProbe.greedy = (s, o) => (counts.picks++, greedy(s, o));
  }

  // Warm: retype lines key by key (each keystroke: complete() at the cursor).
  const keystrokes = Number(arg('keystrokes', '600'));
  const cache = new PrefixCache<unknown>();
  const wall: number[] = [];
  let n = 0;
  const c0 = process.cpuUsage();
  const digest = createHash('sha256');
  for (let line = 1000; n < keystrokes && line < 2000; line += 7) {
    const text = lines[line];
    for (let ch = 0; ch <= text.length && n < keystrokes; ch++, n++) {
      const before = textBefore(doc, { line, character: ch });
      const t = performance.now();
      const r = await complete(lm, model.tokenizer, vocab, before, { maxTokens: 8, multiline: false, cache, signal: new AbortController().signal });
      wall.push(performance.now() - t);
      digest.update(r.completion + '\u0000');
    }
  }
  const c = process.cpuUsage(c0);
  console.log(
    JSON.stringify({
      perKeystroke: { n, p50: r3(pct(wall, 0.5)), p95: r3(pct(wall, 0.95)), p99: r3(pct(wall, 0.99)), cpuMs: r3((c.user + c.system) / 1000 / n) },
      completionsSha256: digest.digest('hex').slice(0, 16),
      coldFirstRequestMs: cold.map(r3),
      greedyPicks: counts.picks,
      lstmOutputLayerRuns: counts.lstmProbs,
      load: +loadavg()[0].toFixed(2),
    }),
  );
  model.dispose();

  // Issue 2's step at V=10k (H=256, untrained LSTM alone): advance + logProbs against
  // advance + greedyPick (the probs path), alternating in the same run.
  const V = Number(arg('vocab', '10000'));
  const net = LstmModel.create({ vocabSize: V, embedDim: 256, hiddenDim: 256, layers: 1, tied: false, dropout: 0 }, 1);
  let s = net.initialState();
  const stepLog: number[] = [];
  const stepPick: number[] = [];
  const cpu = { log: 0, pick: 0 };
  for (let i = 0; i < 400; i++) {
    const id = (i * 7919) % V;
    const c0 = process.cpuUsage();
    let t = performance.now();
    if (i % 2 === 0) {
      net.logProbs((s = net.advance(s, id)));
      stepLog.push(performance.now() - t);
      const c = process.cpuUsage(c0);
      cpu.log += c.user + c.system;
    } else {
      t = performance.now();
      greedyPick(net, (s = net.advance(s, id)));
      stepPick.push(performance.now() - t);
      const c = process.cpuUsage(c0);
      cpu.pick += c.user + c.system;
    }
  }
  console.log(
    JSON.stringify({
      stepV10k: {
        advancePlusLogProbsMs: r3(median(stepLog.slice(20))),
        advancePlusGreedyPickMs: r3(median(stepPick.slice(20))),
        cpuMsLogProbs: r3(cpu.log / 1000 / stepLog.length),
        cpuMsGreedyPick: r3(cpu.pick / 1000 / stepPick.length),
      },
      load: +loadavg()[0].toFixed(2),
    }),
  );
  net.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
