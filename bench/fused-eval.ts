// Exact (full-softmax) evaluation speed on WikiText-2 test.txt: train.ts's evaluatePerplexity
// (TF.js ops, 10 streams) against the fused path's evaluate() (lstm/fusedTrainer.ts) with 10
// streams on 1 thread (the same perplexity) and with 64 streams on 2 threads, on the same
// tokens, same run, the default model (V from valid.txt, embed = hidden = 200, tied; weights
// as initialised: the time does not depend on them). Prints the backend, tokens/s wall and
// per CPU-second, perplexities, and the projected seconds for the whole test set.
//   npx tsx bench/fused-eval.ts [--tokens 20000] [--full] [--data DIR] [--backend wasm|cpu]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { initBackend, type BackendName } from '../src/engine/kernels/backend';
import { buildDataset, encodeText } from '../src/engine/text/dataset';
import { createTokenizer } from '../src/engine/text/tokenizer';
import { DEFAULT_TRAINING, evaluatePerplexity } from '../src/engine/lstm/train';
import { FusedLstmTrainer } from '../src/engine/lstm/fusedTrainer';
import { LstmModel } from '../src/engine/lstm/lstm';
import { argValue, cpuSeconds } from './lib/args';


async function timed<T extends { ppl: number; tokens: number }>(fn: () => Promise<T> | T) {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const r = await fn();
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  return { ppl: Math.round(r.ppl * 1000) / 1000, tokens: r.tokens, seconds: +wall.toFixed(2), tokens_per_s: Math.round(r.tokens / wall), cpu_tokens_per_s: Math.round(r.tokens / cpu) };
}

async function main() {
  const backend = await initBackend(process.argv.includes('--backend') ? (argValue('backend', 'wasm') as BackendName) : undefined);
  const dir = argValue('data', join(__dirname, '../../shared/data/wikitext-2'));
  const tokenizer = createTokenizer('whitespace');
  const ds = buildDataset([{ path: 'valid.txt', text: readFileSync(join(dir, 'valid.txt'), 'utf8') }], tokenizer);
  const test = encodeText(readFileSync(join(dir, 'test.txt'), 'utf8'), tokenizer, ds.vocab);
  const ids = test.subarray(0, Number(argValue('tokens', '20000')));
  const hyper = { vocabSize: ds.vocab.size, ...DEFAULT_TRAINING.hyper };
  const model = LstmModel.create(hyper, 1);
  const weights = model.weights();
  const old = await timed(() => evaluatePerplexity(model, ids));
  model.dispose();
  const fused10 = new FusedLstmTrainer(hyper, weights, { batch: 32, bptt: 35, sampler: null, evalBatch: 10 });
  const same = await timed(() => fused10.evaluate(ids));
  fused10.dispose();
  const fused64 = new FusedLstmTrainer(hyper, weights, { batch: 32, bptt: 35, sampler: null, evalBatch: 64, threads: 2 });
  const fast = await timed(() => fused64.evaluate(ids));
  const out: Record<string, unknown> = {
    bench: 'fused-eval', backend, vocab: ds.vocab.size, load_avg_1m: loadavg()[0],
    tfjs_10_streams: old, fused_10_streams_1_thread: same, fused_64_streams_2_threads: fast,
    ratio_wall_same_layout: +(same.tokens_per_s / old.tokens_per_s).toFixed(2),
    ratio_wall_fast: +(fast.tokens_per_s / old.tokens_per_s).toFixed(2),
    projected_test_seconds: { tfjs: Math.round(test.length / old.tokens_per_s), fused_fast: Math.round(test.length / fast.tokens_per_s) },
  };
  if (process.argv.includes('--full')) out.fused_full_test = await timed(() => fused64.evaluate(test));
  fused64.dispose();
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
