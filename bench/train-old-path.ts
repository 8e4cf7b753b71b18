// Issue #10's "new vs old path, same run" at the level the issue measured it: the real CLI's
// `train valid.txt --tokenizer whitespace --minutes M` as it was when the issue was filed
// (commit 4baed9a, the TF.js ops trainer on one core: ~1,700 tokens/s then) against today's
// CLI (fused kernels, 2 threads), one after the other in this script, on WikiText-2.
// The old tree is extracted with `git archive` into a temporary folder (the repository is not
// touched), shares this checkout's node_modules and is built with its own esbuild script.
// Tokens/s = training tokens / training seconds, both as each CLI's done line reports them;
// per CPU-second = training tokens / CPU seconds of the whole process (n-gram, validation and
// save included, so it understates both alike). Prints the backend each ran on.
//   npx tsx bench/train-old-path.ts [--minutes 1] [--rounds 1] [--rev 4baed9a] [--data DIR]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { argValue } from './lib/args';
import { headCommit, ROOT, withOldTree } from './lib/oldTree';
import { lastJson, run } from './lib/timedRun';

interface Measured {
  path: 'old' | 'new';
  backend: string;
  tokens: number;
  train_s: number;
  wall_s: number;
  cpu_s: number;
  tokens_per_s: number;
  tokens_per_cpu_s: number;
  valid_ppl: number | null;
  load_1m: number;
}

async function trainOnce(which: 'old' | 'new', tree: string, data: string, minutes: number): Promise<Measured> {
  const out = mkdtempSync(path.join(tmpdir(), `wordlens-${which}-path-`));
  try {
    const r = await run(process.execPath, [path.join(tree, 'bin/wordlens.js'), 'train', path.join(data, 'valid.txt'), '--tokenizer', 'whitespace', '--minutes', String(minutes), '--out', out, '--json'], undefined, tree);
    const done = lastJson(r.stdout, `${which} train`);
    if (done.event !== 'done') throw new Error(`${which} train: last line is not the done line: ${JSON.stringify(done)}`);
    const m: Measured = {
      path: which,
      backend: String(done.backend),
      tokens: done.tokens,
      train_s: done.seconds,
      wall_s: Math.round(r.wallS * 10) / 10,
      cpu_s: Math.round(r.cpuS * 10) / 10,
      tokens_per_s: Math.round(done.tokens / done.seconds),
      tokens_per_cpu_s: Math.round(done.tokens / r.cpuS),
      valid_ppl: typeof done.valid_ppl === 'number' ? Math.round(done.valid_ppl * 100) / 100 : null,
      load_1m: Math.round(loadavg()[0] * 100) / 100,
    };
    console.log(JSON.stringify({ event: 'run', ...m }));
    return m;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function main() {
  const minutes = Number(argValue('minutes', '1'));
  const rounds = Number(argValue('rounds', '1'));
  const rev = argValue('rev', '4baed9a');
  const data = argValue('data', '/work/shared/data/wikitext-2');
  if (!existsSync(path.join(ROOT, 'dist/cli.js'))) throw new Error('build first: npm run build');
  await withOldTree(rev, ['esbuild.mjs'], async (old) => {
    const commit = headCommit();
    console.log(JSON.stringify({ event: 'start', old_rev: rev, new_rev: commit, minutes, rounds, load_avg: loadavg() }));
    const runs: Measured[] = [];
    for (let i = 0; i < rounds; i++) {
      runs.push(await trainOnce('old', old, data, minutes));
      runs.push(await trainOnce('new', ROOT, data, minutes));
    }
    const sum = (w: 'old' | 'new', k: 'tokens' | 'train_s' | 'cpu_s') => runs.filter((r) => r.path === w).reduce((s, r) => s + r[k], 0);
    const rate = (w: 'old' | 'new') => sum(w, 'tokens') / sum(w, 'train_s');
    const perCpu = (w: 'old' | 'new') => sum(w, 'tokens') / sum(w, 'cpu_s');
    console.log(JSON.stringify({
      event: 'result',
      backends: [...new Set(runs.map((r) => `${r.path}: ${r.backend}`))],
      old_tokens_per_s: Math.round(rate('old')),
      new_tokens_per_s: Math.round(rate('new')),
      wall_ratio: Math.round((rate('new') / rate('old')) * 100) / 100,
      per_cpu_s_ratio: Math.round((perCpu('new') / perCpu('old')) * 100) / 100,
      load_avg: loadavg(),
    }));
  });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
