// The vocabulary: token <-> id, with counts. Ids: `<unk>` 0, `<eos>` 1 when it occurs, then
// tokens by descending count (ties by first occurrence), so a size cap keeps the most frequent.
import { EOS, UNK, type VocabJSON } from '../types';
import { stopChecker } from '../stop';

export interface VocabOptions {
  /** Tokens seen fewer times map to `<unk>` (default 1: keep every token). */
  minCount?: number;
  /** Cap on `size`, specials included; the least frequent tokens beyond it map to `<unk>`. */
  maxSize?: number;
  /** Counting millions of tokens takes seconds: stop (AbortError) when this is aborted. */
  signal?: AbortSignal;
}

export class Vocab {
  readonly unkId = 0;
  readonly eosId: number;
  private readonly words: string[];
  private readonly counts: number[];
  private readonly ids = new Map<string, number>();

  private constructor(words: string[], counts: number[]) {
    this.words = words;
    this.counts = counts;
    words.forEach((w, i) => this.ids.set(w, i));
    this.eosId = this.ids.get(EOS) ?? -1;
  }

  static build(tokens: Iterable<string>, opts: VocabOptions = {}): Vocab {
    const minCount = opts.minCount ?? 1;
    const maxSize = opts.maxSize ?? Infinity;
    if (!(minCount >= 1)) throw new Error(`Vocab minCount must be at least 1, got ${opts.minCount}`);
    if (!(maxSize >= 1)) throw new Error(`Vocab maxSize must be at least 1 (room for <unk>), got ${opts.maxSize}`);
    // Map iteration order is insertion order, i.e. first occurrence: the tie-breaker.
    const seen = new Map<string, number>();
    let total = 0;
    const check = stopChecker(opts.signal, 65536);
    for (const t of tokens) {
      check();
      seen.set(t, (seen.get(t) ?? 0) + 1);
      total++;
    }
    const words = [UNK];
    const counts = [0];
    const eosCount = seen.get(EOS);
    if (eosCount !== undefined && maxSize >= 2) {
      words.push(EOS);
      counts.push(eosCount);
    }
    const ranked = [...seen].filter(([w, c]) => w !== UNK && w !== EOS && c >= minCount);
    // Array.prototype.sort is stable, so equal counts keep first-occurrence order.
    ranked.sort((a, b) => b[1] - a[1]);
    for (const [w, c] of ranked) {
      if (words.length >= maxSize) break;
      words.push(w);
      counts.push(c);
    }
    // `<unk>` counts every token that maps to it: literal `<unk>`s and the cut-off rest.
    counts[0] = total - counts.slice(1).reduce((a, b) => a + b, 0);
    return new Vocab(words, counts);
  }

  static fromJSON(json: unknown): Vocab {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new Error('Invalid vocab: expected an object {words, counts}');
    }
    const { words, counts } = json as Record<string, unknown>;
    if (!Array.isArray(words)) throw new Error('Invalid vocab: "words" is not an array');
    if (!Array.isArray(counts)) throw new Error('Invalid vocab: "counts" is not an array');
    if (counts.length !== words.length) {
      throw new Error(`Invalid vocab: counts length ${counts.length} does not match words length ${words.length}`);
    }
    const seen = new Set<string>();
    words.forEach((w, i) => {
      if (typeof w !== 'string') throw new Error(`Invalid vocab: word at index ${i} is not a string`);
      if (seen.has(w)) throw new Error(`Invalid vocab: duplicate word ${JSON.stringify(w)} at index ${i}`);
      seen.add(w);
    });
    counts.forEach((c, i) => {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
        throw new Error(`Invalid vocab: count at index ${i} is not a non-negative integer`);
      }
    });
    if (words[0] !== UNK) throw new Error(`Invalid vocab: missing ${UNK} at index 0`);
    return new Vocab([...(words as string[])], [...(counts as number[])]);
  }

  toJSON(): VocabJSON {
    return { words: [...this.words], counts: [...this.counts] };
  }

  get size(): number {
    return this.words.length;
  }

  /** The id of a token; `<unk>`'s id for tokens outside the vocabulary. */
  id(word: string): number {
    return this.ids.get(word) ?? this.unkId;
  }

  has(word: string): boolean {
    return this.ids.has(word);
  }

  word(id: number): string {
    const w = this.words[id];
    if (w === undefined) throw new RangeError(`Vocab id ${id} is out of range 0..${this.words.length - 1}`);
    return w;
  }

  count(id: number): number {
    const c = this.counts[id];
    if (c === undefined) throw new RangeError(`Vocab id ${id} is out of range 0..${this.words.length - 1}`);
    return c;
  }

  /** Ids of `tokens`; stops (AbortError) when `signal` is aborted. */
  encode(tokens: Iterable<string>, signal?: AbortSignal): Int32Array {
    const arr = Array.isArray(tokens) ? (tokens as string[]) : [...tokens];
    const out = new Int32Array(arr.length);
    const check = stopChecker(signal, 65536);
    for (let i = 0; i < arr.length; i++) {
      check();
      out[i] = this.ids.get(arr[i]) ?? this.unkId;
    }
    return out;
  }
}
