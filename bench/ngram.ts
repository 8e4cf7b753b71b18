// Kneser-Ney 5-gram on WikiText-2, against ../shared/anchors/anchor_kn.py (same split and
// conventions): test perplexity, build time, latency of a full logProbs and of logProb.
// Run: npx tsx bench/ngram.ts [--no-python]
// The n-gram is pure JavaScript (typed arrays); no TF.js backend is involved.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { NgramModel, type NgramState } from '../src/engine/ngram/ngram';
import { complete, nextTokensAt } from '../src/engine/decode/complete';
import { buildDataset, encodeText } from '../src/engine/text/dataset';
import { PrefixCache } from '../src/engine/decode/prefixCache';
import { createTokenizer } from '../src/engine/text/tokenizer';

const DATA = '/work/shared/data/wikitext-2';
const ANCHOR = '/work/shared/anchors/anchor_kn.py';

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const median = (xs: number[]) => percentile(xs, 0.5);

async function main(): Promise<void> {
  // The engine's own pipeline: whitespace tokenizer, 90/10 line split, vocabulary of the rest.
  const tokenizer = createTokenizer('whitespace');
  const testText = readFileSync(`${DATA}/test.txt`, 'utf8');
  const { vocab, train: trainIds } = buildDataset([{ path: 'valid.txt', text: readFileSync(`${DATA}/valid.txt`, 'utf8') }], tokenizer);
  const testIds = encodeText(testText, tokenizer, vocab);

  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const model = NgramModel.build(trainIds, vocab.size, 5);
  const buildSeconds = (performance.now() - t0) / 1000;
  const cpu1 = process.cpuUsage(cpu0);
  const buildCpuSeconds = (cpu1.user + cpu1.system) / 1e6;
  const t1 = performance.now();
  const ppl = model.perplexity(testIds);
  const evalSeconds = (performance.now() - t1) / 1000;

  // Full-distribution latency over real contexts from the test text.
  let state = model.initialState();
  const states = [];
  for (let i = 0; i < 2000; i++) {
    state = model.advance(state, testIds[i]);
    states.push(state);
  }
  const full: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const s = performance.now();
    for (const st of states) model.logProbs(st);
    full.push(((performance.now() - s) / states.length) * 1000);
  }
  const one: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const s = performance.now();
    for (let i = 0; i < states.length; i++) model.logProb(states[i], testIds[i + 1]);
    one.push(((performance.now() - s) / states.length) * 1000);
  }
  const bytes = model.serialize().byteLength;

  // Typing the first test lines character by character (as the server would see them):
  // completion (8 tokens, one line) and the next-token list at every keystroke, through one
  // document's prefix cache. CPU time per call too: this machine is shared, wall time is noisy.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  async function keystrokes(): Promise<{ complete: number[]; completeCpu: number[]; next: number[]; keys: number }> {
    const lines = testText.split('\n').slice(0, 120);
    const cache = new PrefixCache<NgramState>();
    const times = { complete: [] as number[], completeCpu: [] as number[], next: [] as number[], keys: 0 };
    for (let l = 0; l < lines.length; l++) {
      // The server's window: up to 96 lines, its start moving in steps of 32 (src/server/predict.ts).
      const first = Math.max(0, Math.floor((l - 96 + 32) / 32) * 32);
      const before = lines.slice(first, l).join('\n') + (l > 0 ? '\n' : '');
      for (let c = 1; c <= lines[l].length; c++) {
        const text = before + lines[l].slice(0, c);
        const c0 = cpuMs();
        const r = await complete(model, tokenizer, vocab, text, { maxTokens: 8, multiline: false, cache });
        times.completeCpu.push(cpuMs() - c0);
        times.complete.push(r.ms);
        const s = performance.now();
        nextTokensAt(model, tokenizer, vocab, text, 10, { cache });
        times.next.push(performance.now() - s);
        times.keys++;
      }
    }
    return times;
  }
  const keys = await keystrokes();

  console.log(`backend: pure JavaScript (typed arrays), no TF.js; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  console.log(`vocab ${vocab.size}, train tokens ${trainIds.length}, test tokens ${testIds.length}, n-grams per order ${model.ngramCounts().join('/')}`);
  console.log(`wordlens KN-5: test ppl ${ppl.toFixed(2)}, build ${buildSeconds.toFixed(2)} s (CPU ${buildCpuSeconds.toFixed(2)} s), eval ${evalSeconds.toFixed(2)} s, serialized ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`logProbs (full V=${vocab.size}) median ${median(full).toFixed(1)} µs/call; logProb median ${median(one).toFixed(2)} µs/call`);
  const fmt = (xs: number[]) => [0.5, 0.95, 0.99].map((q) => percentile(xs, q).toFixed(2)).join(' / ');
  console.log(`per keystroke over ${keys.keys} keystrokes (p50 / p95 / p99 ms): complete(8 tokens) ${fmt(keys.complete)} (CPU ${fmt(keys.completeCpu)}); nextTokensAt(10) ${fmt(keys.next)}`);

  if (!process.argv.includes('--no-python')) {
    const s = performance.now();
    const out = execFileSync('/usr/bin/python3', [ANCHOR, '--train', `${DATA}/valid.txt`, '--test', `${DATA}/test.txt`], { encoding: 'utf8' });
    const wall = (performance.now() - s) / 1000;
    const anchor = JSON.parse(out.trim().split('\n').pop()!) as { test_ppl: number; seconds: number };
    console.log(`anchor_kn.py: test ppl ${anchor.test_ppl}, ${anchor.seconds} s (build + eval, wall ${wall.toFixed(1)} s)`);
    console.log(`ppl difference ${(ppl - anchor.test_ppl).toFixed(3)}; build+eval speed ratio anchor/wordlens ${(anchor.seconds / (buildSeconds + evalSeconds)).toFixed(1)}x`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
