// Time-to-quality of the LSTM on WikiText-2: trains on valid.txt (anchor 90/10 line split),
// tests on test.txt, for --minutes M (default 5). Prints JSON lines: progress at validations,
// then a result with backend, tokens/s, steps, valid and test perplexity.
// Compare with ../shared/anchors/anchor_torch_lm.py (233.03 in 10 min) and anchor_kn.py (222.65).
//   npx tsx bench/train.ts [--minutes 5] [--samples 1024] [--batch 32] [--bptt 35] [--lr 0.003]
//     [--optimizer adam|sgd] [--layers 1] [--hidden 200] [--embed 200] [--tied true] [--dropout 0.2]
//     [--backend wasm|cpu] [--no-test] [--data DIR] [--clock wall|cpu] [--stepper tfjs|fused] [--threads N]
// --clock cpu: the budget counts this process's CPU time (for a machine shared with other jobs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { initBackend, type BackendName } from '../src/engine/kernels/backend';
import { buildDataset, encodeText } from '../src/engine/text/dataset';
import { createTokenizer } from '../src/engine/text/tokenizer';
import { DEFAULT_TRAINING, evaluatePerplexity, trainLstm, type TrainOptions } from '../src/engine/lstm/train';
import type { OptimizerKind } from '../src/engine/lstm/optimizer';
import { fusedTrainStepper } from '../src/engine/lstm/fusedTrainStepper';

function args(): Map<string, string> {
  const m = new Map<string, string>();
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (!a[i].startsWith('--')) continue;
    const key = a[i].slice(2);
    if (i + 1 < a.length && !a[i + 1].startsWith('--')) m.set(key, a[++i]);
    else m.set(key, 'true');
  }
  return m;
}

/** Process CPU time in ms: on a shared machine, the budget an idle machine's wall clock would give. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main() {
  const a = args();
  const num = (k: string) => (a.has(k) ? Number(a.get(k)) : undefined);
  const backend = await initBackend(a.get('backend') as BackendName | undefined);
  const dir = a.get('data') ?? join(__dirname, '../../shared/data/wikitext-2');
  const tokenizer = createTokenizer('whitespace');
  const ds = buildDataset([{ path: 'valid.txt', text: readFileSync(join(dir, 'valid.txt'), 'utf8') }], tokenizer);
  const test = encodeText(readFileSync(join(dir, 'test.txt'), 'utf8'), tokenizer, ds.vocab);
  const hyper = {
    ...(a.has('layers') ? { layers: num('layers')! } : {}),
    ...(a.has('hidden') ? { hiddenDim: num('hidden')! } : {}),
    ...(a.has('embed') ? { embedDim: num('embed')! } : {}),
    ...(a.has('tied') ? { tied: a.get('tied') === 'true' } : {}),
    ...(a.has('dropout') ? { dropout: num('dropout')! } : {}),
  };
  const opts: TrainOptions = {
    // --stepper fused [--threads 2]: the fused WebAssembly step (fusedTrainStepper.ts).
    ...(a.get('stepper') === 'fused' ? { stepper: fusedTrainStepper({ bptt: num('bptt') ?? DEFAULT_TRAINING.bptt, threads: num('threads') ?? 1 }) } : {}),
    minutes: num('minutes') ?? DEFAULT_TRAINING.minutes,
    hyper,
    batch: num('batch'),
    bptt: num('bptt'),
    lr: num('lr'),
    samples: num('samples'),
    samplerAlpha: num('alpha'),
    decayFrom: num('decay-from'),
    optimizer: a.get('optimizer') as OptimizerKind | undefined,
    validEverySeconds: num('valid-every'),
    seed: num('seed'),
    progressEverySeconds: 30,
    clock: a.get('clock') === 'cpu' ? cpuMs : undefined,
    onProgress: (p) => console.log(JSON.stringify(p)),
  };
  const settings = { ...DEFAULT_TRAINING, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined && typeof v !== 'function')) };
  console.log(JSON.stringify({ event: 'start', backend, vocab: ds.vocab.size, train_tokens: ds.train.length, valid_tokens: ds.valid.length, test_tokens: test.length, settings }));
  const cpu0 = cpuMs();
  const { model, result, curve } = await trainLstm({ train: ds.train, valid: ds.valid, vocabSize: ds.vocab.size }, opts);
  const out: Record<string, unknown> = {
    event: 'result',
    stepper: a.get('stepper') ?? 'tfjs',
    backend,
    minutes: opts.minutes,
    clock: a.get('clock') ?? 'wall',
    tokens_per_s: Math.round(result.tokens / result.seconds),
    cpu_tokens_per_s: Math.round(result.tokens / ((cpuMs() - cpu0) / 1000)),
    cpu_seconds: Math.round((cpuMs() - cpu0) / 1000),
    load_avg_1m: loadavg()[0],
    steps: curve.length ? curve[curve.length - 1].step : 0,
    train_tokens: result.tokens,
    seconds: Math.round(result.seconds),
    valid_ppl: result.valid_ppl && Math.round(result.valid_ppl * 100) / 100,
  };
  if (!a.has('no-test')) {
    const t = Date.now();
    const r = await evaluatePerplexity(model, test);
    out.test_ppl = Math.round(r.ppl * 100) / 100;
    out.test_tokens = r.tokens;
    out.test_eval_seconds = Math.round((Date.now() - t) / 1000);
  }
  console.log(JSON.stringify(out));
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
