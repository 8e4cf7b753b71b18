// Exact (full-softmax) evaluation speed, old vs new in one run (issue 10, item 4), on
// WikiText-2 test.txt with the default model shape (V from valid.txt, embed = hidden = 200,
// tied; weights as initialised, or --model DIR: the time does not depend on them), 10 streams
// each (the scored tokens and contexts of `wordlens eval` and PyTorch's evaluation):
//   old     lstmTokenScores on TF.js ops (kernels: 'tfjs') — what `eval` ran before;
//   fused   lstmTokenScores on the fused WebAssembly kernels, 2 threads (what `eval` runs now
//           without native TensorFlow), and fusedTokenScores on 1 thread (the per-CPU cost).
// Prints the backend, tokens per wall and per CPU-second (all threads), the ratios, the largest
// per-token difference, and the projected wall and CPU seconds for all of test.txt.
//   npx tsx bench/eval-speed.ts [--tokens 20000] [--full] [--model DIR] [--data DIR]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../src/engine/kernels/backend';
import { buildDataset, encodeText } from '../src/engine/text/dataset';
import { createTokenizer } from '../src/engine/text/tokenizer';
import { DEFAULT_TRAINING } from '../src/engine/lstm/train';
import { lstmTokenScores, perplexityOf, type TokenScores } from '../src/engine/lstm/evaluate';
import { fusedTokenScores } from '../src/engine/lstm/fusedScores';
import { LstmModel } from '../src/engine/lstm/lstm';
import { loadModel } from '../src/engine/io/store';
import { Vocab } from '../src/engine/text/vocab';
import type { LstmHyper } from '../src/engine/types';
import { argValue, cpuSeconds } from './lib/args';


async function timed(fn: () => Promise<{ ppl: number; tokens: number }>) {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const r = await fn();
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  return { ppl: +r.ppl.toFixed(4), tokens: r.tokens, wall_s: +wall.toFixed(2), cpu_s: +cpu.toFixed(2), tokens_per_s: Math.round(r.tokens / wall), tokens_per_cpu_s: Math.round(r.tokens / cpu) };
}

async function main() {
  const backend = await initBackend();
  const dir = argValue('data', '/work/shared/data/wikitext-2');
  const tokenizer = createTokenizer('whitespace');
  const modelDir = argValue('model', '');
  let model: LstmModel;
  let vocab: Vocab;
  if (modelDir) {
    const saved = await loadModel(modelDir);
    vocab = Vocab.fromJSON(saved.vocab);
    model = LstmModel.fromWeights({ ...(saved.meta.hyper as unknown as LstmHyper), dropout: 0 }, saved.weights);
  } else {
    vocab = buildDataset([{ path: 'valid.txt', text: readFileSync(path.join(dir, 'valid.txt'), 'utf8') }], tokenizer).vocab;
    model = LstmModel.create({ vocabSize: vocab.size, ...DEFAULT_TRAINING.hyper, dropout: 0 }, 1);
  }
  const test = encodeText(readFileSync(path.join(dir, 'test.txt'), 'utf8'), tokenizer, vocab);
  const ids = process.argv.includes('--full') ? test : test.subarray(0, Number(argValue('tokens', '20000')));
  const runs: Record<string, TokenScores> = {};
  const scored = (name: string, fn: () => Promise<TokenScores | Omit<TokenScores, 'kernels'> | null>) => async () => {
    const s = (runs[name] = (await fn()) as TokenScores);
    return { ppl: perplexityOf(s.logProbs), tokens: s.logProbs.length };
  };
  const load_start = loadavg()[0];
  const old = await timed(scored('old', () => lstmTokenScores(model, ids, { batch: 10, kernels: 'tfjs' })));
  const fused2 = await timed(scored('fused2', () => lstmTokenScores(model, ids, { batch: 10, kernels: 'fused' })));
  const fused1 = await timed(scored('fused1', () => fusedTokenScores(model, ids, { batch: 10, threads: 1 })));
  let worst = 0;
  for (let i = 0; i < runs.old.logProbs.length; i++) worst = Math.max(worst, Math.abs(runs.fused2.logProbs[i] / runs.old.logProbs[i] - 1));
  const project = (r: { tokens_per_s: number; tokens_per_cpu_s: number }) => ({ wall: Math.round(test.length / r.tokens_per_s), cpu: Math.round(test.length / r.tokens_per_cpu_s) });
  console.log(
    JSON.stringify({
      bench: 'eval-speed', backend, vocab: vocab.size, tokens: ids.length, load_start, load_end: loadavg()[0],
      old_tfjs: old, fused_2_threads: fused2, fused_1_thread: fused1,
      same_positions: runs.old.positions.every((p, i) => p === runs.fused2.positions[i]),
      worst_token_rel_diff: worst,
      ratio_wall: { fused_2: +(fused2.tokens_per_s / old.tokens_per_s).toFixed(2), fused_1: +(fused1.tokens_per_s / old.tokens_per_s).toFixed(2) },
      ratio_cpu: { fused_2: +(fused2.tokens_per_cpu_s / old.tokens_per_cpu_s).toFixed(2), fused_1: +(fused1.tokens_per_cpu_s / old.tokens_per_cpu_s).toFixed(2) },
      projected_test_s: { old: project(old), fused_2: project(fused2) },
    }),
  );
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
