// Kneser-Ney 5-gram on WikiText-2, against ../shared/anchors/anchor_kn.py (same split and
// conventions): test perplexity, build time, latency of a full logProbs and of logProb.
// Run: npx tsx bench/ngram.ts [--no-python]
// The n-gram is pure JavaScript (typed arrays); no TF.js backend is involved.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { NgramModel } from '../src/engine/ngram';

const DATA = '/work/shared/data/wikitext-2';
const ANCHOR = '/work/shared/anchors/anchor_kn.py';
// Python's str.split() whitespace, so words equal the anchor's.
const PY_WS = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function words(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    for (const w of line.split(PY_WS)) if (w) out.push(w);
    out.push('<eos>');
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const lines = readFileSync(`${DATA}/valid.txt`, 'utf8').split('\n');
const train = words(lines.slice(0, Math.floor(lines.length * 0.9)));
const vocab = new Map<string, number>();
for (const w of [...train, '<unk>']) if (!vocab.has(w)) vocab.set(w, vocab.size);
const unk = vocab.get('<unk>')!;
const toIds = (ws: string[]) => Int32Array.from(ws, (w) => vocab.get(w) ?? unk);
const trainIds = toIds(train);
const testIds = toIds(words(readFileSync(`${DATA}/test.txt`, 'utf8').split('\n')));

const t0 = performance.now();
const model = NgramModel.build(trainIds, vocab.size, 5);
const buildSeconds = (performance.now() - t0) / 1000;
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

console.log('backend: pure JavaScript (typed arrays), no TF.js');
console.log(`vocab ${vocab.size}, train tokens ${trainIds.length}, test tokens ${testIds.length}, n-grams per order ${model.ngramCounts().join('/')}`);
console.log(`wordlens KN-5: test ppl ${ppl.toFixed(2)}, build ${buildSeconds.toFixed(2)} s, eval ${evalSeconds.toFixed(2)} s, serialized ${(bytes / 1e6).toFixed(1)} MB`);
console.log(`logProbs (full V=${vocab.size}) median ${median(full).toFixed(1)} µs/call; logProb median ${median(one).toFixed(2)} µs/call`);

if (!process.argv.includes('--no-python')) {
  const s = performance.now();
  const out = execFileSync('/usr/bin/python3', [ANCHOR, '--train', `${DATA}/valid.txt`, '--test', `${DATA}/test.txt`], { encoding: 'utf8' });
  const wall = (performance.now() - s) / 1000;
  const anchor = JSON.parse(out.trim().split('\n').pop()!) as { test_ppl: number; seconds: number };
  console.log(`anchor_kn.py: test ppl ${anchor.test_ppl}, ${anchor.seconds} s (build + eval, wall ${wall.toFixed(1)} s)`);
  console.log(`ppl difference ${(ppl - anchor.test_ppl).toFixed(3)}; build+eval speed ratio anchor/wordlens ${(anchor.seconds / (buildSeconds + evalSeconds)).toFixed(1)}x`);
}
