// A synthetic corpus big enough that each training phase lasts seconds: many files of lines
// drawn from a Zipf-like distribution over a large vocabulary (words `w0`, `w1`, …), so the
// vocabulary is tens of thousands of words and a full-softmax validation pass is slow.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from '../../src/engine/prng';

export interface SyntheticCorpusOptions {
  files: number;
  /** Approximate size of each file. */
  bytesPerFile: number;
  /** Distinct words drawn from (most of them appear when the corpus is large). */
  words: number;
  seed?: number;
}

/** Writes the corpus into `dir` (created) and returns its size in bytes. */
export function writeSyntheticCorpus(dir: string, opts: SyntheticCorpusOptions): number {
  fs.mkdirSync(dir, { recursive: true });
  const random = mulberry32(opts.seed ?? 7);
  // Rank r drawn with probability ∝ 1/(r+1): inverse of the harmonic CDF, approximated by exp.
  const logN = Math.log(opts.words);
  const draw = () => Math.min(opts.words - 1, Math.floor(Math.exp(random() * logN)) - 1 + Math.floor(random() * 2));
  let total = 0;
  for (let f = 0; f < opts.files; f++) {
    const lines: string[] = [];
    let bytes = 0;
    while (bytes < opts.bytesPerFile) {
      const n = 6 + Math.floor(random() * 10);
      const words: string[] = [];
      for (let i = 0; i < n; i++) words.push(`w${draw()}`);
      const line = words.join(' ');
      lines.push(line);
      bytes += line.length + 1;
    }
    const file = path.join(dir, `part${String(f).padStart(5, '0')}.txt`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    total += bytes;
  }
  return total;
}
