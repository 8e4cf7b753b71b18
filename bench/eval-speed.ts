// Exact (full-softmax) evaluation speed, old vs new in one run (issue 10, item 4), on
// WikiText-2 test.txt with the default model shape (V from valid.txt, embed = hidden = 200,
// tied; weights as initialised, or --model DIR: the time does not depend on them):
//   old   evaluatePerplexity (lstm/perplexity.ts: 35-step chunks of 10 streams, the whole
//         [350, V] logits block through tf.logSumExp and a gather) — what `eval` ran before;
//   new   lstmTokenScores (lstm/evaluate.ts: 1024-row blocks, log-sum-exp over 4096-word
//         slices of the vocabulary, target logits from their own output rows) with 10 streams
//         (the same scored tokens and contexts as old: the perplexities must agree) and with
//         --batch-wide streams (more tokens per recurrent step; a slightly different scored set).
// Prints the backend, tokens per wall and per CPU-second, the ratios, the perplexities and the
// projected seconds for all of test.txt.
//   npx tsx bench/eval-speed.ts [--tokens 20000] [--wide 128] [--full] [--model DIR] [--data DIR]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../src/engine/kernels/backend';
import { buildDataset, encodeText } from '../src/engine/text/dataset';
import { createTokenizer } from '../src/engine/text/tokenizer';
import { DEFAULT_TRAINING, evaluatePerplexity } from '../src/engine/lstm/train';
import { lstmTokenScores, perplexityOf } from '../src/engine/lstm/evaluate';
import { LstmModel } from '../src/engine/lstm/lstm';
import { loadModel } from '../src/engine/io/store';
import { Vocab } from '../src/engine/text/vocab';
import type { LstmHyper } from '../src/engine/types';

function option(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

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
  const dir = option('data', '/work/shared/data/wikitext-2');
  const tokenizer = createTokenizer('whitespace');
  const modelDir = option('model', '');
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
  const ids = process.argv.includes('--full') ? test : test.subarray(0, Number(option('tokens', '20000')));
  const wide = Number(option('wide', '128'));
  const scored = (batch: number) => async () => {
    const s = await lstmTokenScores(model, ids, { batch });
    return { ppl: perplexityOf(s.logProbs), tokens: s.logProbs.length };
  };
  const load_start = loadavg()[0];
  const old = await timed(() => evaluatePerplexity(model, ids));
  const new10 = await timed(scored(10));
  const newWide = await timed(scored(wide));
  const project = (r: { tokens_per_s: number }) => Math.round(test.length / r.tokens_per_s);
  console.log(
    JSON.stringify({
      bench: 'eval-speed', backend, vocab: vocab.size, tokens: ids.length, load_start, load_end: loadavg()[0],
      old_10_streams: old, new_10_streams: new10, [`new_${wide}_streams`]: newWide,
      same_ppl_10_streams: Math.abs(old.ppl - new10.ppl) / old.ppl < 1e-4,
      ratio_wall: { new_10: +(new10.tokens_per_s / old.tokens_per_s).toFixed(2), [`new_${wide}`]: +(newWide.tokens_per_s / old.tokens_per_s).toFixed(2) },
      ratio_cpu: { new_10: +(new10.tokens_per_cpu_s / old.tokens_per_cpu_s).toFixed(2), [`new_${wide}`]: +(newWide.tokens_per_cpu_s / old.tokens_per_cpu_s).toFixed(2) },
      projected_test_wall_s: { old: project(old), new_10: project(new10), [`new_${wide}`]: project(newWide) },
    }),
  );
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
