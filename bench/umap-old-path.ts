// The map's UMAP, old code against new in the same run: bench/umap-scale.ts of another commit
// (default 7a68bf6: float64 layout, one epoch thread, NN-descent on float32 rows) and of this
// checkout, alternated size by size, on the same generated data. Prints each run's line (wall,
// stages, NP, recall, backend) and the wall ratio old / new per size, pooled over the rounds.
//   npx tsx bench/umap-old-path.ts [sizes, default 50000,200000] [--rev 7a68bf6] [--rounds 1]
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { argValue } from './lib/args';
import { headCommit, ROOT, withOldTree } from './lib/oldTree';
import { run } from './lib/timedRun';

interface Line { n: number; wall_s: number; backend: string; [k: string]: unknown }

async function scale(tree: string, n: number): Promise<Line> {
  const lines: Line[] = [];
  await run(process.execPath, ['--import', 'tsx', path.join(tree, 'bench/umap-scale.ts'), String(n)], (l) => {
    if (l.startsWith('{') && l.includes('"wall_s"')) lines.push(JSON.parse(l) as Line);
  }, tree);
  if (lines.length !== 1) throw new Error(`umap-scale.ts in ${tree} printed ${lines.length} result lines for n = ${n}`);
  return lines[0];
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : '50000,200000').split(',').map(Number);
  const rev = argValue('rev', '7a68bf6');
  const rounds = Number(argValue('rounds', '1'));
  await withOldTree(rev, ['scripts/build-kernels.mjs'], async (old) => {
    console.log(JSON.stringify({ bench: 'umap-old-path', old_rev: rev, new_rev: headCommit(), sizes, rounds, load_avg: loadavg() }));
    for (const n of sizes) {
      let oldWall = 0, newWall = 0;
      for (let r = 0; r < rounds; r++) {
        const o = await scale(old, n);
        console.log(JSON.stringify({ path: 'old', ...o }));
        const w = await scale(ROOT, n);
        console.log(JSON.stringify({ path: 'new', ...w }));
        oldWall += o.wall_s;
        newWall += w.wall_s;
      }
      console.log(JSON.stringify({ n, old_wall_s: +(oldWall / rounds).toFixed(1), new_wall_s: +(newWall / rounds).toFixed(1), speedup: +(oldWall / newWall).toFixed(2), load_1m: loadavg()[0] }));
    }
  });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
