// The corpus walk's own cost (.gitignore and glob decisions), against a plain recursive readdir
// of the same tree and, with --against DIR, against readCorpus of another checkout (say, main's
// in a worktree), interleaved in the same process. Run:
//   npx tsx bench/corpus-walk.ts [--against ../other-checkout] [--reps 7]
import { promises as fs } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { readCorpus, type CorpusOptions } from '../src/engine/text/corpus';

type ReadCorpus = typeof readCorpus;

/** A typical project .gitignore (GitHub's Node template, abridged): mostly name patterns. */
const NODE_GITIGNORE = `
logs
*.log
npm-debug.log*
yarn-debug.log*
lerna-debug.log*
report.[0-9]*.[0-9]*.[0-9]*.[0-9]*.json
pids
*.pid
*.seed
*.pid.lock
lib-cov
coverage
*.lcov
.nyc_output
.grunt
bower_components
.lock-wscript
build/Release
jspm_packages/
web_modules/
*.tsbuildinfo
.npm
.eslintcache
.stylelintcache
.rpt2_cache/
.node_repl_history
*.tgz
.yarn-integrity
.env
.env.*
!.env.example
.cache
.parcel-cache
.next
out
.nuxt
.vuepress/dist
.temp
.docusaurus
.serverless/
.fusebox/
.dynamodb/
.vscode-test
.yarn/cache
.yarn/unplugged
.pnp.*
/tmp/
docs/_build/
`;

/** Nothing matches it: every file's include decision is made, no file is read. */
const NO_READS: CorpusOptions = { include: ['**/*.wordlens-bench-none'], exclude: ['**/.git', '**/*.map'] };

async function listTree(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    n++;
    if (e.isDirectory()) n += await listTree(path.join(dir, e.name));
  }
  return n;
}

/** 100 packages x 5 folders x 10 files, a .gitignore in each package and each folder. */
async function makeNestedRepo(root: string): Promise<void> {
  await fs.mkdir(path.join(root, '.git'), { recursive: true });
  await fs.writeFile(path.join(root, '.gitignore'), NODE_GITIGNORE);
  for (let p = 0; p < 100; p++) {
    const pkg = path.join(root, `pkg${p}`);
    await fs.mkdir(pkg);
    await fs.writeFile(path.join(pkg, '.gitignore'), '*.gen.ts\n!keep.gen.ts\n/local/\nbuild/\n');
    for (let s = 0; s < 5; s++) {
      const sub = path.join(pkg, `src${s}`);
      await fs.mkdir(sub);
      await fs.writeFile(path.join(sub, '.gitignore'), '*.tmp\nfixtures/*.json\n');
      for (let f = 0; f < 10; f++) await fs.writeFile(path.join(sub, f % 4 === 0 ? `f${f}.gen.ts` : `f${f}.ts`), '');
    }
  }
}

interface Case {
  name: string;
  run: () => Promise<unknown>;
  wall: number[];
  cpu: number[];
}

/** Runs the cases round-robin, `reps` times, so load drifts hit all alike; medians of wall and CPU ms. */
async function interleaved(cases: Case[], reps: number): Promise<void> {
  for (let r = 0; r < reps; r++) {
    for (const c of cases) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await c.run();
      c.wall.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      c.cpu.push((cpu.user + cpu.system) / 1000);
    }
  }
}
const mid = (ts: number[]) => [...ts].sort((a, b) => a - b)[ts.length >> 1];
const kase = (name: string, run: () => Promise<unknown>): Case => ({ name, run, wall: [], cpu: [] });

function report(cases: Case[]): void {
  const [base] = cases;
  for (const c of cases) {
    const ratio = c === base ? 'baseline' : `${(mid(c.wall) / mid(base.wall)).toFixed(2)}x wall, ${(mid(c.cpu) / mid(base.cpu)).toFixed(2)}x CPU`;
    console.log(`  ${c.name.padEnd(44)} ${mid(c.wall).toFixed(0).padStart(6)} ms wall ${mid(c.cpu).toFixed(0).padStart(6)} ms CPU   ${ratio}`);
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const reps = Number(arg('--reps') ?? 7);
  const against = arg('--against');
  const impls: [string, ReadCorpus][] = [['this checkout', readCorpus]];
  if (against) {
    const other = (await import(path.resolve(against, 'src/engine/text/corpus'))) as { readCorpus: ReadCorpus };
    impls.push([path.basename(path.resolve(against)), other.readCorpus]);
  }
  const repo = path.resolve(__dirname, '..');
  const tmp = await fs.mkdtemp(path.join(tmpdir(), 'wordlens-walk-'));
  try {
    // node_modules, seen from inside a repository with the Node .gitignore (a link: nothing copied).
    const nodeRepo = path.join(tmp, 'node');
    await fs.mkdir(path.join(nodeRepo, '.git'), { recursive: true });
    await fs.writeFile(path.join(nodeRepo, '.gitignore'), NODE_GITIGNORE);
    await fs.symlink(path.join(repo, 'node_modules'), path.join(nodeRepo, 'nm'));
    const nested = path.join(tmp, 'nested');
    await makeNestedRepo(nested);
    const trees: [string, string][] = [['node_modules, Node .gitignore', path.join(nodeRepo, 'nm')], ['600 nested .gitignores', nested]];

    console.log(`TF.js: not used. load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores; median of ${reps} interleaved runs`);
    for (const [name, dir] of trees) {
      const entries = await listTree(dir);
      const cases = [kase('readdir only', () => listTree(dir))];
      for (const [impl, read] of impls) {
        cases.push(kase(`${impl}: walk, globs`, () => read([dir], { ...NO_READS, respectGitignore: false })));
        cases.push(kase(`${impl}: walk, globs + .gitignore`, () => read([dir], NO_READS)));
      }
      for (const [impl, read] of impls) {
        const c = await read([dir], NO_READS); // the implementations must agree before their times mean anything
        console.log(`${name}: ${entries} entries; ${impl}: ${c.counts.gitignored} gitignored, ${c.counts.excluded} excluded`);
      }
      await interleaved(cases, reps);
      report(cases);
    }
    // The whole job on a real package: reading and classifying files dominate. The other
    // checkout, if any, is the baseline here (a readdir of 150 entries is too short to be one).
    const ts = path.join(repo, 'node_modules', 'typescript');
    const cases = [...impls].reverse().map(([impl, read]) => kase(`${impl}: read node_modules/typescript`, () => read([ts], { exclude: [] })));
    console.log(`node_modules/typescript, ${(await readCorpus([ts], { exclude: [] })).files.length} files read in full`);
    await interleaved(cases, reps);
    report(cases);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
