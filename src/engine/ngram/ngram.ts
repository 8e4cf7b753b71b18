// Interpolated modified Kneser-Ney n-gram model (Chen & Goodman), the estimator of
// ../shared/anchors/anchor_kn.py over token ids: three discounts per order from
// counts-of-counts, raw counts at the highest order and continuation counts below,
// uniform 1/V at the bottom, `<s>` padding (id = vocabSize) before the first token.
//
// Storage is a reversed context trie in typed arrays, built by counting sorts (no string
// keys, no hash maps): level k holds the distinct contexts of k tokens, the children of a
// context are the contexts one token older, contiguous and sorted by that token. Each
// context owns a sorted run of (word, count) entries for the n-gram order k + 1.
import type { LanguageModel, NextTokenProbs } from '../types';
import { argsortPairs, CHECK_MASK } from './countingSort';
import { stopChecker, throwIfStopped } from '../stop';

/** The last `order - 1` token ids (oldest first, `<s>` = vocabSize) and their trie nodes. */
export interface NgramState {
  readonly history: readonly number[];
  /** Context node per level 0..order-1 (level k = the last k tokens); -1 when unseen. */
  readonly nodes: readonly number[];
}

interface Level {
  /** Number of contexts of this length. */
  size: number;
  /** The oldest token of each context (level ≥ 1). */
  token: Int32Array;
  /** CSR into the next level: children of context c are [childStart[c], childStart[c+1]). */
  childStart: Int32Array;
  /** CSR into entries: successors of context c are [entStart[c], entStart[c+1]), sorted by word. */
  entStart: Int32Array;
  entWord: Int32Array;
  entCount: Int32Array;
  /** Derived on build/load: total count and back-off weight per context; discounts D1, D2, D3+. */
  total: Float64Array;
  gamma: Float64Array;
  /** Per context, how many successors have count 1, 2 and 3+ (the back-off weight's numerator). */
  n1: Int32Array;
  n2: Int32Array;
  n3: Int32Array;
  discount: [number, number, number];
}

/** An NgramModel as toTransfer() hands it to another thread (opaque outside this file). */
export interface NgramTransfer {
  vocabSize: number;
  order: number;
  levels: unknown[];
}

/** One level of the trie, read-only, for the live overlay (liveNgram.ts). Level k holds the contexts of k tokens. */
export type NgramTable = Readonly<Omit<Level, 'discount'>> & { readonly discount: readonly [number, number, number] };

const MAGIC = 0x4e4b4c57; // "WLKN" little-endian
const FORMAT_VERSION = 1;
const MAX_ORDER = 10;

/** Chen & Goodman's estimates from counts-of-counts n1..n4, as the anchor computes them. */
export function kneserNeyDiscounts(n1: number, n2: number, n3: number, n4: number): [number, number, number] {
  if (n1 === 0 || n2 === 0) return [0.5, 0.5, 0.5];
  const y = n1 / (n1 + 2 * n2);
  const d1 = 1 - (2 * y * n2) / n1;
  const d2 = 2 - (3 * y * n3) / n2;
  const d3 = n3 ? 3 - (4 * y * n4) / n3 : 1.5;
  return [Math.max(0.05, d1), Math.max(0.05, d2), Math.max(0.05, d3)];
}

/** The history after one more token (the oldest dropped), or null for a unigram model, whose state never changes. */
export function nextHistory(state: NgramState, tokenId: number, vocabSize: number, order: number): number[] | null {
  if (!(tokenId >= 0 && tokenId < vocabSize)) throw new Error(`Token id ${tokenId} is outside the vocabulary (size ${vocabSize})`);
  if (order === 1) return null;
  const h = state.history.slice(1);
  h.push(tokenId);
  return h;
}

export class NgramModel implements LanguageModel<NgramState> {
  readonly vocabSize: number;
  readonly order: number;
  private readonly levels: Level[];
  private readonly bos: number;
  private readonly initial: NgramState;
  /** Scratch for logProbs (single-threaded, never escapes a call). */
  private readonly work: Float64Array;
  private readonly touched: Int32Array;
  private readonly mark: Uint8Array;
  /** Unigram continuation count of every word (0 when absent), its rank among the distinct counts, and a log table over them. */
  private readonly unigramCount: Int32Array;
  private readonly unigramRank: Int32Array;
  private readonly distinctUnigramCounts: Int32Array;
  private readonly lowLog: Float64Array;
  /** Scratch for probs. */
  private lowP: Float64Array | null = null;
  private probsScratch: NgramProbs | null = null;

  private constructor(vocabSize: number, order: number, levels: Level[], derived = false) {
    this.vocabSize = vocabSize;
    this.order = order;
    this.levels = levels;
    this.bos = vocabSize;
    if (!derived) for (const level of levels) deriveStats(level);
    this.work = new Float64Array(vocabSize);
    this.touched = new Int32Array(vocabSize);
    this.mark = new Uint8Array(vocabSize);
    const L0 = levels[0];
    this.unigramCount = new Int32Array(vocabSize);
    for (let e = L0.entStart[0]; e < L0.entStart[1]; e++) this.unigramCount[L0.entWord[e]] = L0.entCount[e];
    const rankOf = new Map<number, number>([[0, 0]]);
    this.unigramRank = new Int32Array(vocabSize);
    for (let w = 0; w < vocabSize; w++) {
      const c = this.unigramCount[w];
      let r = rankOf.get(c);
      if (r === undefined) rankOf.set(c, (r = rankOf.size));
      this.unigramRank[w] = r;
    }
    this.distinctUnigramCounts = Int32Array.from(rankOf.keys());
    this.lowLog = new Float64Array(rankOf.size);
    this.initial = this.stateOf(new Array<number>(order - 1).fill(this.bos));
  }

  /** Counts a model from token ids (each in [0, vocabSize)); stops (AbortError) within a linear pass of `signal` aborting. */
  static build(ids: Int32Array | readonly number[], vocabSize: number, order = 5, signal?: AbortSignal): NgramModel {
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new Error(`vocabSize must be a positive integer, got ${vocabSize}`);
    if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) throw new Error(`order must be an integer in 1..${MAX_ORDER}, got ${order}`);
    const tokens = ids instanceof Int32Array ? ids : Int32Array.from(ids);
    if (tokens.length === 0) throw new Error('Cannot build an n-gram model from no tokens');
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t < 0 || t >= vocabSize) throw new Error(`Token id ${t} at position ${i} is outside the vocabulary (size ${vocabSize})`);
    }
    return new NgramModel(vocabSize, order, countLevels(tokens, vocabSize, order, () => throwIfStopped(signal)));
  }

  initialState(): NgramState {
    return this.initial;
  }

  advance(state: NgramState, tokenId: number): NgramState {
    const h = nextHistory(state, tokenId, this.vocabSize, this.order);
    return h ? this.stateOf(h) : state;
  }

  /** Natural-log probability of one token: the anchor's recursion, O(order · log n). */
  logProb(state: NgramState, tokenId: number): number {
    return interpolatedLogProb(state.nodes, this.order, this.vocabSize, (k, c, lower) => {
      const L = this.levels[k];
      const e = findSorted(L.entWord, L.entStart[c], L.entStart[c + 1], tokenId);
      return discounted(e < 0 ? 0 : L.entCount[e], L.discount) / L.total[c] + L.gamma[c] * lower;
    });
  }

  /**
   * The whole distribution in O(V + sparse entries). Unrolling the recursion, level k's
   * discounted counts are scaled by the back-off weights of the levels above it and the
   * uniform floor by all of them. Below the sparse higher-order entries a word's
   * probability depends only on its unigram continuation count, so Math.log (the dense
   * cost) runs once per distinct count, and once per word touched by a longer context.
   */
  logProbs(state: NgramState): Float32Array {
    const out = new Float32Array(this.vocabSize);
    this.fillDistribution(state, out, this.lowLog, Math.log);
    return out;
  }

  /**
   * The distribution as probabilities (decoding's fast path): logProbs's arithmetic without
   * its logarithms, so exactLogProb(id) = Math.log of the very value logProbs takes the log
   * of. Scratch buffers, reused by the next call.
   */
  probs(state: NgramState): NextTokenProbs {
    const out = (this.probsScratch ??= new NgramProbs(this.vocabSize));
    this.fillDistribution(state, out.p, (this.lowP ??= new Float64Array(this.lowLog.length)), (x) => x);
    return out;
  }

  /** `out[w] = f(p(w))` for every word: f runs once per distinct unigram count and once per touched word. */
  private fillDistribution(state: NgramState, out: Float32Array | Float64Array, low: Float64Array, f: (p: number) => number): void {
    const V = this.vocabSize;
    const t = this.sparseTerms(state);
    const distinct = this.distinctUnigramCounts;
    for (let r = 0; r < distinct.length; r++) low[r] = f(unigramTerm(distinct[r], t));
    const rank = this.unigramRank;
    for (let w = 0; w < V; w++) out[w] = low[rank[w]];
    const uni = this.unigramCount;
    const add = this.work;
    const mark = this.mark;
    const touched = this.touched;
    for (let j = 0; j < t.nt; j++) {
      const w = touched[j];
      out[w] = f(unigramTerm(uni[w], t) + add[w]);
      add[w] = 0;
      mark[w] = 0;
    }
  }

  /**
   * What logProbs and probs share: the back-off scales, the uniform floor, the unigram level's
   * discounts, and the higher orders' discounted counts summed into `work` for the words
   * listed in `touched[0..nt)`. The caller zeroes `work` and `mark` for those words again.
   */
  private sparseTerms(state: NgramState): UnigramTerms & { nt: number } {
    const scales = new Float64Array(this.order);
    let scale = 1;
    for (let k = this.order - 1; k >= 0; k--) {
      const c = state.nodes[k];
      if (c < 0) continue;
      scales[k] = scale;
      scale *= this.levels[k].gamma[c];
    }
    const L0 = this.levels[0];
    const [u1, u2, u3] = L0.discount;
    const add = this.work; // add and mark are all zero between calls
    const mark = this.mark;
    const touched = this.touched;
    let nt = 0;
    for (let k = 1; k < this.order; k++) {
      const c = state.nodes[k];
      if (c < 0) break;
      const L = this.levels[k];
      const s = scales[k] / L.total[c];
      const [d1, d2, d3] = L.discount;
      for (let e = L.entStart[c], end = L.entStart[c + 1]; e < end; e++) {
        const cnt = L.entCount[e];
        const w = L.entWord[e];
        if (mark[w] === 0) {
          mark[w] = 1;
          touched[nt++] = w;
        }
        add[w] += (cnt - (cnt === 1 ? d1 : cnt === 2 ? d2 : d3)) * s;
      }
    }
    return { base: scale / this.vocabSize, s0: scales[0] / L0.total[0], u1, u2, u3, nt };
  }

  /** exp of the mean negative log-likelihood of `ids`, read from the start of a text; stops (AbortError) when `signal` is aborted. */
  perplexity(ids: Int32Array | readonly number[], signal?: AbortSignal): number {
    if (ids.length === 0) throw new Error('perplexity needs at least one token');
    let state = this.initial;
    let ll = 0;
    const check = stopChecker(signal, 16384);
    for (let i = 0; i < ids.length; i++) {
      check();
      ll += this.logProb(state, ids[i]);
      state = this.advance(state, ids[i]);
    }
    return Math.exp(-ll / ids.length);
  }

  /** The count tables, one per level (read-only: the live overlay counts on top of them). */
  tables(): readonly NgramTable[] {
    return this.levels;
  }

  /** Number of stored n-grams per order (1..order), for reports. */
  ngramCounts(): number[] {
    return this.levels.map((L) => L.entWord.length);
  }

  serialize(): Uint8Array {
    const arrays = this.payloadArrays();
    const headerWords = 5 + 2 * this.order;
    let payloadWords = 0;
    for (const a of arrays) payloadWords += a.length;
    const buf = new Uint32Array(headerWords + payloadWords);
    buf[0] = MAGIC;
    buf[1] = FORMAT_VERSION;
    buf[2] = this.order;
    buf[3] = this.vocabSize;
    this.levels.forEach((L, k) => {
      buf[5 + 2 * k] = L.size;
      buf[6 + 2 * k] = L.entWord.length;
    });
    let off = headerWords;
    for (const a of arrays) {
      buf.set(new Uint32Array(a.buffer, a.byteOffset, a.length), off);
      off += a.length;
    }
    buf[4] = checksum(buf.subarray(headerWords));
    return new Uint8Array(buf.buffer);
  }

  static deserialize(bytes: Uint8Array): NgramModel {
    const fail = (why: string): never => {
      throw new Error(`Corrupt or unsupported n-gram model file: ${why}`);
    };
    if (!(bytes instanceof Uint8Array)) fail('expected bytes');
    if (bytes.byteLength < 20 || bytes.byteLength % 4 !== 0) fail(`unexpected length ${bytes.byteLength} bytes`);
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
    if (words[0] !== MAGIC) fail('not a Wordlens n-gram model (bad magic)');
    if (words[1] !== FORMAT_VERSION) fail(`format version ${words[1]}, this build reads version ${FORMAT_VERSION}`);
    const order = words[2];
    const V = words[3];
    if (order < 1 || order > MAX_ORDER) fail(`order ${order}`);
    if (V < 1 || V >= 0x7fffffff) fail(`vocabulary size ${V}`);
    const headerWords = 5 + 2 * order;
    if (words.length < headerWords) fail('truncated header');
    const sizes: number[] = [];
    const entries: number[] = [];
    let expected = headerWords;
    for (let k = 0; k < order; k++) {
      sizes.push(words[5 + 2 * k]);
      entries.push(words[6 + 2 * k]);
      expected += (k > 0 ? sizes[k] : 0) + (k < order - 1 ? sizes[k] + 1 : 0) + sizes[k] + 1 + 2 * entries[k];
    }
    if (sizes[0] !== 1) fail('level 0 must hold exactly the empty context');
    if (expected !== words.length) fail(`length ${words.length * 4} bytes, header implies ${expected * 4} (truncated or padded)`);
    if (checksum(words.subarray(headerWords)) !== words[4]) fail('checksum mismatch (the file is damaged)');
    const ints = new Int32Array(aligned.buffer, aligned.byteOffset, words.length);
    let off = headerWords;
    const take = (n: number): Int32Array => {
      const a = ints.slice(off, off + n);
      off += n;
      return a;
    };
    const levels: Level[] = [];
    for (let k = 0; k < order; k++) levels.push(emptyLevel(sizes[k]));
    for (let k = 1; k < order; k++) levels[k].token = take(sizes[k]);
    for (let k = 0; k < order - 1; k++) levels[k].childStart = take(sizes[k] + 1);
    for (let k = 0; k < order; k++) {
      levels[k].entStart = take(sizes[k] + 1);
      levels[k].entWord = take(entries[k]);
      levels[k].entCount = take(entries[k]);
    }
    for (let k = 0; k < order; k++) {
      const L = levels[k];
      if (k < order - 1) checkCsr(L.childStart, sizes[k + 1], levels[k + 1].token, V + 1, `level ${k} children`, fail);
      checkCsr(L.entStart, entries[k], L.entWord, V, `level ${k} entries`, fail);
      for (let e = 0; e < L.entCount.length; e++) if (L.entCount[e] < 1) fail(`level ${k} has a non-positive count`);
      for (let c = 0; c < L.size; c++) if (L.entStart[c + 1] === L.entStart[c]) fail(`level ${k} has a context without successors`);
    }
    return new NgramModel(V, order, levels);
  }

  /**
   * The model as plain data for another thread (postMessage), its derived statistics included,
   * with the buffers to transfer: the receiver's fromTransfer() costs O(V), not a load's
   * checks and derivations (the data comes from our own build, not from a file).
   */
  toTransfer(): { data: NgramTransfer; buffers: ArrayBuffer[] } {
    const buffers = new Set<ArrayBuffer>();
    for (const L of this.levels) {
      for (const a of [L.token, L.childStart, L.entStart, L.entWord, L.entCount, L.total, L.gamma, L.n1, L.n2, L.n3]) buffers.add(a.buffer as ArrayBuffer);
    }
    return { data: { vocabSize: this.vocabSize, order: this.order, levels: this.levels }, buffers: [...buffers] };
  }

  static fromTransfer(data: NgramTransfer): NgramModel {
    return new NgramModel(data.vocabSize, data.order, data.levels as Level[], true);
  }

  private payloadArrays(): Int32Array[] {
    const out: Int32Array[] = [];
    for (let k = 1; k < this.order; k++) out.push(this.levels[k].token);
    for (let k = 0; k < this.order - 1; k++) out.push(this.levels[k].childStart);
    for (const L of this.levels) out.push(L.entStart, L.entWord, L.entCount);
    return out;
  }

  private stateOf(history: number[]): NgramState {
    const nodes = new Array<number>(this.order).fill(-1);
    nodes[0] = 0;
    let c = 0;
    // Walk from the newest token to older ones: each step is one level deeper.
    for (let k = 1; k < this.order; k++) {
      const L = this.levels[k - 1];
      c = findSorted(this.levels[k].token, L.childStart[c], L.childStart[c + 1], history[this.order - 1 - k]);
      if (c < 0) break;
      nodes[k] = c;
    }
    return Object.freeze({ history: Object.freeze(history), nodes: Object.freeze(nodes) });
  }
}

function emptyLevel(size: number): Level {
  const none = new Int32Array(0);
  return {
    size,
    token: none,
    childStart: none,
    entStart: none,
    entWord: none,
    entCount: none,
    total: new Float64Array(0),
    gamma: new Float64Array(0),
    n1: none,
    n2: none,
    n3: none,
    discount: [0.5, 0.5, 0.5],
  };
}

/** Index of `key` in the sorted run a[lo..hi), or -1. */
export function findSorted(a: Int32Array, lo: number, hi: number, key: number): number {
  hi -= 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid];
    if (v < key) lo = mid + 1;
    else if (v > key) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Builds every level: contexts by prepending older tokens, then raw / continuation counts. */
function countLevels(ids: Int32Array, V: number, order: number, check: () => void): Level[] {
  const n = ids.length;
  const bos = V;
  const levels: Level[] = [emptyLevel(1)];
  let ctx = new Int32Array(n); // context node of every position at the current level (root: 0)
  let parentOfCtx = new Int32Array(1);
  if (order === 1) {
    const g = distinctPairs(ctx, 1, ids, V, check);
    setEntries(levels[0], g.major, g.minor, g.count);
    return levels;
  }
  const older = new Int32Array(n);
  for (let k = 1; k < order; k++) {
    for (let i = 0; i < n; i++) older[i] = i >= k ? ids[i - k] : bos;
    // Contexts of length k = (older token, context of length k-1), sorted parent-major.
    check();
    const groups = distinctPairs(ctx, levels[k - 1].size, older, V + 1, check);
    const L = emptyLevel(groups.major.length);
    L.token = groups.minor;
    levels[k - 1].childStart = csrStarts(groups.major, levels[k - 1].size);
    levels.push(L);
    parentOfCtx = groups.major;
    ctx = groups.groupOf;

    // Distinct n-grams (context of length k, word): continuation counts of level k-1, and
    // at the top level the raw counts themselves.
    check();
    const raw = distinctPairs(ctx, L.size, ids, V, check);
    if (k === order - 1) setEntries(L, raw.major, raw.minor, raw.count);
    const shortened = new Int32Array(raw.major.length);
    for (let e = 0; e < shortened.length; e++) shortened[e] = parentOfCtx[raw.major[e]];
    check();
    const cont = distinctPairs(shortened, levels[k - 1].size, raw.minor, V, check);
    setEntries(levels[k - 1], cont.major, cont.minor, cont.count);
  }
  return levels;
}

/** Distinct (major, minor) pairs in sorted order with their multiplicities, and each input's pair index. */
function distinctPairs(major: Int32Array, majorRange: number, minor: Int32Array, minorRange: number, check: () => void = () => undefined) {
  const perm = argsortPairs(major, majorRange, minor, minorRange, check);
  const n = perm.length;
  const outMajor = new Int32Array(n);
  const outMinor = new Int32Array(n);
  const count = new Int32Array(n);
  const groupOf = new Int32Array(n);
  let m = -1;
  let pa = -1;
  let pb = -1;
  for (let j = 0; j < n; j++) {
    if ((j & CHECK_MASK) === 0) check();
    const i = perm[j];
    const a = major[i];
    const b = minor[i];
    if (a !== pa || b !== pb) {
      m++;
      outMajor[m] = a;
      outMinor[m] = b;
      pa = a;
      pb = b;
    }
    count[m]++;
    groupOf[i] = m;
  }
  return { major: outMajor.slice(0, m + 1), minor: outMinor.slice(0, m + 1), count: count.slice(0, m + 1), groupOf };
}

function setEntries(L: Level, ctx: Int32Array, word: Int32Array, count: Int32Array): void {
  L.entStart = csrStarts(ctx, L.size);
  L.entWord = word;
  L.entCount = count;
}

/** CSR row starts for sorted row indices in [0, rows). */
function csrStarts(sortedRows: Int32Array, rows: number): Int32Array {
  const starts = new Int32Array(rows + 1);
  for (let i = 0; i < sortedRows.length; i++) starts[sortedRows[i] + 1]++;
  for (let r = 0; r < rows; r++) starts[r + 1] += starts[r];
  return starts;
}

/** Totals, back-off weights and discounts from the stored counts (never serialized). */
function deriveStats(L: Level): void {
  const coc = [0, 0, 0, 0, 0];
  for (let e = 0; e < L.entCount.length; e++) if (L.entCount[e] <= 4) coc[L.entCount[e]]++;
  L.discount = kneserNeyDiscounts(coc[1], coc[2], coc[3], coc[4]);
  L.total = new Float64Array(L.size);
  L.gamma = new Float64Array(L.size);
  L.n1 = new Int32Array(L.size);
  L.n2 = new Int32Array(L.size);
  L.n3 = new Int32Array(L.size);
  for (let c = 0; c < L.size; c++) {
    let tot = 0;
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    for (let e = L.entStart[c]; e < L.entStart[c + 1]; e++) {
      const v = L.entCount[e];
      tot += v;
      if (v === 1) k1++;
      else if (v === 2) k2++;
      else k3++;
    }
    L.total[c] = tot;
    L.n1[c] = k1;
    L.n2[c] = k2;
    L.n3[c] = k3;
    L.gamma[c] = backoffWeight(L.discount, k1, k2, k3, tot);
  }
}

/** Kneser-Ney's back-off weight of a context: the discounted mass over its total. */
/**
 * Interpolated Kneser-Ney's recursion, from the uniform floor 1/V up the context's levels:
 * `level(k, node, lower)` is level k's probability given the level below's (NaN: the context
 * has no counts at this level, so the recursion stops). Returns the natural log.
 */
export function interpolatedLogProb(nodes: readonly number[], order: number, V: number, level: (k: number, node: number, lower: number) => number): number {
  let p = 1 / V;
  for (let k = 0; k < order; k++) {
    const c = nodes[k];
    if (c < 0) break;
    const q = level(k, c, p);
    if (Number.isNaN(q)) break;
    p = q;
  }
  return Math.log(p);
}

/** A count less its modified Kneser-Ney discount (D1, D2 or D3+), never below zero. */
export function discounted(count: number, d: readonly [number, number, number]): number {
  return count ? Math.max(count - d[Math.min(count, 3) - 1], 0) : 0;
}

export function backoffWeight(d: readonly [number, number, number], n1: number, n2: number, n3: number, total: number): number {
  return (d[0] * n1 + d[1] * n2 + d[2] * n3) / total;
}

function checkCsr(
  starts: Int32Array,
  total: number,
  keys: Int32Array,
  keyRange: number,
  what: string,
  fail: (why: string) => never,
): void {
  if (starts[0] !== 0 || starts[starts.length - 1] !== total) fail(`${what}: offsets do not span the table`);
  for (let r = 0; r + 1 < starts.length; r++) {
    const lo = starts[r];
    const hi = starts[r + 1];
    if (hi < lo) fail(`${what}: offsets decrease`);
    for (let i = lo; i < hi; i++) {
      const v = keys[i];
      if (v < 0 || v >= keyRange) fail(`${what}: id ${v} out of range`);
      if (i > lo && keys[i - 1] >= v) fail(`${what}: ids not strictly sorted`);
    }
  }
}

/** FNV-1a over 32-bit words: cheap, catches damaged or truncated files. */
function checksum(words: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h >>> 0;
}

/** Probabilities of every id, with logProbs's float32(log p) as the exact value (also the live model's). */
export class NgramProbs implements NextTokenProbs {
  readonly p: Float64Array;
  constructor(V: number) {
    this.p = new Float64Array(V);
  }
  /** What logProbs stores: float32(log p). */
  exactLogProb(id: number): number {
    return Math.fround(Math.log(this.p[id]));
  }
}

interface UnigramTerms {
  base: number;
  s0: number;
  u1: number;
  u2: number;
  u3: number;
}

/** A word's probability below the sparse contexts: the uniform floor plus its discounted unigram continuation count. */
function unigramTerm(c: number, t: UnigramTerms): number {
  return t.base + (c === 0 ? 0 : (c - (c === 1 ? t.u1 : c === 2 ? t.u2 : t.u3)) * t.s0);
}
