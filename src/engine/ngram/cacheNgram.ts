// A cache n-gram over recent token STRINGS (Tu, Su & Devanbu, "On the Localness of
// Software", FSE 2014): counts of the document being edited, or of recently edited files,
// keyed by the tokens' text, so an identifier outside the training vocabulary (`<unk>` to the
// static models) can still be predicted. Witten-Bell interpolation between orders has no
// parameter to guess; the bottom is the cache's unigram frequency, so the distribution's
// support is exactly the strings in the cache. Counts are incremental both ways: a document
// read again after an edit keeps its common prefix and recounts only the rest.

interface Row {
  total: number;
  next: Map<string, number>;
}

const SEP = '\u0001';

export class CacheNgram {
  /** rows[n]: context of n tokens (joined by SEP) -> successor counts. */
  private readonly rows: Map<string, Row>[];
  /** The documents' tokens, in order (one sequence per segment; n-grams never cross segments). */
  private readonly segments: string[][] = [];

  constructor(readonly order = 4) {
    if (!(order >= 1)) throw new Error(`order must be at least 1, got ${order}`);
    this.rows = Array.from({ length: order }, () => new Map<string, Row>());
  }

  /** Tokens held. */
  get size(): number {
    return this.segments.reduce((n, s) => n + s.length, 0);
  }

  /** Makes the last segment `tokens`, counting only what differs from it (a document typed or edited). */
  setDocument(tokens: readonly string[]): void {
    if (this.segments.length === 0) this.segments.push([]);
    const doc = this.segments[this.segments.length - 1];
    let p = 0;
    while (p < doc.length && p < tokens.length && doc[p] === tokens[p]) p++;
    while (doc.length > p) {
      this.count(doc, doc.length - 1, -1);
      doc.pop();
    }
    for (let i = p; i < tokens.length; i++) {
      doc.push(tokens[i]);
      this.count(doc, i, 1);
    }
  }

  /** Appends one token to the last segment (a stream read token by token). */
  push(token: string): void {
    if (this.segments.length === 0) this.segments.push([]);
    const doc = this.segments[this.segments.length - 1];
    doc.push(token);
    this.count(doc, doc.length - 1, 1);
  }

  /** Adds a file as a new segment, dropping the oldest segments beyond `keepTokens` tokens. */
  addSegment(tokens: readonly string[], keepTokens = 50_000): void {
    const seg: string[] = [];
    this.segments.push(seg);
    for (let i = 0; i < tokens.length; i++) {
      seg.push(tokens[i]);
      this.count(seg, i, 1);
    }
    while (this.segments.length > 1 && this.size > keepTokens) {
      const old = this.segments.shift()!;
      for (let i = old.length - 1; i >= 0; i--) this.count(old, i, -1);
    }
  }

  /** Forgets everything. */
  clear(): void {
    for (const r of this.rows) r.clear();
    this.segments.length = 0;
  }

  /** How many of the last tokens of `history` (0..order-1) form a context the cache has seen. */
  matchedOrder(history: readonly string[]): number {
    let n = 0;
    while (n + 1 < this.order && n + 1 <= history.length && this.rows[n + 1].has(contextKey(history, n + 1))) n++;
    return this.rows[0].has('') ? n : -1;
  }

  /** p_cache(token | history); 0 for a string not in the cache. */
  prob(history: readonly string[], token: string): number {
    const uni = this.rows[0].get('');
    if (!uni) return 0;
    let p = (uni.next.get(token) ?? 0) / uni.total;
    for (let n = 1; n < this.order && n <= history.length; n++) {
      const row = this.rows[n].get(contextKey(history, n));
      if (!row) break;
      const t = row.next.size;
      p = ((row.next.get(token) ?? 0) + t * p) / (row.total + t);
    }
    return p;
  }

  /** The whole distribution after `history`: every cached string with its probability. */
  distribution(history: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    const uni = this.rows[0].get('');
    if (!uni) return out;
    for (const [w, c] of uni.next) out.set(w, c / uni.total);
    for (let n = 1; n < this.order && n <= history.length; n++) {
      const row = this.rows[n].get(contextKey(history, n));
      if (!row) break;
      const t = row.next.size;
      const z = row.total + t;
      for (const [w, p] of out) out.set(w, (t * p) / z);
      for (const [w, c] of row.next) out.set(w, out.get(w)! + c / z);
    }
    return out;
  }

  /** Adds (by = 1) or removes (-1) the n-grams ending at seq[i], for every order. */
  private count(seq: readonly string[], i: number, by: number): void {
    const w = seq[i];
    for (let n = 0; n < this.order && n <= i; n++) {
      const key = n === 0 ? '' : seq.slice(i - n, i).join(SEP);
      let row = this.rows[n].get(key);
      if (!row) this.rows[n].set(key, (row = { total: 0, next: new Map() }));
      const c = (row.next.get(w) ?? 0) + by;
      row.total += by;
      if (c > 0) row.next.set(w, c);
      else row.next.delete(w);
      if (row.total === 0) this.rows[n].delete(key);
    }
  }
}

function contextKey(history: readonly string[], n: number): string {
  return history.slice(history.length - n).join(SEP);
}
