// The cache-trigram baseline of Tu, Su & Devanbu ("On the Localness of Software", FSE 2014):
// a global trigram mixed with a trigram over the document typed so far, the cache's weight
// growing with how often the context was seen in the document: p = γ/(γ+H)·p_global +
// H/(γ+H)·p_cache, H the document count of the longest seen context (2 tokens, else 1).
// Over vocabulary ids, as in the paper (an identifier outside the vocabulary stays `<unk>`).
import type { NgramModel, NgramState } from '../../src/engine/ngram/ngram';
import type { LanguageModel } from '../../src/engine/types';

interface State {
  g: NgramState;
  /** The last two ids (-1 before the start). */
  h: readonly [number, number];
}

export class CacheTrigramModel implements LanguageModel<State> {
  readonly vocabSize: number;
  /** Context key (n ids joined) -> next id -> count, for n = 1, 2. */
  private rows = new Map<string, Map<number, number>>();

  constructor(
    private readonly global: NgramModel,
    private readonly gamma = 1,
  ) {
    this.vocabSize = global.vocabSize;
  }

  /** The document typed so far (its ids before the cursor). */
  setDocument(ids: ArrayLike<number>): void {
    this.rows = new Map();
    for (let i = 1; i < ids.length; i++) {
      this.bump(`${ids[i - 1]}`, ids[i]);
      if (i >= 2) this.bump(`${ids[i - 2]},${ids[i - 1]}`, ids[i]);
    }
  }

  initialState(): State {
    return { g: this.global.initialState(), h: [-1, -1] };
  }

  advance(state: State, id: number): State {
    return { g: this.global.advance(state.g, id), h: [state.h[1], id] };
  }

  logProbs(state: State): Float32Array {
    const p = this.global.probs(state.g).p;
    const row = this.rows.get(`${state.h[0]},${state.h[1]}`) ?? this.rows.get(`${state.h[1]}`);
    const out = new Float32Array(this.vocabSize);
    let H = 0;
    if (row) for (const c of row.values()) H += c;
    const wg = this.gamma / (this.gamma + H);
    for (let w = 0; w < out.length; w++) out[w] = wg * p[w];
    if (row) for (const [w, c] of row) out[w] += (1 - wg) * (c / H);
    for (let w = 0; w < out.length; w++) out[w] = Math.log(out[w]);
    return out;
  }

  private bump(key: string, id: number): void {
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = new Map()));
    row.set(id, (row.get(id) ?? 0) + 1);
  }
}
