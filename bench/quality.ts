// The headline time-to-quality table on WikiText-2: same budget, same machine, same data
// (train valid.txt with the anchors' 90/10 line split, test on test.txt), run one after another:
//   wordlens   the real CLI (dist/cli.js after `npm run build`): train --minutes M, then eval of
//              the LSTM + Kneser-Ney mixture and again with --lstm-only;
//   kn         ../shared/anchors/anchor_kn.py (interpolated modified Kneser-Ney 5-gram);
//   torch      ../shared/anchors/anchor_torch_lm.py --minutes M (the seed's recipe: SGD lr 20, 2×200);
//   torch-adam the same with --optimizer adam --lr 0.002 --tied --nlayers 1 (opt-in: --torch-adam).
// Prints one JSON line per system, then a table with test perplexity and its ratio to
// Kneser-Ney and to PyTorch, wall and CPU seconds, tokens/s, Wordlens's backend and the load
// average. Rows are also appended to bench/results/quality.jsonl so the table can be built from
// pieces run at different times (rows from earlier runs are marked with their time).
//   npx tsx bench/quality.ts [--minutes 5] [--skip-torch] [--torch-adam] [--only wordlens,kn,torch,torch-adam]
//     [--skip-build] [--no-merge] [--keep] [--data DIR]
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { lastJson, run as runIn } from './lib/timedRun';

const ROOT = path.join(__dirname, '..');
const ANCHORS = '/work/shared/anchors';
const PYTHON = '/usr/bin/python3'; // Debian's python3-torch lives in the system Python
const RESULTS = path.join(ROOT, 'bench/results/quality.jsonl');
const SYSTEMS = ['wordlens', 'kn', 'torch', 'torch-adam'] as const;
type System = (typeof SYSTEMS)[number];

interface Row {
  system: string;
  /** Training budget in minutes (null: no budget, the count model builds in one pass). */
  budget_min: number | null;
  wall_s: number;
  cpu_s: number;
  /** Training throughput (tokens per wall second) when the system reports it. */
  tokens_per_s: number | null;
  test_ppl: number;
  backend: string | null;
  load_start: number;
  load_end: number;
  at: string;
  commit: string;
  detail: Record<string, unknown>;
}

interface Options {
  minutes: number;
  systems: System[];
  build: boolean;
  merge: boolean;
  keep: boolean;
  data: string;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    if (i + 1 >= argv.length) throw new Error(`${name} needs a value`);
    return argv[i + 1];
  };
  const minutes = Number(value('--minutes') ?? 5);
  if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
  let systems: System[] = ['wordlens', 'kn', 'torch'];
  if (argv.includes('--torch-adam')) systems.push('torch-adam');
  if (argv.includes('--skip-torch')) systems = systems.filter((s) => !s.startsWith('torch'));
  const only = value('--only');
  if (only !== undefined) {
    const asked = only.split(',').map((s) => s.trim());
    const unknown = asked.filter((s) => !(SYSTEMS as readonly string[]).includes(s));
    if (unknown.length) throw new Error(`--only: unknown system ${unknown.join(', ')} (one of ${SYSTEMS.join(', ')})`);
    systems = asked as System[];
  }
  const data = value('--data') ?? '/work/shared/data/wikitext-2';
  for (const f of ['valid.txt', 'test.txt']) {
    if (!existsSync(path.join(data, f))) throw new Error(`missing ${path.join(data, f)}`);
  }
  return { minutes, systems, build: !argv.includes('--skip-build'), merge: !argv.includes('--no-merge'), keep: argv.includes('--keep'), data };
}

/** Runs in the project root, where the CLI and the anchors' relative paths resolve. */
const run = (cmd: string, args: string[], onLine?: (line: string) => void) => runIn(cmd, args, onLine, ROOT);

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const roundOrNull = (x: unknown, d = 2) => (typeof x === 'number' ? round(x, d) : null);
const load1 = () => round(loadavg()[0]);

async function runWordlens(o: Options, start: ReturnType<typeof baseFields>): Promise<Row[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wordlens-quality-'));
  const cli = path.join(ROOT, 'bin/wordlens.js');
  try {
    let lastProgress: Record<string, any> | undefined;
    let interpolation: Record<string, any> | undefined;
    let ngram: Record<string, any> | undefined;
    const train = await run(process.execPath, [cli, 'train', path.join(o.data, 'valid.txt'), '--tokenizer', 'whitespace', '--minutes', String(o.minutes), '--out', dir, '--json'], (line) => {
      if (!line.startsWith('{')) return;
      const e = JSON.parse(line);
      if (e.event === 'progress') {
        lastProgress = e;
        if (e.validPpl !== undefined) process.stderr.write(`  wordlens step ${e.step}: validation perplexity ${round(e.validPpl)} (LSTM alone)\n`);
      } else if (e.event === 'interpolation') interpolation = e;
      else if (e.event === 'ngram') ngram = e;
    });
    const done = lastJson(train.stdout, 'wordlens train');
    if (done.event !== 'done') throw new Error(`wordlens train: last line is not the done line: ${JSON.stringify(done)}`);
    const test = path.join(o.data, 'test.txt');
    const mixed = await run(process.execPath, [cli, 'eval', '--model', dir, test, '--json']);
    const lstm = await run(process.execPath, [cli, 'eval', '--model', dir, test, '--json', '--lstm-only']);
    const mixedEval = lastJson(mixed.stdout, 'wordlens eval');
    const lstmEval = lastJson(lstm.stdout, 'wordlens eval --lstm-only');
    const end = load1();
    const tokensPerS = lastProgress ? Math.round(lastProgress.tokensPerSecond) : null;
    const common = {
      budget_min: o.minutes,
      tokens_per_s: tokensPerS,
      backend: String(done.backend),
      ...start,
      load_end: end,
    };
    const trainDetail = {
      train_seconds: done.seconds,
      train_wall_s: round(train.wallS, 1),
      train_cpu_s: round(train.cpuS, 1),
      vocab: done.vocab,
      tokens_trained: done.tokens,
      steps: lastProgress?.step ?? null,
      epochs_started: lastProgress ? lastProgress.epoch + 1 : null,
      valid_ppl_mixture: roundOrNull(done.valid_ppl),
      valid_ppl_lstm: roundOrNull(interpolation?.valid_ppl_lstm),
      valid_ppl_ngram: roundOrNull(interpolation?.valid_ppl_ngram ?? ngram?.valid_ppl),
      lambda: roundOrNull(interpolation?.lambda, 3),
    };
    return [
      {
        system: 'wordlens (LSTM + KN mixture)',
        ...common,
        wall_s: round(train.wallS + mixed.wallS, 1),
        cpu_s: round(train.cpuS + mixed.cpuS, 1),
        test_ppl: round(mixedEval.ppl),
        detail: { ...trainDetail, eval_wall_s: round(mixed.wallS, 1), test_tokens: mixedEval.tokens, oov_rate: mixedEval.oov_rate },
      },
      {
        system: 'wordlens (LSTM alone)',
        ...common,
        wall_s: round(train.wallS + lstm.wallS, 1),
        cpu_s: round(train.cpuS + lstm.cpuS, 1),
        test_ppl: round(lstmEval.ppl),
        detail: { ...trainDetail, eval_wall_s: round(lstm.wallS, 1), test_tokens: lstmEval.tokens, oov_rate: lstmEval.oov_rate },
      },
    ];
  } finally {
    if (o.keep) process.stderr.write(`  model kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function runKn(o: Options, start: ReturnType<typeof baseFields>): Promise<Row> {
  const r = await run(PYTHON, [path.join(ANCHORS, 'anchor_kn.py'), '--train', path.join(o.data, 'valid.txt'), '--test', path.join(o.data, 'test.txt')]);
  const j = lastJson(r.stdout, 'anchor_kn.py');
  return {
    system: 'Kneser-Ney 5-gram (anchor_kn.py)',
    budget_min: null,
    wall_s: round(r.wallS, 1),
    cpu_s: round(r.cpuS, 1),
    tokens_per_s: null,
    test_ppl: j.test_ppl,
    backend: 'python',
    ...start,
    load_end: load1(),
    detail: { vocab: j.vocab, order: j.order, test_tokens: j.test_tokens },
  };
}

async function runTorch(o: Options, start: ReturnType<typeof baseFields>, adam: boolean): Promise<Row> {
  const variant = adam ? ['--optimizer', 'adam', '--lr', '0.002', '--tied', '--nlayers', '1'] : [];
  const label = adam ? 'torch-adam' : 'torch';
  const r = await run(
    PYTHON,
    [path.join(ANCHORS, 'anchor_torch_lm.py'), '--train', path.join(o.data, 'valid.txt'), '--test', path.join(o.data, 'test.txt'), '--minutes', String(o.minutes), ...variant],
    (line) => {
      if (line.startsWith('{"epoch"')) process.stderr.write(`  ${label} ${line}\n`);
    },
  );
  const j = lastJson(r.stdout, 'anchor_torch_lm.py');
  return {
    system: adam ? 'PyTorch Adam, tied, 1 layer' : 'PyTorch (seed recipe)',
    budget_min: o.minutes,
    wall_s: round(r.wallS, 1),
    cpu_s: round(r.cpuS, 1),
    tokens_per_s: j.train_tokens_per_s,
    test_ppl: j.test_ppl,
    backend: 'torch cpu, 2 threads',
    ...start,
    load_end: load1(),
    detail: { vocab: j.vocab, epochs: j.epochs, seconds: j.seconds, args: variant.join(' ') || 'defaults' },
  };
}

/** HEAD, with "+dirty" when src/ has uncommitted changes (the build then includes them). */
function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

function baseFields(commit: string): { load_start: number; load_end: number; at: string; commit: string } {
  return { load_start: load1(), load_end: NaN, at: new Date().toISOString(), commit };
}

/** Earlier rows (from bench/results/quality.jsonl) for systems and budgets this run did not measure. */
function earlierRows(now: Row[], minutes: number): Row[] {
  if (!existsSync(RESULTS)) return [];
  const latest = new Map<string, Row>();
  for (const line of readFileSync(RESULTS, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let r: Row;
    try {
      r = JSON.parse(line);
    } catch {
      continue;
    }
    if (r.budget_min !== null && r.budget_min !== minutes) continue;
    if (now.some((n) => n.system === r.system)) continue;
    latest.set(r.system, r); // the file is in time order: the last one wins
  }
  return [...latest.values()];
}

function table(rows: Row[], fresh: Set<Row>): string {
  const kn = rows.find((r) => r.system.startsWith('Kneser-Ney'));
  const torch = rows.find((r) => r.system === 'PyTorch (seed recipe)');
  const head = ['system', 'budget', 'wall s (train+test)', 'CPU s', 'tokens/s', 'test ppl', '÷ KN', '÷ PyTorch', 'backend', 'load 1m start→end', 'measured'];
  const body = rows.map((r) => [
    r.system,
    r.budget_min === null ? 'one pass' : `${r.budget_min} min`,
    String(r.wall_s),
    Number.isFinite(r.cpu_s) ? String(r.cpu_s) : '—',
    r.tokens_per_s === null ? '—' : String(r.tokens_per_s),
    r.test_ppl.toFixed(2),
    kn ? (r.test_ppl / kn.test_ppl).toFixed(3) : '—',
    torch ? (r.test_ppl / torch.test_ppl).toFixed(3) : '—',
    r.backend ?? '—',
    `${r.load_start} → ${r.load_end}`,
    fresh.has(r) ? 'this run' : `earlier (${r.at.slice(0, 16).replace('T', ' ')} UTC)`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmtRow = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [fmtRow(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(fmtRow)].join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const commit = gitCommit();
  const loadAtStart = loadavg().map((x) => round(x));
  console.log(JSON.stringify({ event: 'start', minutes: o.minutes, systems: o.systems, cores: cpus().length, load_avg: loadAtStart, commit }));
  if (o.build && o.systems.includes('wordlens')) {
    process.stderr.write('building dist/ (npm run build)...\n');
    await run('npm', ['run', '--silent', 'build']);
  }
  const rows: Row[] = [];
  // One after another, never concurrently: the machine has two cores.
  for (const s of o.systems) {
    process.stderr.write(`running ${s}${s === 'kn' ? '' : ` (${o.minutes} min budget)`}...\n`);
    const start = baseFields(commit);
    const got =
      s === 'wordlens' ? await runWordlens(o, start) : s === 'kn' ? [await runKn(o, start)] : [await runTorch(o, start, s === 'torch-adam')];
    for (const r of got) {
      console.log(JSON.stringify({ event: 'row', ...r }));
      mkdirSync(path.dirname(RESULTS), { recursive: true });
      appendFileSync(RESULTS, JSON.stringify(r) + '\n');
      rows.push(r);
    }
  }
  const fresh = new Set(rows);
  const all = o.merge ? [...rows, ...earlierRows(rows, o.minutes)] : rows;
  const order = (r: Row) => ['wordlens (LSTM + KN', 'wordlens (LSTM alone', 'Kneser', 'PyTorch (seed', 'PyTorch Adam'].findIndex((p) => r.system.startsWith(p));
  all.sort((a, b) => order(a) - order(b));
  const loadAtEnd = loadavg().map((x) => round(x));
  console.log(JSON.stringify({ event: 'end', load_avg: loadAtEnd }));
  console.log('');
  console.log(`WikiText-2 time-to-quality (train valid.txt, 90/10 line split; test test.txt), budget ${o.minutes} min, ${cpus().length} cores, commit ${commit}`);
  console.log(table(all, fresh));
  console.log(`load average (1, 5, 15 min): start ${loadAtStart.join(', ')}; end ${loadAtEnd.join(', ')}`);
  const busy = [...loadAtStart, ...loadAtEnd, ...all.flatMap((r) => [r.load_start, r.load_end])].some((l) => l > 2);
  if (busy) {
    console.log(
      `NOTE: the machine was shared (load average above 2 on ${cpus().length} cores): wall times and time-budgeted ` +
        'results (fewer steps in the budget) are worse than on an idle machine; CPU seconds are less affected.',
    );
  }
  const wl = rows.find((r) => r.system.startsWith('wordlens'));
  if (wl) console.log(`Wordlens ran on the ${wl.backend} backend.`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
