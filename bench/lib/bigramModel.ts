// The simple baseline completer: a token bigram, "the most frequent next token after this
// one", backing off to unigram frequencies (add-one mixture so every token has mass). It is a
// LanguageModel, so the same complete() decodes it as it decodes Wordlens's model.
import type { LanguageModel } from '../../src/engine/types';

export class BigramModel implements LanguageModel<number> {
  private readonly next = new Map<number, Map<number, number>>();
  private readonly totals = new Map<number, number>();
  private readonly unigram: Float64Array;

  constructor(ids: ArrayLike<number>, readonly vocabSize: number) {
    const counts = new Float64Array(vocabSize);
    for (let i = 0; i < ids.length; i++) {
      counts[ids[i]]++;
      if (i === 0) continue;
      const prev = ids[i - 1];
      let row = this.next.get(prev);
      if (!row) this.next.set(prev, (row = new Map()));
      row.set(ids[i], (row.get(ids[i]) ?? 0) + 1);
      this.totals.set(prev, (this.totals.get(prev) ?? 0) + 1);
    }
    const n = ids.length + vocabSize;
    this.unigram = counts.map((c) => (c + 1) / n);
  }

  initialState(): number {
    return -1;
  }

  advance(_state: number, tokenId: number): number {
    return tokenId;
  }

  logProbs(state: number): Float32Array {
    const out = new Float32Array(this.vocabSize);
    const row = this.next.get(state);
    const total = this.totals.get(state) ?? 0;
    // p(w | prev) = (c(prev, w) + p_uni(w)) / (c(prev) + 1)
    for (let w = 0; w < this.vocabSize; w++) out[w] = this.unigram[w];
    if (row) for (const [w, c] of row) out[w] += c;
    for (let w = 0; w < this.vocabSize; w++) out[w] = Math.log(out[w] / (total + 1));
    return out;
  }
}
