// Import of a generated word2vec binary file (default 1,000,000 x 300, 1.2 GB; not committed:
// written to the temp folder and deleted) with `importVectors`, against merely reading the
// same file in 1 MB chunks in the same run (the floor any importer pays). Prints the time,
// the ratio and the process's peak RSS. Run: npx tsx bench/import-1m.ts [rows] [dim] [--index]
// (--index: then build the neighbour index from the imported file, timed apart)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importVectors, MATRIX_FILE } from '../src/engine/io/importVectors';
import { buildIvf, fileSource } from '../src/engine/embeddings/ivfBuild';
import { initBackend } from '../src/engine/kernels/backend';
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
    // The neighbour index is timed on its own below (importVectors builds it from 50k words).
    const result = await importVectors(file, path.join(work, 'model'), { onProgress: () => ticks++, indexFrom: Infinity });
    const importS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const rssImport = process.resourceUsage().maxRSS / 1024;
    console.log(`read only: ${readS.toFixed(1)} s; import: ${importS.toFixed(1)} s (${(importS / readS).toFixed(1)}x reading), ${result.words} rows, ${ticks} progress reports; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (the machine is shared: wall > CPU means waiting for a core)`);
    console.log(`peak RSS after the import: ${rssImport.toFixed(0)} MB (before it ${rssBefore.toFixed(0)} MB; the matrix is ${(n * dim * 4 / 1e6).toFixed(0)} MB)`);
    if (process.argv.includes('--index')) {
      await initBackend();
      const fh = await fs.promises.open(path.join(work, 'model', MATRIX_FILE), 'r');
      t = performance.now();
      const c1 = process.cpuUsage();
      const ivf = await buildIvf(fileSource(fh, result.words, dim));
      const c = process.cpuUsage(c1);
      await fh.close();
      console.log(`neighbour index from the file: ${((performance.now() - t) / 1000).toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s CPU; nprobe ${ivf.nprobe} of ${ivf.nlist}; peak RSS now ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
