// Stop means stop, at workspace scale (issue 15): the real server over stdio trains on a
// folder of real code (default: this project's node_modules, 300+ MB, excludes off), and a
// cancel comes at a random moment of a phase chosen in turn (read, tokenize, n-gram, steps,
// final validation), 20 times. Throughout, a completion is asked every 50 ms of the model from
// before the runs. Then the CLI trains on the same folder and gets SIGTERM in the same phases.
// Prints every stop time (cancel → the train request's answer; SIGTERM → exit), p50/p99/max,
// peak RSS of the server and of the CLI (VmHWM), and the completion latency p50/p99/max.
// Run: npx tsx bench/cancel-soak.ts [--root DIR] [--rounds 20] [--cli-rounds 5] [--minutes 1]
//        [--dim 128] [--seed 1] [--normal-priority] [--phases train,final-validation]
//        (npm run build first: the server and CLI bundles run; --normal-priority:
//        wordlens.trainingLowPriority off, the thread at nice 0; --phases: only those, in turn)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InlineCompletionRequest, InlineCompletionTriggerKind, WorkDoneProgress, type WorkDoneProgressReport } from 'vscode-languageserver-protocol';
import { mulberry32 } from '../src/engine/prng';
import { CancelTrainingRequest, TrainRequest, type TrainResult } from '../src/protocol';
import { PHASE_LINES } from '../src/server/handlers/train';
import type { PipelinePhase } from '../src/engine/pipeline/pipeline';
import { startTestServer, type TestServer } from '../test/server/lspClient';

const ROOT = path.resolve(__dirname, '..');
const ALL_PHASES: PipelinePhase[] = ['read', 'tokenize', 'ngram', 'train', 'final-validation'];

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const corpusRoot = path.resolve(option('root', path.join(ROOT, 'node_modules')));
const rounds = Number(option('rounds', '20'));
const cliRounds = Number(option('cli-rounds', '5'));
const minutes = Number(option('minutes', '1'));
const dim = Number(option('dim', '128'));
const random = mulberry32(Number(option('seed', '1')));
const normalPriority = process.argv.includes('--normal-priority');
const PHASES = option('phases', ALL_PHASES.join(',')).split(',') as PipelinePhase[];

const json = (o: object) => console.log(JSON.stringify({ bench: 'cancel-soak', ...o }));
function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
}
const summary = (xs: number[]) => ({ n: xs.length, p50: percentile(xs, 0.5), p99: percentile(xs, 0.99), max: Math.max(...xs) });

/** Peak resident set (VmHWM) of a live process, bytes; 0 once it has gone. */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
/** The phase a server progress line announces, if it is one. */
const phaseOfLine = (line: string | undefined) => ALL_PHASES.find((p) => PHASE_LINES[p] === line);

/** Completions of the serving model every 50 ms until stopped; latencies in ms. */
function completionLoop(server: TestServer, uri: string, text: string) {
  const latencies: number[] = [];
  let errors = 0;
  let running = true;
  const lines = text.split('\n');
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await server.connection.sendRequest(InlineCompletionRequest.type, {
          textDocument: { uri },
          position: { line: lines.length - 1, character: lines[lines.length - 1].length },
          context: { triggerKind: InlineCompletionTriggerKind.Invoked },
        });
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { latencies, errors: () => errors, stop: async () => ((running = false), await loop) };
}

/** One LSP training run cancelled `delayMs` after `phase` starts; the stop time and where it ended. */
async function lspRound(server: TestServer, round: number, phase: PipelinePhase, delayMs: number) {
  const workDoneToken = `soak-${round}`;
  let cancelledAt = 0;
  let scheduled = false;
  let reached: PipelinePhase | undefined;
  // Seconds into the run each phase started: how long a round took to reach its target.
  const phaseAt: Partial<Record<PipelinePhase, number>> = {};
  const started = performance.now();
  const listener = server.connection.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
    const seen = phaseOfLine((value as WorkDoneProgressReport).message);
    if (seen) reached = seen;
    if (seen && phaseAt[seen] === undefined) phaseAt[seen] = Math.round((performance.now() - started) / 100) / 10;
    // One cancel per round: a phase reports several lines, and a second timer would cancel the next round.
    if (seen === phase && !scheduled) {
      scheduled = true;
      setTimeout(() => {
        cancelledAt = performance.now();
        void server.connection.sendRequest(CancelTrainingRequest);
      }, delayMs);
    }
  });
  const result = (await server.connection.sendRequest(TrainRequest, {
    workDoneToken, roots: [corpusRoot], exclude: [], budgetMinutes: minutes, dim,
  })) as TrainResult;
  listener.dispose();
  return { result, stopMs: cancelledAt ? performance.now() - cancelledAt : NaN, reached, phaseAt, seconds: (performance.now() - started) / 1000 };
}

/** One CLI training run sent SIGTERM `delayMs` after `phase` starts (phases from its --json lines). */
async function cliRound(outDir: string, phase: PipelinePhase, delayMs: number) {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'train', corpusRoot, '--out', outDir, '--minutes', String(minutes), '--dim', String(dim), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The CLI prints no phase lines in --json; its events mark them: corpus (read+tokenize done),
  // ngram (n-gram done), progress (steps), and the budget's end (final validation).
  const marks: Record<PipelinePhase, (line: string) => boolean> = {
    read: () => true,
    tokenize: () => true,
    ngram: (l) => l.includes('"event":"corpus"'),
    train: (l) => l.includes('"event":"progress"'),
    'final-validation': (l) => /"fraction":1[,}]/.test(l),
    validate: () => false,
    save: () => false,
    fit: () => false,
  };
  let peak = 0;
  let signalledAt = 0;
  let last = '';
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 200);
  child.stdout.on('data', (d: Buffer) => {
    for (const line of String(d).split('\n')) {
      if (line.trim()) last = line;
      if (!signalledAt && marks[phase](line)) {
        signalledAt = -1;
        setTimeout(() => ((signalledAt = performance.now()), child.kill('SIGTERM')), delayMs);
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  return { code, stopMs: signalledAt > 0 ? performance.now() - signalledAt : NaN, peak, last };
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(tmpdir(), 'wordlens-cancel-soak-'));
  process.env.WORDLENS_TEST_SERVER ??= 'dist';
  json({ corpusRoot, rounds, cliRounds, minutes, dim, normalPriority, phases: PHASES, load: loadavg()[0] });
  const server = await startTestServer({
    storagePath: path.join(tmp, 'storage'),
    ...(normalPriority ? { settings: { trainingLowPriority: false } } : {}),
  });
  try {
    await server.waitForStatus((s) => s.state === 'none' || s.state === 'ready', 60_000);
    // The previous model: a short run on this project's own sources; it serves throughout.
    const first = (await server.connection.sendRequest(TrainRequest, { roots: [path.join(ROOT, 'src')], epochs: 1, dim: 16, budgetMinutes: 1 })) as TrainResult;
    json({ previousModel: first.modelPath, vocab: first.vocab });
    const uri = 'file:///soak/typing.ts';
    const text = fs.readFileSync(path.join(ROOT, 'src/server/handlers/train.ts'), 'utf8').slice(0, 3000);
    await server.open(uri, text);
    const completions = completionLoop(server, uri, text);
    const stops: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const phase = PHASES[round % PHASES.length];
      const delayMs = Math.round(random() * 2000);
      const r = await lspRound(server, round, phase, delayMs);
      stops.push(r.stopMs);
      json({ round, target: phase, delayMs, reached: r.reached, phaseAt: r.phaseAt, vocab: r.result.vocab, stoppedIn: r.result.stoppedIn, forced: r.result.forced ?? false, cancelled: r.result.cancelled, stopMs: Math.round(r.stopMs), kept: r.result.kept ?? null, seconds: r.seconds, serverPeakRssMb: mb(peakRss(server.process.pid!)) });
    }
    await completions.stop();
    json({
      lsp: { stopMs: summary(stops.filter(Number.isFinite)), over2s: stops.filter((s) => !(s <= 2000)).length },
      serverPeakRssMb: mb(peakRss(server.process.pid!)),
      completions: { ...summary(completions.latencies), errors: completions.errors() },
    });
  } finally {
    await server.stop();
  }
  const cliStops: number[] = [];
  let cliPeak = 0;
  for (let round = 0; round < cliRounds; round++) {
    const phase = PHASES[round % PHASES.length];
    const delayMs = Math.round(random() * 2000);
    const r = await cliRound(path.join(tmp, 'cli-model'), phase, delayMs);
    cliStops.push(r.stopMs);
    cliPeak = Math.max(cliPeak, r.peak);
    json({ cliRound: round, target: phase, delayMs, exit: r.code, stopMs: Math.round(r.stopMs), peakRssMb: mb(r.peak), result: r.last.slice(0, 300) });
  }
  json({ cli: { stopMs: summary(cliStops.filter(Number.isFinite)), over2s: cliStops.filter((s) => !(s <= 2000)).length }, cliPeakRssMb: mb(cliPeak), load: loadavg()[0] });
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
