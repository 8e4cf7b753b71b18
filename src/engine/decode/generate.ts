// Decoding from any LanguageModel: the next-token distribution (temperature, top-k, top-p,
// exclusions), sampling with a seedable RNG, greedy and beam search, and a streaming
// generator. Stop rules: end of line (unless multi-line), a closing bracket that would
// close more than the generated text opened, and a token budget. `<unk>` is never produced.
import { greedyPick } from './greedy';
import type { LanguageModel } from '../types';
import { mulberry32 } from '../prng';

export { greedyPick };

export interface TokenProb {
  id: number;
  p: number;
}

export interface DistributionOptions {
  /** Divides log-probabilities; 0 (or below) means greedy: the single most probable token. Default 1. */
  temperature?: number;
  /** Keep only the k most probable tokens. */
  topK?: number;
  /** Keep the smallest set of most probable tokens whose probability reaches p (nucleus). */
  topP?: number;
  /** Ids never to produce. */
  exclude?: ReadonlySet<number>;
  /** When given, only these ids may be produced (e.g. tokens continuing a partial word). */
  allow?: ReadonlySet<number>;
}

/** What decoding needs of a vocabulary (the engine's Vocab fits). */
export interface VocabLike {
  readonly size: number;
  readonly unkId: number;
  /** -1 when the vocabulary has no `<eos>`. */
  readonly eosId: number;
  word(id: number): string;
}

/** A deterministic PRNG in [0, 1), so generations can be reproduced. */
export const seededRandom = mulberry32;

function allowed(id: number, opts: DistributionOptions): boolean {
  return !(opts.exclude?.has(id) ?? false) && (opts.allow === undefined || opts.allow.has(id));
}

/** Index of the largest allowed finite value, or -1: the greedy pick in one tight pass. */
export function argmax(values: ArrayLike<number>, opts: DistributionOptions = {}): number {
  let best = -1;
  let bestValue = -Infinity;
  if (opts.allow && opts.allow.size < values.length) {
    for (const id of opts.allow) {
      const v = values[id];
      if (v > bestValue && allowed(id, opts)) [best, bestValue] = [id, v];
    }
    return best;
  }
  for (let id = 0; id < values.length; id++) {
    const v = values[id];
    if (v > bestValue && allowed(id, opts)) {
      best = id;
      bestValue = v;
    }
  }
  return best;
}

/**
 * Indices of the k largest allowed values, largest first (a size-k min-heap: O(V log k)).
 * The allow/exclude sets are consulted only for values that would enter the heap, so a
 * full-vocabulary scan costs a comparison per id.
 */
export function topIndices(values: ArrayLike<number>, k: number, opts: DistributionOptions = {}): number[] {
  const heap: number[] = [];
  if (k < 1) return heap;
  const siftDown = () => {
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && values[heap[l]] < values[heap[m]]) m = l;
      if (r < heap.length && values[heap[r]] < values[heap[m]]) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  const consider = (id: number) => {
    const v = values[id];
    // Also rejects NaN and -Infinity (impossible tokens).
    if (heap.length === k ? !(v > values[heap[0]]) : !(v > -Infinity)) return;
    if (!allowed(id, opts)) return;
    if (heap.length < k) {
      heap.push(id);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!(values[heap[i]] < values[heap[parent]])) break;
        [heap[i], heap[parent]] = [heap[parent], heap[i]];
        i = parent;
      }
    } else {
      heap[0] = id;
      siftDown();
    }
  };
  if (opts.allow && opts.allow.size < values.length) for (const id of opts.allow) consider(id);
  else for (let id = 0; id < values.length; id++) consider(id);
  return heap.sort((a, b) => values[b] - values[a] || a - b);
}

/**
 * The next-token distribution after temperature, exclusions, top-k and top-p, renormalised
 * and sorted by probability (highest first). Empty when every token is excluded.
 */
export function distributionFromLogProbs(logProbs: Float32Array, opts: DistributionOptions = {}): TokenProb[] {
  const T = opts.temperature ?? 1;
  const V = logProbs.length;
  if (T <= 0) {
    const best = argmax(logProbs, opts);
    return best < 0 ? [] : [{ id: best, p: 1 }];
  }
  if (opts.topP !== undefined && !(opts.topP > 0 && opts.topP <= 1)) throw new Error(`topP must be in (0, 1], got ${opts.topP}`);
  if (opts.topK !== undefined && !(opts.topK >= 1)) throw new Error(`topK must be at least 1, got ${opts.topK}`);
  const top = argmax(logProbs, opts);
  if (top < 0) return [];
  // Normaliser over every allowed token at this temperature (shifted by the max for stability).
  const max = logProbs[top];
  let z = 0;
  if (opts.allow && opts.allow.size < V) {
    for (const id of opts.allow) if (allowed(id, opts)) z += Math.exp((logProbs[id] - max) / T);
  } else {
    for (let id = 0; id < V; id++) if (opts.allow === undefined || opts.allow.has(id)) z += Math.exp((logProbs[id] - max) / T);
    if (opts.exclude) for (const id of opts.exclude) if (id >= 0 && id < V && (opts.allow === undefined || opts.allow.has(id))) z -= Math.exp((logProbs[id] - max) / T);
  }
  const probOf = (id: number) => Math.exp((logProbs[id] - max) / T) / z;
  let k = Math.min(opts.topK ?? V, V);
  let ids: number[];
  if (opts.topP !== undefined && k > 256) {
    // The nucleus is usually small: look at the best 256 first, sort everything only if needed.
    ids = topIndices(logProbs, 256, opts);
    if (ids.reduce((s, id) => s + probOf(id), 0) < opts.topP) ids = topIndices(logProbs, k, opts);
  } else {
    ids = topIndices(logProbs, k, opts);
  }
  let out = ids.map((id) => ({ id, p: probOf(id) }));
  if (opts.topP !== undefined) {
    let cum = 0;
    k = out.length;
    for (let i = 0; i < out.length; i++) {
      cum += out[i].p;
      if (cum >= opts.topP - 1e-12) {
        k = i + 1;
        break;
      }
    }
    out = out.slice(0, k);
  }
  const kept = out.reduce((s, t) => s + t.p, 0);
  for (const t of out) t.p /= kept;
  return out;
}

function nextTokenDistribution<S>(model: LanguageModel<S>, state: S, opts: DistributionOptions = {}): TokenProb[] {
  return distributionFromLogProbs(model.logProbs(state), opts);
}

/** Draws from a distribution with `rng()` in [0, 1). */
export function sample(dist: readonly TokenProb[], rng: () => number): TokenProb {
  if (dist.length === 0) throw new Error('Cannot sample from an empty distribution');
  let u = rng();
  for (const t of dist) {
    u -= t.p;
    if (u < 0) return t;
  }
  return dist[dist.length - 1];
}

interface TokenTables {
  lineBreak: Uint8Array;
  /** Lowest running bracket depth inside the token (≤ 0) and its net change. */
  minDepth: Int32Array;
  delta: Int32Array;
}

/** Scanning every token text costs O(V) string work: once per vocabulary, not per keystroke. */
const tablesByVocab = new WeakMap<VocabLike, TokenTables>();

function scanToken(text: string): { lineBreak: boolean; minDepth: number; delta: number } {
  let d = 0;
  let min = 0;
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') d++;
    else if (ch === ')' || ch === ']' || ch === '}') min = Math.min(min, --d);
  }
  return { lineBreak: /[\r\n]/.test(text), minDepth: min, delta: d };
}

function tokenTables(vocab: VocabLike): TokenTables {
  let t = tablesByVocab.get(vocab);
  if (!t) {
    t = { lineBreak: new Uint8Array(vocab.size), minDepth: new Int32Array(vocab.size), delta: new Int32Array(vocab.size) };
    for (let id = 0; id < vocab.size; id++) {
      const r = scanToken(id === vocab.eosId ? '\n' : vocab.word(id));
      t.lineBreak[id] = r.lineBreak ? 1 : 0;
      t.minDepth[id] = r.minDepth;
      t.delta[id] = r.delta;
    }
    tablesByVocab.set(vocab, t);
  }
  return t;
}

/**
 * Stop rules over token texts. A rule state is the bracket depth of the text generated so
 * far; `next` gives the depth after a token, or null when the token must end generation
 * without being emitted. `<unk>` is excluded outright.
 */
export class StopRules {
  readonly exclude: ReadonlySet<number>;
  private readonly tables: TokenTables;

  constructor(
    private readonly vocab: VocabLike,
    readonly multiline: boolean,
    /** Characters of the first token that are already typed (a partial word): rules see only the rest. */
    readonly firstTokenSkip = 0,
  ) {
    this.exclude = new Set([vocab.unkId]);
    this.tables = tokenTables(vocab);
  }

  /** Depth after emitting `id` at `position` (0 = first generated token), or null to stop before it. */
  next(depth: number, id: number, position: number): number | null {
    if (position === 0 && this.firstTokenSkip > 0) return this.nextText(depth, this.vocab.word(id), position);
    const t = this.tables;
    if (t.lineBreak[id] && !this.multiline) return null;
    if (depth + t.minDepth[id] < 0) return null;
    return depth + t.delta[id];
  }

  /** `next` for a token given by its text (one outside the vocabulary, e.g. from a cache). */
  nextText(depth: number, text: string, position: number): number | null {
    const r = scanToken(position === 0 ? text.slice(this.firstTokenSkip) : text);
    if (r.lineBreak && !this.multiline) return null;
    return depth + r.minDepth < 0 ? null : depth + r.delta;
  }
}

export interface GenerateOptions extends DistributionOptions {
  maxTokens: number;
  /** Stop rules (and their exclusions, e.g. `<unk>`). Without them only maxTokens stops. */
  stop?: StopRules;
  /** Restricts the first token only (e.g. to tokens continuing a partial word). */
  firstAllow?: ReadonlySet<number>;
  /** Randomness for sampling (default: seeded from `seed`, else Math.random). */
  rng?: () => number;
  seed?: number;
  signal?: AbortSignal;
}

export interface GeneratedToken<S> {
  id: number;
  /** Probability of the token under the (tempered, truncated) distribution it was drawn from. */
  p: number;
  /** Model state after the token. */
  state: S;
}

function excludeWith(opts: GenerateOptions): ReadonlySet<number> | undefined {
  if (!opts.stop) return opts.exclude;
  if (!opts.exclude) return opts.stop.exclude;
  return new Set([...opts.exclude, ...opts.stop.exclude]);
}

/** The decoding loop shared by the sync and async forms. */
function* decode<S>(model: LanguageModel<S>, state: S, opts: GenerateOptions): Generator<GeneratedToken<S>> {
  if (!(opts.maxTokens >= 0)) throw new Error(`maxTokens must be a non-negative number, got ${opts.maxTokens}`);
  const rng = opts.rng ?? (opts.seed !== undefined ? seededRandom(opts.seed) : Math.random);
  const exclude = excludeWith(opts);
  let depth = 0;
  for (let i = 0; i < opts.maxTokens; i++) {
    if (opts.signal?.aborted) throw abortError();
    const allow = i === 0 && opts.firstAllow ? opts.firstAllow : opts.allow;
    let pick: TokenProb;
    if ((opts.temperature ?? 1) <= 0) {
      const id = greedyPick(model, state, { exclude, allow });
      if (id < 0) return;
      pick = { id, p: 1 };
    } else {
      const dist = nextTokenDistribution(model, state, { ...opts, exclude, allow });
      if (dist.length === 0) return;
      pick = sample(dist, rng);
    }
    if (opts.stop) {
      const d = opts.stop.next(depth, pick.id, i);
      if (d === null) return;
      depth = d;
    }
    state = model.advance(state, pick.id);
    yield { id: pick.id, p: pick.p, state };
  }
}

/** Generates synchronously (greedy when temperature ≤ 0, else sampling). */
export function generateTokens<S>(model: LanguageModel<S>, state: S, opts: GenerateOptions): GeneratedToken<S>[] {
  return [...decode(model, state, opts)];
}

/**
 * Streams tokens one by one, yielding to the event loop between them so a server stays
 * responsive and can cancel through `signal` (which rejects with an AbortError).
 */
export async function* generate<S>(model: LanguageModel<S>, state: S, opts: GenerateOptions): AsyncGenerator<GeneratedToken<S>> {
  for (const token of decode(model, state, opts)) {
    yield token;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export function abortError(): Error {
  const e = new Error('The operation was cancelled');
  e.name = 'AbortError';
  return e;
}

export interface BeamOptions {
  beamWidth: number;
  maxTokens: number;
  stop?: StopRules;
  exclude?: ReadonlySet<number>;
  firstAllow?: ReadonlySet<number>;
}

export interface BeamHypothesis {
  ids: number[];
  /** Log-probability of the tokens, plus that of ending here when a stop rule ended it. */
  logProb: number;
  /** 'stop': a stop rule ended it; 'max': the token budget did. */
  end: 'stop' | 'max';
}

interface Live<S> {
  ids: number[];
  state: S;
  logProb: number;
  depth: number;
}

/**
 * Beam search over token sequences. A hypothesis ends when a stop rule fires (scored with
 * the stop token's probability, summed over the tokens that end it) or at maxTokens.
 * Returns ended hypotheses, best first.
 */
export function beamSearch<S>(model: LanguageModel<S>, state: S, opts: BeamOptions): BeamHypothesis[] {
  if (!(opts.beamWidth >= 1)) throw new Error(`beamWidth must be at least 1, got ${opts.beamWidth}`);
  const exclude = excludeWith({ maxTokens: 0, exclude: opts.exclude, stop: opts.stop });
  const ended = new Map<string, BeamHypothesis>();
  const end = (ids: number[], logProb: number, how: 'stop' | 'max') => {
    const key = ids.join(',');
    const prev = ended.get(key);
    if (!prev) ended.set(key, { ids, logProb, end: how });
    else {
      const m = Math.max(prev.logProb, logProb);
      prev.logProb = m + Math.log(Math.exp(prev.logProb - m) + Math.exp(logProb - m));
    }
  };
  let beams: Live<S>[] = [{ ids: [], state, logProb: 0, depth: 0 }];
  for (let step = 0; step < opts.maxTokens && beams.length > 0; step++) {
    const candidates: { parent: Live<S>; id: number; logProb: number; depth: number }[] = [];
    const allow = step === 0 ? opts.firstAllow : undefined;
    for (const beam of beams) {
      const lp = model.logProbs(beam.state);
      // Stop tokens do not take a beam slot, so look a little past the width.
      for (const id of topIndices(lp, opts.beamWidth * 2, { exclude, allow })) {
        const logProb = beam.logProb + lp[id];
        const depth = opts.stop ? opts.stop.next(beam.depth, id, step) : beam.depth;
        if (depth === null) end(beam.ids, logProb, 'stop');
        else candidates.push({ parent: beam, id, logProb, depth });
      }
    }
    candidates.sort((x, y) => y.logProb - x.logProb);
    // Log-probabilities only fall as hypotheses grow: once an ended one beats every live
    // candidate, no continuation can overtake it.
    const bestEnded = Math.max(-Infinity, ...[...ended.values()].map((h) => h.logProb));
    beams = candidates
      .slice(0, opts.beamWidth)
      .filter((c) => c.logProb > bestEnded)
      .map((c) => ({ ids: [...c.parent.ids, c.id], state: model.advance(c.parent.state, c.id), logProb: c.logProb, depth: c.depth }));
  }
  for (const b of beams) end(b.ids, b.logProb, 'max');
  return [...ended.values()].sort((x, y) => y.logProb - x.logProb);
}
