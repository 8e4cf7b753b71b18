// Experiment: does a context-dependent LSTM weight beat the one global λ on code?
// Jelinek-Mercer style bucketing: λ per bucket of a feature of the n-gram's state (the
// longest context it matched, its confidence, the count of the matched context). On the
// cached completion-latency models (tfjs-layers sources, every 10th file held out and never
// seen by the LSTM or the n-gram), every stream is read from its start by both models (as a
// document is when completing). A: λ per bucket fitted on the model's own validation split
// (what the engine would fit on), tested on the held-out files; B: fitted on the first half
// of the held-out tokens, tested on the second half. Each against one global λ fitted on the
// same tokens, plus greedy top-1 accuracy (argmax of the mixture = the true next token).
// Run: npx tsx bench/mixture-buckets.ts [--models model-d128-m5,model-d128-m2] [--tokens 40000]
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/kernels/backend';
import { encodeText, splitFile } from '../src/engine/text/dataset';
import { fitLambdaFromLogProbs } from '../src/engine/decode/interpolate';
import type { LstmModel } from '../src/engine/lstm/lstm';
import type { NgramModel, NgramState } from '../src/engine/ngram/ngram';
import { openModel } from '../src/engine/io/openModel';
import { sourcesFromInlineMaps, type SourceFile } from './lib/sourceMapCorpus';

const ROOT = path.resolve(__dirname, '..');
const PACKAGE_DIST = path.join(ROOT, 'node_modules/@tensorflow/tfjs-layers/dist');
const RESULTS = path.join(ROOT, 'bench/results/completion-latency');
const HOLDOUT_EVERY = 10; // as completion-latency.ts splits
const CHUNK = 64; // LSTM steps per batched forward
const TOPK = 16; // candidates kept per model and position for the mixture's argmax
const MIN_BUCKET = 50; // fewer fit tokens than this: the bucket keeps the global λ

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : (process.argv[i + 1] ?? dflt);
}

/** Read-only view of the n-gram's private count tables (bench only). */
interface LevelView {
  total: Float64Array;
}

/** What is recorded per scored token. */
interface Token {
  la: number; // log p_lstm(true)
  lb: number; // log p_ngram(true)
  order: number; // n-gram order of the longest matched context, 1..5
  maxP: number; // n-gram max probability
  entropy: number; // n-gram entropy, nats
  ctxCount: number; // training count of the longest matched context
  /** Candidates (union of both models' top-K) and each model's probability of them. */
  cand: Int32Array;
  pa: Float32Array;
  pb: Float32Array;
  /** Both K-th probabilities: a word outside the union has p_a ≤ boundA and p_b ≤ boundB. */
  boundA: number;
  boundB: number;
  truth: number;
}

function topK(p: ArrayLike<number>, k: number): { ids: number[]; kth: number } {
  const ids: number[] = [];
  const vals: number[] = [];
  for (let w = 0; w < p.length; w++) {
    const v = p[w];
    if (ids.length === k && v <= vals[k - 1]) continue;
    let i = ids.length === k ? k - 1 : ids.length;
    if (ids.length < k) {
      ids.push(w);
      vals.push(v);
    }
    while (i > 0 && vals[i - 1] < v) {
      ids[i] = ids[i - 1];
      vals[i] = vals[i - 1];
      i--;
    }
    ids[i] = w;
    vals[i] = v;
  }
  return { ids, kth: vals[vals.length - 1] };
}

/** Every token of one file (from its start) scored by both models, with the features. */
async function scoreFile(lstm: LstmModel, ngram: NgramModel, ids: Int32Array): Promise<Token[]> {
  const levels = (ngram as unknown as { levels: LevelView[] }).levels;
  const out: Token[] = [];
  // The first token is predicted from an empty context by the n-gram only; the LSTM (like
  // lstmTokenScores) predicts tokens 1..n-1 from what precedes them.
  let nState: NgramState = ngram.advance(ngram.initialState(), ids[0]);
  let state = lstm.zeroState(1);
  try {
    for (let start = 0; start + 1 < ids.length; start += CHUNK) {
      const n = Math.min(CHUNK, ids.length - 1 - start);
      const x = ids.subarray(start, start + n);
      const { probs, next } = tf.tidy(() => {
        const f = lstm.forward(x, n, 1, state);
        const p = tf.softmax(lstm.outputLogits(f.hidden));
        for (const t of [...f.state.h, ...f.state.c]) tf.keep(t);
        return { probs: p, next: f.state };
      });
      for (const t of [...state.h, ...state.c]) t.dispose();
      state = next;
      const pa = (await probs.data()) as Float32Array;
      probs.dispose();
      const V = lstm.vocabSize;
      for (let j = 0; j < n; j++) {
        const truth = ids[start + j + 1];
        const rowA = pa.subarray(j * V, (j + 1) * V);
        const pb = ngram.probs(nState).p;
        let order = 1;
        while (order < ngram.order && nState.nodes[order] >= 0) order++;
        let maxP = 0;
        let entropy = 0;
        for (let w = 0; w < V; w++) {
          const q = pb[w];
          if (q > maxP) maxP = q;
          if (q > 0) entropy -= q * Math.log(q);
        }
        const ta = topK(rowA, TOPK);
        const tb = topK(pb, TOPK);
        const cand = Int32Array.from(new Set([...ta.ids, ...tb.ids]));
        out.push({
          la: Math.log(rowA[truth]),
          lb: Math.log(pb[truth]),
          order,
          maxP,
          entropy,
          ctxCount: levels[order - 1].total[nState.nodes[order - 1]],
          cand,
          pa: Float32Array.from(cand, (w) => rowA[w]),
          pb: Float32Array.from(cand, (w) => pb[w]),
          boundA: ta.kth,
          boundB: tb.kth,
          truth,
        });
        nState = ngram.advance(nState, truth);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    for (const t of [...state.h, ...state.c]) t.dispose();
  }
  return out;
}

interface Feature {
  name: string;
  labels: string[];
  bucket: (t: Token) => number;
}

function byEdges(name: string, value: (t: Token) => number, edges: number[], fmt: (x: number) => string): Feature {
  const labels = edges.length === 0 ? ['all'] : [`<${fmt(edges[0])}`, ...edges.slice(1).map((e, i) => `${fmt(edges[i])}-${fmt(e)}`), `≥${fmt(edges[edges.length - 1])}`];
  return {
    name,
    labels,
    bucket: (t) => {
      const v = value(t);
      let b = 0;
      while (b < edges.length && v >= edges[b]) b++;
      return b;
    },
  };
}

const FEATURES: Feature[] = [
  { name: 'global (today)', labels: ['all'], bucket: () => 0 },
  { name: 'matched order', labels: ['1', '2', '3', '4', '5'], bucket: (t) => t.order - 1 },
  byEdges('n-gram max prob', (t) => t.maxP, [0.1, 0.2, 0.35, 0.5, 0.7, 0.9], (x) => x.toFixed(2)),
  byEdges('n-gram entropy (nats)', (t) => t.entropy, [0.25, 0.5, 1, 1.5, 2, 3, 4], (x) => String(x)),
  byEdges('matched context count', (t) => t.ctxCount, [2, 4, 8, 16, 64, 256, 1024], (x) => String(x)),
  {
    name: 'order × max prob',
    labels: ['1-3 <.35', '1-3 .35-.7', '1-3 ≥.7', '4 <.35', '4 .35-.7', '4 ≥.7', '5 <.35', '5 .35-.7', '5 ≥.7'],
    bucket: (t) => 3 * Math.max(0, t.order - 3) + (t.maxP < 0.35 ? 0 : t.maxP < 0.7 ? 1 : 2),
  },
];

function logAddExp(x: number, y: number): number {
  const m = x > y ? x : y;
  return m === -Infinity ? -Infinity : m + Math.log1p(Math.exp(-Math.abs(x - y)));
}

function fitBuckets(f: Feature, fit: Token[], global: number): { lambda: number[]; share: number[] } {
  return {
    lambda: f.labels.map((_, b) => {
      const ts = fit.filter((t) => f.bucket(t) === b);
      if (ts.length < MIN_BUCKET) return global;
      return fitLambdaFromLogProbs(ts.map((t) => t.la), ts.map((t) => t.lb)).lambda;
    }),
    share: f.labels.map((_, b) => fit.filter((t) => f.bucket(t) === b).length / fit.length),
  };
}

function ppl(ts: Token[], lambdaOf: (t: Token) => number): number {
  let s = 0;
  for (const t of ts) {
    const l = lambdaOf(t);
    s += logAddExp(t.la + Math.log(l), t.lb + Math.log1p(-l));
  }
  return Math.exp(-s / ts.length);
}

/** Share of tokens where the mixture's argmax is the true token; `unsure` counts argmaxes the candidate bound could not certify. */
function top1(ts: Token[], lambdaOf: (t: Token) => number): { acc: number; unsure: number } {
  let hit = 0;
  let unsure = 0;
  for (const t of ts) {
    const l = lambdaOf(t);
    let best = -1;
    let bestP = -1;
    for (let i = 0; i < t.cand.length; i++) {
      const p = l * t.pa[i] + (1 - l) * t.pb[i];
      if (p > bestP) [best, bestP] = [t.cand[i], p];
    }
    if (bestP < l * t.boundA + (1 - l) * t.boundB) unsure++;
    if (best === t.truth) hit++;
  }
  return { acc: hit / ts.length, unsure };
}

async function runModel(name: string, train: SourceFile[], heldOut: SourceFile[], maxTokens: number, backend: string): Promise<void> {
  const dir = path.join(RESULTS, name);
  if (!existsSync(path.join(dir, 'meta.json'))) throw new Error(`${path.relative(ROOT, dir)} is missing: run npx tsx bench/completion-latency.ts first (it trains and caches the model)`);
  const opened = await openModel(dir);
  const { vocab, tokenizer, lstm, ngram, meta } = opened;
  if (!lstm || !ngram) throw new Error(`${dir} has no LSTM + n-gram`);
  const m = meta.metrics;
  console.log(`\n== ${name}: vocab ${vocab.size}, saved λ ${Number(m.lambda).toFixed(4)}, valid ppl LSTM ${Number(m.valid_ppl_lstm).toFixed(1)} / 5-gram ${Number(m.valid_ppl_ngram).toFixed(2)} / mixture ${Number(m.valid_ppl).toFixed(2)}`);

  // The model's own validation split (the last 10% of the lines of every training file, as
  // the pipeline cuts it; what the engine would fit on), each part read from its start.
  const t0 = Date.now();
  const validParts = train.map((f) => vocab.encode(splitFile(f.text, tokenizer).valid));
  const valid = await scoreStreams(lstm, ngram, validParts, maxTokens);
  const held = await scoreStreams(lstm, ngram, heldOut.map((f) => encodeText(f.text, tokenizer, vocab)), maxTokens);
  opened.dispose();
  console.log(`scored ${valid.length} validation-split tokens and ${held.length} held-out tokens (${heldOut.length} files) in ${((Date.now() - t0) / 1000).toFixed(0)} s, backend ${backend}`);
  compare('A. fit on the validation split, test on the held-out files', valid, held);
  const half = Math.floor(held.length / 2);
  compare('B. fit on the first half of the held-out tokens, test on the second half', held.slice(0, half), held.slice(half));
}

/** Streams scored in order until `maxTokens`. */
async function scoreStreams(lstm: LstmModel, ngram: NgramModel, streams: Int32Array[], maxTokens: number): Promise<Token[]> {
  const out: Token[] = [];
  for (let ids of streams) {
    if (out.length >= maxTokens) break;
    if (ids.length > maxTokens - out.length + 1) ids = ids.subarray(0, maxTokens - out.length + 1);
    if (ids.length < 2) continue;
    for (const t of await scoreFile(lstm, ngram, ids)) out.push(t);
  }
  return out;
}

function compare(title: string, fit: Token[], test: Token[]): void {
  console.log(`\n${title}: fit ${fit.length} tokens, test ${test.length}`);
  const g = fitLambdaFromLogProbs(fit.map((t) => t.la), fit.map((t) => t.lb));
  const alone = (side: 'a' | 'b', ts: Token[]) => Math.exp(-ts.reduce((s, t) => s + (side === 'a' ? t.la : t.lb), 0) / ts.length);
  const accA = top1(test, () => 1);
  const accB = top1(test, () => 0);
  console.log(`alone: LSTM fit/test ppl ${alone('a', fit).toFixed(1)}/${alone('a', test).toFixed(1)}, top-1 ${(100 * accA.acc).toFixed(1)}%; 5-gram ${alone('b', fit).toFixed(2)}/${alone('b', test).toFixed(2)}, top-1 ${(100 * accB.acc).toFixed(1)}%`);
  console.log('feature                  fit ppl  test ppl  vs global  top-1 test  (argmax uncertified)');
  const baseTest = ppl(test, () => g.lambda);
  for (const f of FEATURES) {
    const { lambda, share } = fitBuckets(f, fit, g.lambda);
    const lam = (t: Token) => lambda[f.bucket(t)];
    const pt = ppl(test, lam);
    const acc = top1(test, lam);
    console.log(`${f.name.padEnd(24)} ${ppl(fit, lam).toFixed(2).padStart(7)} ${pt.toFixed(2).padStart(9)} ${(((pt - baseTest) / baseTest) * 100).toFixed(1).padStart(8)}%  ${(100 * acc.acc).toFixed(2).padStart(9)}%  (${acc.unsure})`);
    if (f.labels.length === 1) {
      console.log(`    λ ${lambda[0].toFixed(4)}`);
      continue;
    }
    const inBucket = (ts: Token[], b: number) => ts.filter((t) => f.bucket(t) === b);
    const row = (label: string, xs: string[]) => console.log(`    ${label.padEnd(18)} ${xs.map((x) => x.padStart(9)).join(' ')}`);
    row('bucket', f.labels);
    row('λ', lambda.map((x) => x.toFixed(3)));
    row('fit tokens %', share.map((x) => (100 * x).toFixed(1)));
    row('test tokens %', f.labels.map((_, b) => ((100 * inBucket(test, b).length) / test.length).toFixed(1)));
    const pct = (ts: Token[], lamOf: (t: Token) => number) => (ts.length ? (100 * top1(ts, lamOf).acc).toFixed(1) : '-');
    row('top-1 LSTM %', f.labels.map((_, b) => pct(inBucket(test, b), () => 1)));
    row('top-1 5-gram %', f.labels.map((_, b) => pct(inBucket(test, b), () => 0)));
    row('top-1 global λ %', f.labels.map((_, b) => pct(inBucket(test, b), () => g.lambda)));
    row('top-1 bucketed %', f.labels.map((_, b) => pct(inBucket(test, b), lam)));
  }
  // Ceiling: λ per bucket fitted on the test tokens themselves.
  const gt = fitLambdaFromLogProbs(test.map((t) => t.la), test.map((t) => t.lb)).lambda;
  const oracle = FEATURES.slice(1).map((f) => {
    const { lambda } = fitBuckets(f, test, gt);
    return `${f.name} ${ppl(test, (t) => lambda[f.bucket(t)]).toFixed(2)}`;
  });
  console.log(`ceiling (λ fitted on the test tokens): global ${ppl(test, () => gt).toFixed(2)}; ${oracle.join('; ')}`);
}

async function main(): Promise<void> {
  const backend = await initBackend();
  console.log(`backend ${backend}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const sources = await sourcesFromInlineMaps(PACKAGE_DIST);
  const heldOut = sources.filter((_, i) => i % HOLDOUT_EVERY === HOLDOUT_EVERY - 1);
  const train = sources.filter((_, i) => i % HOLDOUT_EVERY !== HOLDOUT_EVERY - 1);
  const maxTokens = Number(arg('tokens', '40000'));
  if (!(maxTokens >= 1000)) throw new Error('--tokens needs a number ≥ 1000');
  for (const name of arg('models', 'model-d128-m5,model-d128-m2').split(',')) await runModel(name, train, heldOut, maxTokens, backend);
  console.log(`\nload average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
