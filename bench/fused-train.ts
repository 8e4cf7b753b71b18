// Training throughput on WikiText-2 (valid.txt, whitespace tokenizer, the default model:
// embed = hidden = 200, 1 layer, tied, dropout 0.2, batch 32, bptt 35, Adam, clip 0.25,
// 2,048 sampled words): the TF.js ops path (trainLstm as shipped, validation off) against the
// fused WebAssembly path (lstm/fusedTrainer.ts) on 1 and 2 threads, in the same run. Prints the backend, tokens/s
// wall-clock and per CPU-second (process.cpuUsage; the machine may be shared) for each, their
// ratios, and each path's mean loss over its last steps (both should be falling alike).
//   npx tsx bench/fused-train.ts [--seconds 60] [--fused-seconds 30] [--rounds 1] [--data DIR] [--backend wasm|cpu]
// The fused path runs with 1 and then 2 threads (--fused-seconds each).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { initBackend, type BackendName } from '../src/engine/kernels/backend';
import { buildDataset } from '../src/engine/text/dataset';
import { createTokenizer } from '../src/engine/text/tokenizer';
import { DEFAULT_TRAINING, trainLstm } from '../src/engine/lstm/train';
import { batchify } from '../src/engine/lstm/batches';
import { FusedLstmTrainer } from '../src/engine/lstm/fusedTrainer';
import { LstmModel } from '../src/engine/lstm/lstm';
import { UnigramSampler } from '../src/engine/lstm/sampledSoftmax';
import { mulberry32 } from '../src/engine/prng';
import type { LstmHyper } from '../src/engine/types';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

/** Steps left out of the rates (warm-up). */
const WARMUP = 3;

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main() {
  const backend = await initBackend(process.argv.includes('--backend') ? (arg('backend', 'wasm') as BackendName) : undefined);
  const dir = arg('data', join(__dirname, '../../shared/data/wikitext-2'));
  const ds = buildDataset([{ path: 'valid.txt', text: readFileSync(join(dir, 'valid.txt'), 'utf8') }], createTokenizer('whitespace'));
  const V = ds.vocab.size;
  const D = DEFAULT_TRAINING;
  const hyper: LstmHyper = { vocabSize: V, ...D.hyper };
  const oldSeconds = Number(arg('seconds', '60'));
  const newSeconds = Number(arg('fused-seconds', '30'));
  const rounds = Number(arg('rounds', '1'));

  // The TF.js path as train.ts runs it (no validation set: only training steps are timed).
  // Rates count from the end of step WARMUP on, for both paths: the first steps compile and
  // warm up kernels (measured: they halved TF.js's rate in a 30-second window).
  const runTfjs = async () => {
    const marks: { cpu: number; wall: number; tokens: number; loss: number }[] = [];
    let done = 0;
    const old = await trainLstm(
      { train: ds.train, valid: new Int32Array(0), vocabSize: V },
      {
        minutes: oldSeconds / 60, seed: 1, progressEverySeconds: 0,
        onProgress: (p) => marks.push({ cpu: cpuSeconds(), wall: performance.now() / 1000, tokens: (done = p.step * D.batch * D.bptt), loss: p.loss }),
      },
    );
    old.model.dispose();
    if (marks.length <= WARMUP + 1) throw new Error(`the TF.js path did only ${marks.length} steps: raise --seconds`);
    const [m0, m1] = [marks[WARMUP - 1], marks[marks.length - 1]];
    return {
      steps_timed: marks.length - WARMUP, tokens: m1.tokens - m0.tokens, seconds: m1.wall - m0.wall, cpu_seconds: m1.cpu - m0.cpu,
      tokens_per_s: (m1.tokens - m0.tokens) / (m1.wall - m0.wall), cpu_tokens_per_s: (m1.tokens - m0.tokens) / (m1.cpu - m0.cpu), loss_ema_end: m1.loss, all_steps_tokens: done,
    };
  };

  // The fused path, same data layout, sampler and learning rate: 1 thread, then 2.
  const { data, rows } = batchify(ds.train, D.batch);
  const runFused = (threads: number) => {
    const init = LstmModel.create(hyper, 1);
    const sampler = UnigramSampler.fromIds(ds.train, V, D.samplerAlpha, mulberry32(8));
    const fused = new FusedLstmTrainer(hyper, init.weights(), { batch: D.batch, bptt: D.bptt, sampler, samples: D.samples, clip: D.clip, seed: 1, threads });
    init.dispose();
    const B = D.batch;
    let tokens = 0;
    let ema = NaN;
    let c1 = 0;
    let t1 = 0;
    const t0 = performance.now();
    for (let pos = 0, step = 0; performance.now() - t0 < newSeconds * 1000; pos += D.bptt, step++) {
      if (pos >= rows - 1) {
        pos = 0;
        fused.resetState();
      }
      if (step === WARMUP) {
        c1 = cpuSeconds();
        t1 = performance.now();
        tokens = 0;
      }
      const n = Math.min(D.bptt, rows - 1 - pos);
      const loss = fused.step(data.subarray(pos * B, (pos + n) * B), data.subarray((pos + 1) * B, (pos + 1 + n) * B), D.lr);
      ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
      tokens += n * B;
    }
    const wall = (performance.now() - t1) / 1000;
    const cpu = cpuSeconds() - c1;
    const out = { threads, tokens, seconds: wall, cpu_seconds: cpu, tokens_per_s: tokens / wall, cpu_tokens_per_s: tokens / cpu, loss_ema_end: ema, wasm_mb: fused.memoryBytes / 2 ** 20 };
    fused.dispose();
    return out;
  };
  // --rounds R alternates the three legs R times and pools them: the machine's speed drifts
  // (other tenants), and interleaving puts the drift into every leg alike.
  type Leg = { tokens: number; seconds: number; cpu_seconds: number; tokens_per_s: number; cpu_tokens_per_s: number };
  const pool = <T extends Leg>(legs: T[]): T => {
    const sum = (k: 'tokens' | 'seconds' | 'cpu_seconds') => legs.reduce((a, l) => a + l[k], 0);
    return { ...legs[legs.length - 1], tokens: sum('tokens'), seconds: sum('seconds'), cpu_seconds: sum('cpu_seconds'), tokens_per_s: sum('tokens') / sum('seconds'), cpu_tokens_per_s: sum('tokens') / sum('cpu_seconds') };
  };
  const legs = { tfjs: [] as Awaited<ReturnType<typeof runTfjs>>[], one: [] as ReturnType<typeof runFused>[], two: [] as ReturnType<typeof runFused>[] };
  for (let r = 0; r < rounds; r++) {
    legs.tfjs.push(await runTfjs());
    legs.one.push(runFused(1));
    legs.two.push(runFused(2));
    if (rounds > 1) console.log(JSON.stringify({ round: r + 1, tfjs: legs.tfjs[r].tokens_per_s, fused_1: legs.one[r].tokens_per_s, fused_2: legs.two[r].tokens_per_s, load_avg_1m: loadavg()[0] }));
  }
  const oldResult = pool(legs.tfjs);
  const fused1 = pool(legs.one);
  const fused2 = pool(legs.two);
  const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 100) / 100]));
  console.log(JSON.stringify({
    bench: 'fused-train', backend, rounds, vocab: V, train_tokens: ds.train.length, load_avg_1m: loadavg()[0],
    tfjs: round(oldResult), fused_1_thread: round(fused1), fused_2_threads: round(fused2),
    ratio_wall_1_thread: +(fused1.tokens_per_s / oldResult.tokens_per_s).toFixed(2),
    ratio_wall_2_threads: +(fused2.tokens_per_s / oldResult.tokens_per_s).toFixed(2),
    ratio_per_cpu_second_1_thread: +(fused1.cpu_tokens_per_s / oldResult.cpu_tokens_per_s).toFixed(2),
    ratio_per_cpu_second_2_threads: +(fused2.cpu_tokens_per_s / oldResult.cpu_tokens_per_s).toFixed(2),
  }));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
