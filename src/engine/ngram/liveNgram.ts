// Live Kneser-Ney counts: the static trie of NgramModel as the base, and an overlay of count
// deltas in hash maps, so a file's old contribution can be removed and its new one added
// without rebuilding. The probabilities are exactly those of NgramModel.build over the
// current files (tested to 1e-9), discounts included: counts-of-counts are kept up to date.
//
// The corpus is the files' ids concatenated in order, as buildDataset makes the training
// stream: n-grams cross file boundaries and only the stream's start is `<s>`-padded. So a
// file's contribution is every n-gram whose last token is in it, plus the first order-1
// n-grams of the files after it (their contexts reach back into it). A new file goes last.
//
// Kneser-Ney keeps raw counts only at the top order; below, an entry (context, w) counts the
// distinct tokens seen before "context w". With `<s>` padding every occurrence has a full
// window, so that entry is non-zero exactly when "context w" occurs: adding or removing one
// occurrence changes the top count, and the level below only when a count crosses 0 <-> 1,
// and so on down. Each change also updates its context's total and its 1/2/3+ successor
// counts (the back-off weight) and the level's counts-of-counts (the discounts).
import { NgramModel, NgramProbs, backoffWeight, discounted, findSorted, interpolatedLogProb, kneserNeyDiscounts, nextHistory, type NgramState, type NgramTable } from './ngram';
import type { LanguageModel, NextTokenProbs } from '../types';

/** A context's total count and how many successors have count 1, 2 and 3+. */
interface ContextStats {
  total: number;
  n1: number;
  n2: number;
  n3: number;
}

/** One level's overlay: contexts created after the build, count deltas, and changed context stats. */
interface Overlay {
  base: NgramTable;
  /** (parent context · (V+1) + older token) -> id of a context the base does not have (ids from base.size up). */
  child: Map<number, number>;
  nextId: number;
  /** context -> word -> count minus the base's count (never 0: such entries are deleted). */
  delta: Map<number, Map<number, number>>;
  /** context -> current stats, for contexts whose counts changed. */
  stats: Map<number, ContextStats>;
  /** How many entries have count 1, 2, 3, 4 (index 1..4): Chen & Goodman's discounts. */
  coc: number[];
  discount: readonly [number, number, number];
}

export interface LiveFile {
  id: string;
  ids: ArrayLike<number>;
}

export interface LiveNgramOptions {
  /**
   * 'live' (default): the discounts follow the counts, so the model equals a fresh build.
   * 'fixed': the base's discounts are kept (equal to a build with those discounts).
   */
  discounts?: 'live' | 'fixed';
}

/** What one update changed. */
export interface LiveUpdate {
  /** N-gram occurrences removed and added (the changed middle of the file and its margins, less those re-added). */
  removed: number;
  added: number;
}

/** Above this many changed windows, identical removed and added n-grams are cancelled before counting. */
const CANCEL_ABOVE = 256;

/** The stream around a file (K tokens before, up to K after) and the positions whose n-grams change. */
interface Span {
  seq: Int32Array;
  from: number;
  to: number;
}

const EMPTY: ContextStats = Object.freeze({ total: 0, n1: 0, n2: 0, n3: 0 });

export class LiveNgramModel implements LanguageModel<NgramState> {
  readonly vocabSize: number;
  readonly order: number;
  private readonly bos: number;
  private base: NgramModel;
  private levels: Overlay[] = [];
  private readonly files: { id: string; ids: Int32Array }[] = [];
  private readonly fileIndex = new Map<string, number>();
  private readonly liveDiscounts: boolean;
  private readonly ctxScratch: number[];
  private probsScratch: NgramProbs | null = null;
  /** Bumped by every change: states from an older version may miss new contexts (re-read them with refresh). */
  version = 0;

  private constructor(base: NgramModel, files: readonly LiveFile[], opts: LiveNgramOptions) {
    this.vocabSize = base.vocabSize;
    this.order = base.order;
    this.bos = base.vocabSize;
    this.liveDiscounts = (opts.discounts ?? 'live') === 'live';
    this.ctxScratch = new Array<number>(this.order).fill(0);
    for (const f of files) {
      if (this.fileIndex.has(f.id)) throw new Error(`File ${f.id} is listed twice`);
      this.fileIndex.set(f.id, this.files.length);
      this.files.push({ id: f.id, ids: checkedIds(f.ids, this.vocabSize) });
    }
    this.base = base;
    this.resetOverlay();
  }

  /** Builds the base from the files' ids concatenated in order (as the training stream is). */
  static fromFiles(files: readonly LiveFile[], vocabSize: number, order = 5, opts: LiveNgramOptions = {}): LiveNgramModel {
    return new LiveNgramModel(NgramModel.build(concatFiles(files), vocabSize, order), files, opts);
  }

  /**
   * Wraps a model already built from exactly these files' ids concatenated in this order (e.g.
   * a saved ngram.bin and the training files). Nothing checks that they match: a file whose
   * ids differ from what the base counted makes updates fail or the counts wrong.
   */
  static over(base: NgramModel, files: readonly LiveFile[], opts: LiveNgramOptions = {}): LiveNgramModel {
    return new LiveNgramModel(base, files, opts);
  }

  /** Replaces a file's ids (a new file is appended to the corpus). */
  update(fileId: string, ids: ArrayLike<number>): LiveUpdate {
    const next = checkedIds(ids, this.vocabSize);
    let f = this.fileIndex.get(fileId);
    if (f === undefined) {
      f = this.files.length;
      this.fileIndex.set(fileId, f);
      this.files.push({ id: fileId, ids: new Int32Array(0) });
    }
    const old = this.files[f].ids;
    if (old.length === next.length && old.every((t, i) => t === next[i])) return { removed: 0, added: 0 }; // unchanged: states stay valid
    const result = this.replace(f, old, next);
    this.files[f].ids = next;
    this.afterChange();
    return result;
  }

  /** Takes a file's contribution out of the counts and the file out of the corpus. */
  remove(fileId: string): LiveUpdate {
    const f = this.fileIndex.get(fileId);
    if (f === undefined) return { removed: 0, added: 0 };
    const result = this.replace(f, this.files[f].ids, new Int32Array(0));
    this.files.splice(f, 1);
    this.fileIndex.delete(fileId);
    for (let i = f; i < this.files.length; i++) this.fileIndex.set(this.files[i].id, i);
    this.afterChange();
    return result;
  }

  /** The corpus as a fresh build would read it: the files' ids concatenated in order. */
  tokens(): Int32Array {
    return concatFiles(this.files);
  }

  fileIds(): string[] {
    return this.files.map((f) => f.id);
  }

  /** Entries in the overlay (count deltas, changed context stats, new contexts): what compaction clears. */
  overlaySize(): number {
    let n = 0;
    for (const L of this.levels) {
      n += L.child.size + L.stats.size;
      for (const m of L.delta.values()) n += m.size;
    }
    return n;
  }

  /** The stored n-grams of the base trie (what the overlay is measured against). */
  baseEntries(): number {
    return this.base.ngramCounts().reduce((a, b) => a + b, 0);
  }

  /** True when the overlay holds more than `share` of the base's entries (and at least `floor`): time to compact. */
  needsCompaction(share = 0.25, floor = 50_000): boolean {
    return this.overlaySize() > Math.max(floor, share * this.baseEntries());
  }

  /**
   * Folds the overlay into a new base trie (a rebuild from the current files). The result is
   * a new model with the same probabilities; this one stays usable, so a server can compact
   * off the request path and swap. States of this model are not valid in the new one.
   */
  compacted(): LiveNgramModel {
    return LiveNgramModel.fromFiles(this.files, this.vocabSize, this.order, { discounts: this.liveDiscounts ? 'live' : 'fixed' });
  }

  /**
   * compacted() in two halves, for a rebuild off the calling thread: `snapshotFiles()` now,
   * build a base from `concat` of their ids elsewhere, then `rebasedOnto(base, snapshot)`,
   * which re-applies the files updated, added or removed since the snapshot.
   */
  snapshotFiles(): LiveFile[] {
    // Updates replace a file's id array, never change it: these stay what was counted.
    return this.files.map((f) => ({ id: f.id, ids: f.ids }));
  }

  rebasedOnto(base: NgramModel, snapshot: readonly LiveFile[]): LiveNgramModel {
    const next = LiveNgramModel.over(base, snapshot, { discounts: this.liveDiscounts ? 'live' : 'fixed' });
    const counted = new Map(snapshot.map((f) => [f.id, f.ids]));
    for (const f of this.files) if (counted.get(f.id) !== f.ids) next.update(f.id, f.ids);
    for (const id of counted.keys()) if (!this.fileIndex.has(id)) next.remove(id);
    return next;
  }

  /** The current counts in NgramModel's format (a saved model includes the edits). */
  serialize(): Uint8Array {
    return NgramModel.build(this.tokens(), this.vocabSize, this.order).serialize();
  }

  initialState(): NgramState {
    return this.stateOf(new Array<number>(this.order - 1).fill(this.bos));
  }

  advance(state: NgramState, tokenId: number): NgramState {
    const h = nextHistory(state, tokenId, this.vocabSize, this.order);
    return h ? this.stateOf(h) : state;
  }

  /** The same history read against the current counts (after updates). */
  refresh(state: NgramState): NgramState {
    return this.stateOf(state.history.slice());
  }

  /** Natural-log probability of one token: NgramModel.logProb's recursion over base + overlay. */
  logProb(state: NgramState, tokenId: number): number {
    return interpolatedLogProb(state.nodes, this.order, this.vocabSize, (k, c, lower) => {
      const L = this.levels[k];
      const st = this.stats(L, c);
      if (st.total === 0) return NaN;
      return discounted(this.count(L, c, tokenId), L.discount) / st.total + backoffWeight(L.discount, st.n1, st.n2, st.n3, st.total) * lower;
    });
  }

  logProbs(state: NgramState): Float32Array {
    const p = this.probs(state).p;
    const out = new Float32Array(p.length);
    for (let w = 0; w < p.length; w++) out[w] = Math.log(p[w]);
    return out;
  }

  /** The whole distribution: the recursion unrolled, each level's discounted counts scaled by the back-off weights above it. */
  probs(state: NgramState): NextTokenProbs {
    const V = this.vocabSize;
    const out = (this.probsScratch ??= new NgramProbs(V));
    const p = out.p;
    const scales = new Float64Array(this.order);
    const live: ContextStats[] = [];
    let top = -1;
    for (let k = 0; k < this.order; k++) {
      const c = state.nodes[k];
      if (c < 0) break;
      const st = this.stats(this.levels[k], c);
      if (st.total === 0) break;
      live.push(st);
      top = k;
    }
    let scale = 1;
    for (let k = top; k >= 0; k--) {
      scales[k] = scale;
      const st = live[k];
      scale *= backoffWeight(this.levels[k].discount, st.n1, st.n2, st.n3, st.total);
    }
    p.fill(scale / V);
    for (let k = 0; k <= top; k++) {
      const L = this.levels[k];
      const s = scales[k] / live[k].total;
      const [d1, d2, d3] = L.discount;
      this.forEachEntry(L, state.nodes[k], (w, cnt) => {
        p[w] += (cnt - (cnt === 1 ? d1 : cnt === 2 ? d2 : d3)) * s;
      });
    }
    return out;
  }

  /** exp of the mean negative log-likelihood of `ids`, read from the start of a text. */
  perplexity(ids: ArrayLike<number>): number {
    let state = this.initialState();
    let ll = 0;
    for (let i = 0; i < ids.length; i++) {
      ll += this.logProb(state, ids[i]);
      state = this.advance(state, ids[i]);
    }
    return Math.exp(-ll / ids.length);
  }

  private resetOverlay(): void {
    this.levels = this.base.tables().map((base) => {
      const coc = [0, 0, 0, 0, 0];
      for (let e = 0; e < base.entCount.length; e++) if (base.entCount[e] <= 4) coc[base.entCount[e]]++;
      return { base, child: new Map(), nextId: base.size, delta: new Map(), stats: new Map(), coc, discount: base.discount };
    });
  }

  private afterChange(): void {
    this.version++;
    if (this.liveDiscounts) for (const L of this.levels) L.discount = kneserNeyDiscounts(L.coc[1], L.coc[2], L.coc[3], L.coc[4]);
  }

  /**
   * Moves file f from `old` to `next` ids: only the n-grams whose window meets the changed
   * middle (after the common prefix, before the common suffix) are removed and added.
   */
  private replace(f: number, old: Int32Array, next: Int32Array): LiveUpdate {
    const K = this.order - 1;
    const left = this.tokensBefore(f, K);
    const right = this.tokensAfter(f, K);
    let P = 0;
    const shorter = Math.min(old.length, next.length);
    while (P < shorter && old[P] === next[P]) P++;
    let S = 0;
    while (S < shorter - P && old[old.length - 1 - S] === next[next.length - 1 - S]) S++;
    const window = (ids: Int32Array) => {
      const seq = concat([left, ids, right]);
      return { seq, from: K + P, to: Math.min(seq.length, K + ids.length - S + K) };
    };
    const before = window(old);
    const after = window(next);
    const positions = before.to - before.from + (after.to - after.from);
    if (positions > CANCEL_ABOVE) return this.applyNet(before, after);
    for (let i = before.from; i < before.to; i++) this.applyAt(before.seq, i, -1);
    for (let i = after.from; i < after.to; i++) this.applyAt(after.seq, i, 1);
    return { removed: Math.max(0, before.to - before.from), added: Math.max(0, after.to - after.from) };
  }

  /**
   * A long changed middle (a rename throughout a file) mostly removes and re-adds the same
   * n-grams: count each window's net change first (keyed by its tokens) and apply only those.
   */
  private applyNet(before: Span, after: Span): LiveUpdate {
    const net = new Map<string, { by: number; seq: Int32Array; i: number }>();
    const tally = (span: Span, by: number) => {
      for (let i = span.from; i < span.to; i++) {
        const key = span.seq.subarray(i - this.order + 1, i + 1).join(',');
        const e = net.get(key);
        if (e) e.by += by;
        else net.set(key, { by, seq: span.seq, i });
      }
    };
    tally(before, -1);
    tally(after, 1);
    let removed = 0;
    let added = 0;
    for (const { by, seq, i } of net.values()) {
      for (let n = 0; n < -by; n++) this.applyAt(seq, i, -1);
      for (let n = 0; n < by; n++) this.applyAt(seq, i, 1);
      if (by < 0) removed -= by;
      else added += by;
    }
    return { removed, added };
  }

  /** The `n` stream tokens before file f, `<s>`-padded at the stream's start. */
  private tokensBefore(f: number, n: number): Int32Array {
    const out = new Int32Array(n).fill(this.bos);
    let j = n;
    for (let g = f - 1; g >= 0 && j > 0; g--) {
      const ids = this.files[g].ids;
      for (let i = ids.length - 1; i >= 0 && j > 0; i--) out[--j] = ids[i];
    }
    return out;
  }

  /** Up to `n` stream tokens after file f. */
  private tokensAfter(f: number, n: number): Int32Array {
    const out: number[] = [];
    for (let g = f + 1; g < this.files.length && out.length < n; g++) {
      const ids = this.files[g].ids;
      for (let i = 0; i < ids.length && out.length < n; i++) out.push(ids[i]);
    }
    return Int32Array.from(out);
  }

  /** Adds (by = 1) or removes (-1) the occurrence of the n-gram ending at seq[i]. */
  private applyAt(seq: Int32Array, i: number, by: 1 | -1): void {
    const K = this.order - 1;
    const ctx = this.ctxScratch;
    for (let k = 1; k <= K; k++) {
      ctx[k] = this.childOf(k, ctx[k - 1], seq[i - k], by > 0);
      if (ctx[k] < 0) throw new Error('LiveNgramModel: removing an n-gram that was never counted (the base does not match the files)');
    }
    const w = seq[i];
    for (let k = K; k >= 0; k--) {
      const before = this.bump(this.levels[k], ctx[k], w, by);
      const after = before + by;
      if ((before === 0) === (after === 0)) break; // no 0 <-> 1 crossing: the levels below keep their counts
    }
  }

  /** The context one token older than `parent` (a level-k context), created when asked; -1 when absent. */
  private childOf(k: number, parent: number, token: number, create: boolean): number {
    const up = this.levels[k - 1].base;
    const L = this.levels[k];
    if (parent < up.size) {
      const c = findSorted(L.base.token, up.childStart[parent], up.childStart[parent + 1], token);
      if (c >= 0) return c;
    }
    const key = parent * (this.vocabSize + 1) + token;
    let c = L.child.get(key);
    if (c === undefined) {
      if (!create) return -1;
      L.child.set(key, (c = L.nextId++));
    }
    return c;
  }

  private baseCount(L: Overlay, c: number, w: number): number {
    if (c >= L.base.size) return 0;
    const e = findSorted(L.base.entWord, L.base.entStart[c], L.base.entStart[c + 1], w);
    return e < 0 ? 0 : L.base.entCount[e];
  }

  private count(L: Overlay, c: number, w: number): number {
    return this.baseCount(L, c, w) + (L.delta.get(c)?.get(w) ?? 0);
  }

  private stats(L: Overlay, c: number): ContextStats {
    const st = L.stats.get(c);
    if (st) return st;
    const b = L.base;
    return c < b.size ? { total: b.total[c], n1: b.n1[c], n2: b.n2[c], n3: b.n3[c] } : EMPTY;
  }

  /** Adds `by` to the count of (c, w); returns the count before. */
  private bump(L: Overlay, c: number, w: number, by: number): number {
    const base = this.baseCount(L, c, w);
    let row = L.delta.get(c);
    const d = row?.get(w) ?? 0;
    const before = base + d;
    const after = before + by;
    if (after < 0) throw new Error('LiveNgramModel: a count went negative (the base does not match the files)');
    if (after === base) {
      row?.delete(w);
      if (row?.size === 0) L.delta.delete(c);
    } else {
      if (!row) L.delta.set(c, (row = new Map()));
      row.set(w, after - base);
    }
    let st = L.stats.get(c);
    if (!st) L.stats.set(c, (st = { ...this.stats(L, c) }));
    st.total += by;
    bucket(st, before, -1);
    bucket(st, after, 1);
    if (before >= 1 && before <= 4) L.coc[before]--;
    if (after >= 1 && after <= 4) L.coc[after]++;
    return before;
  }

  /** Calls fn(word, count) for every successor of context c with a non-zero count. */
  private forEachEntry(L: Overlay, c: number, fn: (w: number, count: number) => void): void {
    const b = L.base;
    const row = L.delta.get(c);
    if (c < b.size) {
      for (let e = b.entStart[c], end = b.entStart[c + 1]; e < end; e++) {
        const w = b.entWord[e];
        const cnt = row ? b.entCount[e] + (row.get(w) ?? 0) : b.entCount[e];
        if (cnt > 0) fn(w, cnt);
      }
    }
    if (row) for (const [w, d] of row) if (d > 0 && this.baseCount(L, c, w) === 0) fn(w, d);
  }

  private stateOf(history: number[]): NgramState {
    const nodes = new Array<number>(this.order).fill(-1);
    if (this.stats(this.levels[0], 0).total > 0) {
      nodes[0] = 0;
      let c = 0;
      for (let k = 1; k < this.order; k++) {
        c = this.childOf(k, c, history[this.order - 1 - k], false);
        if (c < 0 || this.stats(this.levels[k], c).total === 0) break;
        nodes[k] = c;
      }
    }
    return Object.freeze({ history: Object.freeze(history), nodes: Object.freeze(nodes) });
  }
}

/** Moves a successor with count `cnt` in (+1) or out (-1) of its context's 1/2/3+ tallies. */
function bucket(st: ContextStats, cnt: number, by: number): void {
  if (cnt === 1) st.n1 += by;
  else if (cnt === 2) st.n2 += by;
  else if (cnt >= 3) st.n3 += by;
}

function checkedIds(ids: ArrayLike<number>, V: number): Int32Array {
  const out = Int32Array.from(ids);
  for (let i = 0; i < out.length; i++) if (!(out[i] >= 0 && out[i] < V)) throw new Error(`Token id ${out[i]} at position ${i} is outside the vocabulary (size ${V})`);
  return out;
}

/** The files' ids in stream order: what a fresh build of them counts. */
export function concatFiles(files: readonly LiveFile[]): Int32Array {
  return concat(files.map((f) => f.ids));
}

function concat(parts: readonly ArrayLike<number>[]): Int32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
