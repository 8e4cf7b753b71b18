// Vocabulary ids by token text in sorted order, so the tokens that continue a partial word
// are one binary search away instead of a scan of the whole vocabulary per keystroke.
import type { VocabLike } from './generate';

const indexByVocab = new WeakMap<VocabLike, TokenPrefixIndex>();

export class TokenPrefixIndex {
  private readonly words: string[];
  private readonly ids: Int32Array;
  /** Recent partials repeat (" ", an indent, a half-typed name): keep their sets. */
  private readonly recent = new Map<string, ReadonlySet<number>>();

  private constructor(vocab: VocabLike) {
    const order = Array.from({ length: vocab.size }, (_, id) => id);
    const text = order.map((id) => vocab.word(id));
    // Plain code-unit order: every word starting with p sorts in one run right after p.
    order.sort((a, b) => (text[a] < text[b] ? -1 : text[a] > text[b] ? 1 : 0));
    this.words = order.map((id) => text[id]);
    this.ids = Int32Array.from(order);
  }

  /** The (cached) index of a vocabulary. */
  static for(vocab: VocabLike): TokenPrefixIndex {
    let index = indexByVocab.get(vocab);
    if (!index) indexByVocab.set(vocab, (index = new TokenPrefixIndex(vocab)));
    return index;
  }

  /** Ids of every token whose text starts with `prefix` (all ids for ''). */
  idsStartingWith(prefix: string): number[] {
    let lo = 0;
    let hi = this.words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.words[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.words.length && this.words[i].startsWith(prefix); i++) out.push(this.ids[i]);
    return out;
  }

  /** The same ids as a set, cached for the most recently used prefixes. */
  setStartingWith(prefix: string): ReadonlySet<number> {
    let set = this.recent.get(prefix);
    if (set) this.recent.delete(prefix);
    else set = new Set(this.idsStartingWith(prefix));
    this.recent.set(prefix, set);
    if (this.recent.size > 32) this.recent.delete(this.recent.keys().next().value as string);
    return set;
  }
}
