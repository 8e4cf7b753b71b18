// How many tokens must a cold read (the first completion after a jump) give the model? At
// random positions of held-out files, the log-probability of the next token after reading
// only the last N tokens (from the initial state), for the served mixture and the LSTM alone,
// against the whole window; and the CPU time of the read. Chooses
// completion.jumpContextTokens (src/protocol.ts JUMP_CONTEXT_TOKENS).
// Model: bench/completion-latency.ts's cached folder (run that first), corpus its held-out files.
// Run: npx tsx bench/jump-context.ts [--model DIR] [--positions 150]
import { advanceRange } from '../src/engine/decode/advanceRange';
import * as path from 'node:path';
import { loadavg } from 'node:os';
import { initBackend } from '../src/engine/kernels/backend';
import { openModel } from '../src/engine/io/openModel';
import type { LanguageModel } from '../src/engine/types';
import { mulberry32 } from '../src/engine/prng';
import { sourcesFromInlineMaps } from './lib/sourceMapCorpus';

const ROOT = path.resolve(__dirname, '..');
const LENGTHS = [8, 16, 32, 64, 128, 256];

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
}

/** Mean log-probability of the token at each position after the last n tokens (Infinity: all before it), and CPU ms per read. */
function score(model: LanguageModel<unknown>, docs: Int32Array[], at: [number, number][], n: number): { ll: number; cpuMs: number } {
  let ll = 0;
  const c0 = process.cpuUsage();
  for (const [d, i] of at) {
    // As the server reads (PrefixCache): batched where the model has advanceMany.
    const state = advanceRange(model, model.initialState(), docs[d], Math.max(0, i - n), i);
    ll += model.logProbs(state)[docs[d][i]];
  }
  const c = process.cpuUsage(c0);
  return { ll: ll / at.length, cpuMs: (c.user + c.system) / 1000 / at.length };
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const dir = arg('model', path.join(ROOT, 'bench/results/completion-latency/model-d128-m1'));
  const positions = Number(arg('positions', '150'));
  const model = await openModel(dir);
  console.log(`backend ${backend}; model ${path.relative(ROOT, dir)} (λ ${model.lambda.toFixed(4)}); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const sources = await sourcesFromInlineMaps(path.join(ROOT, 'node_modules/@tensorflow/tfjs-layers/dist'));
  const heldOut = sources.filter((_, i) => i % 10 === 9);
  const docs = heldOut.map((f) => model.vocab.encode(model.tokenizer.tokenize(f.text)));
  const rnd = mulberry32(5);
  const at: [number, number][] = [];
  // Positions with at least 512 tokens before them, so every N reads what it asks for.
  while (at.length < positions) {
    const d = Math.floor(rnd() * docs.length);
    if (docs[d].length > 600) at.push([d, 512 + Math.floor(rnd() * (docs[d].length - 512))]);
  }
  const sides: [string, LanguageModel<unknown>][] = [['served mixture', model.lm!], ['LSTM alone', model.lstm!]];
  for (const [name, lm] of sides) {
    const full = score(lm, docs, at, 512);
    console.log(`${name}: ppl with 512 tokens read ${Math.exp(-full.ll).toFixed(2)} (${full.cpuMs.toFixed(2)} CPU ms per read)`);
    for (const n of LENGTHS) {
      const r = score(lm, docs, at, n);
      console.log(`  last ${String(n).padStart(3)} tokens: ppl ${Math.exp(-r.ll).toFixed(2)} (× ${Math.exp(full.ll - r.ll).toFixed(3)} of 512's), ${r.cpuMs.toFixed(2)} CPU ms per read`);
      console.log(JSON.stringify({ bench: 'jump-context', model: name, tokens: n, ppl: Math.exp(-r.ll), pplRatio: Math.exp(full.ll - r.ll), cpuMs: r.cpuMs, backend }));
    }
  }
  model.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
