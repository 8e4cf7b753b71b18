// Model states for token-id prefixes of one document, so a keystroke advances the model
// by the few new tokens instead of re-reading the file. Entries are keyed by a double
// 32-bit polynomial hash of the prefix plus its length (no copies of the ids), bounded
// by an LRU. Besides the state at the end of each request, states are kept every
// `checkpointEvery` tokens on the way, so an edit in the middle resumes near the edit.
import type { LanguageModel } from '../types';
import { advanceRange } from './advanceRange';

export interface PrefixCacheOptions {
  /** Most states kept (LRU). */
  maxEntries?: number;
  /** Also keep the state every this many tokens while advancing. */
  checkpointEvery?: number;
  /**
   * A cold read (no cached state within this many tokens of the end, as after a jump) reads
   * only the last this-many tokens, from the initial state. The state then stands for the
   * whole prefix (later keystrokes continue from it). Default: no limit.
   */
  coldReadLimit?: number;
}

interface Entry<S> {
  length: number;
  h1: number;
  h2: number;
  state: S;
}

const M2 = 2147483647; // 2^31 - 1
const B1 = 0x9e3779b1;
const B2 = 1_000_003;

export class PrefixCache<S> {
  private readonly maxEntries: number;
  private readonly checkpointEvery: number;
  /** See PrefixCacheOptions.coldReadLimit (a setting may change it between reads). */
  coldReadLimit: number;
  /** Insertion order is recency order (oldest first). */
  private readonly entries = new Map<string, Entry<S>>();
  private readonly lengths = new Map<number, number>(); // length -> entries with it
  private model: LanguageModel<S> | null = null;

  constructor(opts: PrefixCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 256;
    this.checkpointEvery = opts.checkpointEvery ?? 64;
    this.coldReadLimit = opts.coldReadLimit ?? Infinity;
    if (!(this.coldReadLimit >= 1)) throw new Error(`coldReadLimit must be at least 1, got ${this.coldReadLimit}`);
    if (!(this.maxEntries >= 1)) throw new Error(`maxEntries must be at least 1, got ${this.maxEntries}`);
    if (!(this.checkpointEvery >= 1)) throw new Error(`checkpointEvery must be at least 1, got ${this.checkpointEvery}`);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.lengths.clear();
  }

  /** The model's state after `ids`, advancing only past the longest cached prefix. */
  stateFor(model: LanguageModel<S>, ids: ArrayLike<number>): S {
    const run = this.read(model, ids, Infinity);
    for (;;) {
      const r = run.next();
      if (r.done) return r.value;
    }
  }

  /**
   * The same, yielding to the event loop every `slice` tokens, so a long cold read (a new
   * document, a jump) does not hold up a server's other messages, and stops when `signal`
   * aborts (rejecting with its reason). The tokens read so far stay cached: the next request
   * for this document continues from there.
   */
  async stateForAsync(model: LanguageModel<S>, ids: ArrayLike<number>, signal?: AbortSignal, slice = 32): Promise<S> {
    const run = this.read(model, ids, slice);
    try {
      for (;;) {
        signal?.throwIfAborted();
        const r = run.next();
        if (r.done) return r.value;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      run.return(undefined as S); // an aborted read caches where it got to
    }
  }

  /** Advances past the longest cached prefix, pausing every `slice` tokens. */
  private *read(model: LanguageModel<S>, ids: ArrayLike<number>, slice: number): Generator<void, S, void> {
    if (model !== this.model) {
      // States of another model (or an older one) are meaningless for this one.
      this.clear();
      this.model = model;
    }
    const n = ids.length;
    const h1s = new Uint32Array(n + 1);
    const h2s = new Float64Array(n + 1);
    let h1 = 0;
    let h2 = 0;
    let best: Entry<S> | null = null;
    for (let i = 0; i <= n; i++) {
      if (i > 0) {
        const t = ids[i - 1] + 1;
        h1 = (Math.imul(h1, B1) + t) >>> 0;
        h2 = (h2 * B2 + t) % M2;
      }
      h1s[i] = h1;
      h2s[i] = h2;
      if (this.lengths.has(i)) {
        const e = this.entries.get(key(i, h1, h2));
        if (e) best = e;
      }
    }
    // Too far from any cached state: read only the end of the prefix.
    if (n - (best ? best.length : 0) > this.coldReadLimit) best = null;
    let state = best ? best.state : model.initialState();
    const start = best ? best.length : Math.max(0, n - this.coldReadLimit);
    /** Tokens `state` has read. */
    let read = start;
    if (best) this.touch(best);
    // A paused read whose cache was meanwhile switched to another model caches nothing more.
    const owned = () => this.model === model;
    try {
      while (read < n) {
        // Up to the next checkpoint, pause or the end in one batched read (advanceRange).
        const to = Math.min(n, (Math.floor(read / this.checkpointEvery) + 1) * this.checkpointEvery, start + (Math.floor((read - start) / slice) + 1) * slice);
        state = advanceRange(model, state, ids, read, to);
        read = to;
        if (read % this.checkpointEvery === 0 && read < n && owned()) this.put(read, h1s[read], h2s[read], state);
        if ((read - start) % slice === 0 && read < n) yield;
      }
    } finally {
      // The end of the read, or where an aborted read stopped (unless nothing was read).
      if ((read > start || (read === n && !best && start === 0)) && owned()) this.put(read, h1s[read], h2s[read], state);
    }
    return state;
  }

  private touch(e: Entry<S>): void {
    const k = key(e.length, e.h1, e.h2);
    this.entries.delete(k);
    this.entries.set(k, e);
  }

  private put(length: number, h1: number, h2: number, state: S): void {
    const k = key(length, h1, h2);
    if (!this.entries.has(k)) this.lengths.set(length, (this.lengths.get(length) ?? 0) + 1);
    this.entries.delete(k);
    this.entries.set(k, { length, h1, h2, state });
    while (this.entries.size > this.maxEntries) {
      const [oldKey, old] = this.entries.entries().next().value as [string, Entry<S>];
      this.entries.delete(oldKey);
      const left = (this.lengths.get(old.length) ?? 1) - 1;
      if (left) this.lengths.set(old.length, left);
      else this.lengths.delete(old.length);
    }
  }
}

function key(length: number, h1: number, h2: number): string {
  return `${length}:${h1}:${h2}`;
}
