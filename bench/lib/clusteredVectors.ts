// Generated word-vector-like data for the million-word benches: points around many centres of
// unequal spread (so nearest neighbours mean something, as in real embeddings, unlike uniform
// noise), written as a word2vec binary file chunk by chunk or returned as a matrix.
import * as fs from 'node:fs';

/** xorshift32 + Box-Muller: fast, seeded, good enough for test data. */
export function gaussian(seed: number): () => number {
  let s = seed >>> 0 || 1;
  let spare: number | undefined;
  const uniform = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => {
    if (spare !== undefined) { const v = spare; spare = undefined; return v; }
    const r = Math.sqrt(-2 * Math.log(uniform())), t = 2 * Math.PI * uniform();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/**
 * How spread out clusters are, as noise / centre length. A point's cosine to its cluster-mates
 * is about 1 / (1 + spread²): the default 0.5..1.0 gives 0.8..0.5, the range of real fastText
 * and GloVe nearest neighbours; 0.7..1.5 (0.67..0.31) is a harder set, near the noise floor of
 * random cosines in 300 dimensions (~0.3 for the best of 1M).
 */
export interface Spread { min: number; max: number }
export const REALISTIC: Spread = { min: 0.5, max: 1.0 };
export const HARD: Spread = { min: 0.7, max: 1.5 };

/** Rows `from..to` of an n x dim set with n/pointsPerCentre centres, into `out` (row-major). */
export function clusteredRows(n: number, dim: number, from: number, to: number, out: Float32Array, seed = 7, pointsPerCentre = 200, spreads = REALISTIC): void {
  const count = Math.max(1, Math.round(n / pointsPerCentre));
  const centres = centresFor(count, dim, seed);
  const noise = gaussian(seed * 7919 + from + 1);
  for (let i = from; i < to; i++) {
    const c = (Math.imul(i, 2654435761) >>> 0) % count; // members of a centre are spread over the file
    const spread = spreads.min + (spreads.max - spreads.min) * ((c % 7) / 6); // some clusters tight, some loose
    for (let d = 0; d < dim; d++) out[(i - from) * dim + d] = centres[c * dim + d] + spread * noise();
  }
}

const centreCache = new Map<string, Float32Array>();
function centresFor(count: number, dim: number, seed: number): Float32Array {
  const key = `${count}:${dim}:${seed}`;
  let centres = centreCache.get(key);
  if (!centres) {
    const g = gaussian(seed);
    centres = Float32Array.from({ length: count * dim }, g);
    centreCache.set(key, centres);
  }
  return centres;
}

export function clusteredMatrix(n: number, dim: number, seed = 7, pointsPerCentre = 200, spreads = REALISTIC): Float32Array {
  const out = new Float32Array(n * dim);
  clusteredRows(n, dim, 0, n, out, seed, pointsPerCentre, spreads);
  return out;
}

/** Writes an n x dim word2vec binary file (words w0, w1, ...) in 4 MB pieces. */
export function writeWord2vecBinary(path: string, n: number, dim: number, seed = 7): void {
  const fd = fs.openSync(path, 'w');
  try {
    fs.writeSync(fd, `${n} ${dim}\n`);
    const block = 4096;
    const rows = new Float32Array(block * dim);
    for (let from = 0; from < n; from += block) {
      const to = Math.min(n, from + block);
      clusteredRows(n, dim, from, to, rows, seed);
      const parts: Buffer[] = [];
      for (let i = from; i < to; i++) {
        parts.push(Buffer.from(`w${i} `), Buffer.from(rows.buffer, (i - from) * dim * 4, dim * 4), Buffer.from('\n'));
      }
      fs.writeSync(fd, Buffer.concat(parts));
    }
  } finally {
    fs.closeSync(fd);
  }
}
