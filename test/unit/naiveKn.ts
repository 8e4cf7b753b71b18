// Test helpers for the n-gram models: a skewed random corpus, and Kneser-Ney written the
// obvious way (string-keyed maps) as the reference the typed-array and live models must match.
import { kneserNeyDiscounts } from '../../src/engine/ngram/ngram';

export function randomCorpus(n: number, V: number, seed: number): number[] {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  // Skewed and partly repetitive, so contexts repeat and all count buckets occur.
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i > 3 && rnd() < 0.3 ? out[i - 3] : Math.floor(V * rnd() ** 2));
  return out;
}

/**
 * The estimator written naively with string-keyed maps, to check the typed-array trie and the
 * live overlay. `discounts` (per order 1..order, index 0 unused) replaces the ones the counts give.
 */
export function naiveKn(ids: number[], V: number, order: number, discounts?: readonly (readonly number[])[]): (ctx: number[], w: number) => number {
  const pad = [...new Array(order - 1).fill(-1), ...ids];
  const raw: Map<string, Map<number, number>>[] = [];
  for (let n = 0; n <= order; n++) raw.push(new Map());
  for (let i = order - 1; i < pad.length; i++) {
    for (let n = 1; n <= order; n++) {
      const key = pad.slice(i - n + 1, i).join(',');
      const row = raw[n].get(key) ?? new Map<number, number>();
      row.set(pad[i], (row.get(pad[i]) ?? 0) + 1);
      raw[n].set(key, row);
    }
  }
  const counts: Map<string, Map<number, number>>[] = new Array(order + 1);
  counts[order] = raw[order];
  for (let n = order - 1; n >= 1; n--) {
    counts[n] = new Map();
    for (const [key, row] of raw[n + 1]) {
      const shorter = key.split(',').slice(1).join(',');
      const out = counts[n].get(shorter) ?? new Map<number, number>();
      for (const w of row.keys()) out.set(w, (out.get(w) ?? 0) + 1);
      counts[n].set(shorter, out);
    }
  }
  const disc = discounts ?? counts.map((level) => {
    if (!level) return [0, 0, 0];
    const coc = [0, 0, 0, 0, 0];
    for (const row of level.values()) for (const v of row.values()) if (v <= 4) coc[v]++;
    return kneserNeyDiscounts(coc[1], coc[2], coc[3], coc[4]);
  });
  return (ctx, w) => {
    let p = 1 / V;
    for (let n = 1; n <= order; n++) {
      const row = counts[n].get(n > 1 ? ctx.slice(ctx.length - n + 1).join(',') : '');
      if (!row) continue;
      let tot = 0;
      let gammaNum = 0;
      for (const v of row.values()) {
        tot += v;
        gammaNum += disc[n][Math.min(v, 3) - 1];
      }
      const cnt = row.get(w) ?? 0;
      p = Math.max(cnt - (cnt ? disc[n][Math.min(cnt, 3) - 1] : 0), 0) / tot + (gammaNum / tot) * p;
    }
    return p;
  };
}

