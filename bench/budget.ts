// Does `wordlens train --minutes M` keep its wall-clock promise (issue 10, item 3): a saved
// model within M·1.1 + 20 s, everything included? Runs the real CLI on three corpora:
//   wiki   WikiText-2 valid.txt, --tokenizer whitespace (V ≈ 13k, 218k tokens);
//   prose  ~1M words whose training part has ~50k word types, built from WikiText-2 valid.txt +
//          test.txt repeated, later copies renaming a seeded share of their words so the
//          vocabulary grows as a bigger corpus's would (makeProse below; kept in --work);
//   code   this project's node_modules sources (typescript/lib and TF.js's dist folders:
//          ~40 MB, V ≈ 90k with the code tokenizer; named roots, so the node_modules exclude
//          does not apply), --max-file-kb 4096.
// For each corpus and budget it prints one JSON line: wall seconds against the promise, the
// phase times seen on the --json event stream (read+tokenize until `corpus`, n-gram until
// `ngram`, training until `fitting`, λ fit until `interpolation`, save until exit), how
// valid_ppl was computed, what the budget cut (budget_cut), the backend, the load average and
// the child's CPU seconds (user + system, by /usr/bin/time when there is one).
//   npx tsx bench/budget.ts [--minutes 1,2] [--corpora wiki,prose,code] [--work DIR] [--data DIR]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

function option(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const FNV = (s: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
};

/**
 * ~`words` words of WikiText-2 (valid.txt + test.txt repeated) whose first 90% of lines (what
 * `train` builds its vocabulary from) hold ~`types` word types: in copies after the first, a
 * seeded share of the (word, copy, tenth of the copy) triples is renamed `word·copy.tenth`, the
 * share found by bisection. The last 10% repeats text seen in training, so its perplexities are
 * low: the corpus is for timing, not quality.
 */
export function makeProse(dataDir: string, words: number, types: number): { text: string; words: number; types: number; share: number } {
  const lines = ['valid.txt', 'test.txt'].map((f) => readFileSync(path.join(dataDir, f), 'utf8')).join('').split('\n');
  const build = (share: number) => {
    const out: string[] = [];
    let n = 0;
    for (let k = 0; n < words; k++) {
      for (let i = 0; i < lines.length && n < words; i++) {
        const tenth = Math.floor((10 * i) / lines.length);
        const toks = lines[i].split(' ').map((w) => (k > 0 && w.length > 1 && w !== '<unk>' && FNV(`${w}#${k}#${tenth}`) < share ? `${w}·${k}.${tenth}` : w));
        for (const w of toks) if (w) n++;
        out.push(toks.join(' '));
      }
    }
    const trainTypes = new Set(out.slice(0, Math.floor(0.9 * out.length)).join(' ').split(' ').filter(Boolean)).size;
    return { out, n, trainTypes };
  };
  let lo = 0;
  let hi = 1;
  let best = build(0.5);
  for (let i = 0; i < 12; i++) {
    const mid = (lo + hi) / 2;
    best = build(mid);
    if (best.trainTypes < types) lo = mid;
    else hi = mid;
  }
  return { text: best.out.join('\n') + '\n', words: best.n, types: best.trainTypes, share: (lo + hi) / 2 };
}

interface Run {
  corpus: string;
  minutes: number;
  promise_s: number;
  wall_s: number;
  kept: boolean;
  phases_s: Record<string, number>;
  done: Record<string, unknown> | null;
  meta_metrics: Record<string, unknown> | null;
  corpus_event: Record<string, unknown> | null;
  load_start: number;
  load_end: number;
  cpu_s: number | null;
}

function train(corpus: string, args: string[], minutes: number, out: string): Promise<Run> {
  const load_start = loadavg()[0];
  const t0 = performance.now();
  const at: Record<string, number> = {};
  let done: Record<string, unknown> | null = null;
  let corpusEvent: Record<string, unknown> | null = null;
  const argv = [path.join(ROOT, 'bin/wordlens.js'), 'train', ...args, '--minutes', String(minutes), '--out', out, '--json'];
  const timeFile = `${out}.time`;
  const timed = existsSync('/usr/bin/time');
  const child = timed
    ? spawn('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        const name = String(e.event);
        at[name] ??= (performance.now() - t0) / 1000;
        if (name === 'corpus') corpusEvent = e;
        // Training's last event (the final validation's progress or checkpoint) ends the training phase.
        if ((name === 'progress' || name === 'checkpoint') && at.interpolation === undefined) at.trained = (performance.now() - t0) / 1000;
        if (name === 'done') done = e;
      } catch {
        // not JSON: ignore
      }
    }
  });
  return new Promise((resolve) => {
    child.on('exit', () => {
      const wall = (performance.now() - t0) / 1000;
      const promise = minutes * 60 * 1.1 + 20;
      const ends = { read_tokenize: at.corpus, ngram: at.ngram, train: at.trained, fit: at.interpolation, save_exit: wall };
      const phases: Record<string, number> = {};
      let prev = 0;
      for (const [k, v] of Object.entries(ends)) {
        if (v === undefined) continue;
        phases[k] = +(v - prev).toFixed(1);
        prev = v;
      }
      let meta: Record<string, unknown> | null = null;
      try {
        meta = (JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8')) as { metrics: Record<string, unknown> }).metrics;
      } catch {
        meta = null;
      }
      let cpu: number | null = null;
      try {
        if (timed) cpu = +readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((a, b) => a + Number(b), 0).toFixed(1);
      } catch {
        cpu = null;
      }
      resolve({ corpus, minutes, promise_s: +promise.toFixed(1), wall_s: +wall.toFixed(1), kept: wall <= promise, phases_s: phases, done, meta_metrics: meta, corpus_event: corpusEvent, load_start, load_end: loadavg()[0], cpu_s: cpu });
    });
  });
}

async function main() {
  const minutesList = option('minutes', '1,2').split(',').map(Number);
  const corpora = option('corpora', 'wiki,prose,code').split(',');
  const work = path.resolve(option('work', '/tmp/wordlens-budget-bench'));
  const data = option('data', '/work/shared/data/wikitext-2');
  mkdirSync(work, { recursive: true });
  const nm = path.join(ROOT, 'node_modules');
  const args: Record<string, string[]> = {
    wiki: [path.join(data, 'valid.txt'), '--tokenizer', 'whitespace'],
    prose: [path.join(work, 'prose-1m.txt'), '--tokenizer', 'whitespace'],
    code: [
      ...['typescript/lib', '@tensorflow/tfjs-core/dist', '@tensorflow/tfjs-layers/dist', '@tensorflow/tfjs-converter/dist'].map((p) => path.join(nm, p)),
      '--max-file-kb', '4096',
    ],
  };
  if (corpora.includes('prose') && !existsSync(path.join(work, 'prose-1m.txt'))) {
    const p = makeProse(data, 1_000_000, 50_000);
    writeFileSync(path.join(work, 'prose-1m.txt'), p.text);
    console.log(JSON.stringify({ built: 'prose-1m.txt', words: p.words, training_types: p.types, share: p.share }));
  }
  for (const corpus of corpora) {
    for (const minutes of minutesList) {
      const r = await train(corpus, args[corpus], minutes, path.join(work, `${corpus}-${minutes}`));
      console.log(JSON.stringify({ bench: 'budget', backend: r.done?.backend ?? null, ...r }));
    }
  }
}

if (require.main === module) main().catch((e) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
