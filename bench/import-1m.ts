// Import of a generated word2vec binary file (default 1,000,000 x 300, 1.2 GB; not committed:
// written to the temp folder and deleted) with `importVectors`, against merely reading the
// same file in 1 MB chunks in the same run (the floor any importer pays). Prints the time,
// the ratio and the process's peak RSS. Run: npx tsx bench/import-1m.ts [rows] [dim]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importVectors } from '../src/engine/io/importVectors';
import { writeWord2vecBinary } from './lib/clusteredVectors';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000), dim = Number(process.argv[3] ?? 300);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-import-bench-'));
  const file = path.join(work, 'vectors.bin');
  try {
    let t = performance.now();
    writeWord2vecBinary(file, n, dim);
    const size = fs.statSync(file).size;
    console.log(`generated ${n} x ${dim} word2vec binary (${(size / 1e9).toFixed(2)} GB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const rssBefore = process.resourceUsage().maxRSS / 1024;

    t = performance.now();
    const fh = await fs.promises.open(file, 'r');
    const chunk = Buffer.alloc(1 << 20);
    for (let at = 0; ; at += chunk.length) if ((await fh.read(chunk, 0, chunk.length, at)).bytesRead === 0) break;
    await fh.close();
    const readS = (performance.now() - t) / 1000;

    t = performance.now();
    const cpu0 = process.cpuUsage();
    let ticks = 0;
    const result = await importVectors(file, path.join(work, 'model'), { onProgress: () => ticks++ });
    const importS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const peak = process.resourceUsage().maxRSS / 1024;
    console.log(`read only: ${readS.toFixed(1)} s; import: ${importS.toFixed(1)} s (${(importS / readS).toFixed(1)}x reading), ${result.words} rows, ${ticks} progress reports; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (the machine is shared: wall > CPU means waiting for a core)`);
    console.log(`peak RSS: ${peak.toFixed(0)} MB (before the import ${rssBefore.toFixed(0)} MB; the matrix is ${(n * dim * 4 / 1e6).toFixed(0)} MB)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
