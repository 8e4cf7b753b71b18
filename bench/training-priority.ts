// Does training at a low OS priority (what the server does: nice 10 on the training thread)
// keep the editor responsive on a busy machine, and what does it cost the training?
// Same script, alternating modes, each run the same training (the server's pipeline in its
// worker thread, 30 s budget, WikiText-2 valid.txt's text in files of 500 lines, whitespace tokenizer):
//   busy:  an "editor" process (a 5 ms heartbeat doing 0.5 ms of work per beat, as an
//          extension host handling keystrokes) and --jobs other jobs (busy loops, as a
//          TypeScript server or a build; default 2) run at normal priority while the model trains;
//   idle:  training alone, to see that low priority costs nothing when cores are free.
// Prints the editor's heartbeat lag (p50/p99/max, beats late by > 50 ms) and the optimiser
// steps each training run made, normal vs low priority, and the TF.js backend.
//   npx tsx bench/training-priority.ts [--runs 2] [--seconds 30] [--jobs 2]
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPipelineJob } from '../src/engine/pipeline/pipelineJob';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 2);
const SECONDS = arg('seconds', 30);
/** Busy processes besides the editor: 2 on 2 cores is a machine with more work than cores. */
const JOBS = arg('jobs', 2);
const DATA = path.resolve(__dirname, '../../shared/data/wikitext-2/valid.txt');

const EDITOR = `
  const lags = []; let last = performance.now();
  const beat = setInterval(() => {
    const now = performance.now(); lags.push(now - last - 5); last = now;
    const until = now + 0.5; while (performance.now() < until) {}
  }, 5);
  process.on('message', () => { clearInterval(beat); process.send(lags); });`;
const OTHER_JOB = 'for (;;) {}';

interface Lag {
  p50: number;
  p99: number;
  max: number;
  late: number;
  beats: number;
}

function summarise(lags: number[]): Lag {
  const s = [...lags].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: q(0.5), p99: q(0.99), max: s[s.length - 1], late: s.filter((l) => l > 50).length, beats: s.length };
}

async function train(corpus: string, lowPriority: boolean): Promise<{ steps: number; backend: string }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-priority-'));
  let steps = 0;
  try {
    const job = startPipelineJob(
      { roots: [corpus], tokenizer: 'whitespace', outDir: out, minutes: SECONDS / 60, dim: 128 },
      (e) => {
        if (e.event === 'progress') steps = Math.max(steps, e.step);
      },
      { lowPriority },
    );
    const result = await job.done;
    return { steps, backend: result.backend };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

async function run(corpus: string, lowPriority: boolean, busy: boolean): Promise<{ steps: number; backend: string; lag?: Lag }> {
  if (!busy) return train(corpus, lowPriority);
  const editor = spawn(process.execPath, ['-e', EDITOR], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const others: ChildProcess[] = Array.from({ length: JOBS }, () => spawn(process.execPath, ['-e', OTHER_JOB], { stdio: 'ignore' }));
  try {
    const trained = await train(corpus, lowPriority);
    const lags = await new Promise<number[]>((resolve) => {
      editor.once('message', (m) => resolve(m as number[]));
      editor.send('stop');
    });
    return { ...trained, lag: summarise(lags) };
  } finally {
    editor.kill();
    for (const other of others) other.kill();
  }
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('per-thread priority is Linux only');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-priority-corpus-'));
  const lines = fs.readFileSync(DATA, 'utf8').split('\n');
  // In files under the corpus reader's 1 MiB limit per file.
  for (let i = 0; i * 500 < lines.length; i++) fs.writeFileSync(path.join(dir, `part${i}.txt`), lines.slice(i * 500, (i + 1) * 500).join('\n'));
  console.log(`training-priority: ${RUNS} run(s) per mode, ${SECONDS} s budget each, ${JOBS} busy job(s), ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
  const rows: string[] = [];
  try {
    for (const busy of [true, false]) {
      const results: Record<string, { steps: number[]; lag: Lag[] }> = { normal: { steps: [], lag: [] }, low: { steps: [], lag: [] } };
      for (let r = 0; r < RUNS; r++) {
        for (const mode of r % 2 === 0 ? ['normal', 'low'] : ['low', 'normal']) {
          const x = await run(dir, mode === 'low', busy);
          results[mode].steps.push(x.steps);
          if (x.lag) results[mode].lag.push(x.lag);
          const lag = x.lag ? `; editor lag p50 ${x.lag.p50.toFixed(1)} / p99 ${x.lag.p99.toFixed(1)} / max ${x.lag.max.toFixed(1)} ms, ${x.lag.late} of ${x.lag.beats} beats > 50 ms late` : '';
          console.log(`  ${busy ? 'busy' : 'idle'} ${mode}: backend ${x.backend}, ${x.steps} steps${lag} (load ${os.loadavg()[0].toFixed(1)})`);
        }
      }
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const ratio = mean(results.low.steps) / mean(results.normal.steps);
      let line = `${busy ? 'busy machine' : 'idle machine'}: training steps low/normal ${ratio.toFixed(2)}`;
      if (busy) {
        const p99 = (m: string) => mean(results[m].lag.map((l) => l.p99));
        const late = (m: string) => mean(results[m].lag.map((l) => l.late));
        line += `; editor p99 lag normal ${p99('normal').toFixed(1)} ms vs low ${p99('low').toFixed(1)} ms; beats > 50 ms late ${late('normal').toFixed(1)} vs ${late('low').toFixed(1)}`;
      }
      rows.push(line);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(rows.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
