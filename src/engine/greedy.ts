// Greedy decoding's pick without the whole log-distribution: argmax(logProbs(state)) is the
// argmax of the probabilities, so models offering `probs` skip the per-word logarithms. The
// float32 rounding of logProbs can order near-ties differently from the float64
// probabilities, so every id within a small margin of the best is re-ranked on its exact
// logProbs value: the answer is always argmax(logProbs(state)), bit for bit.
import type { LanguageModel, NextTokenProbs } from './types';

export interface PickOptions {
  /** When given, only these ids may be picked. */
  allow?: ReadonlySet<number>;
  /** Ids never to pick. */
  exclude?: ReadonlySet<number>;
}

/** A model that may choose its own greedy pick (InterpolatedModel does). */
type MaybeGreedy<S> = LanguageModel<S> & { greedy?: (state: S, opts: PickOptions) => number };

/**
 * Calls `f` on the ids `argmax` in generate.ts considers, in its order (ties go to the
 * first): the allow set's own order when it is smaller than the vocabulary, else ascending.
 */
export function forEachAllowed(V: number, opts: PickOptions, f: (id: number) => void): void {
  const { allow, exclude } = opts;
  if (allow && allow.size < V) {
    for (const id of allow) if (!(exclude?.has(id) ?? false)) f(id);
    return;
  }
  for (let id = 0; id < V; id++) if (!(exclude?.has(id) ?? false) && (allow === undefined || allow.has(id))) f(id);
}

/**
 * Log-space slack covering the float32 roundings between logProbs and log(p): each is at
 * most 2^-24 relative (6e-8 · |log p|), a few of them add up; this is > 10x that.
 */
export function nearTieMargin(logP: number): number {
  return 1e-4 + 1e-6 * Math.abs(logP);
}

/**
 * The allowed id with the largest `exactLogProb` (first in `forEachAllowed` order on ties), or
 * -1 when none is finite — found from `d.p`; undefined when the probabilities cannot decide
 * (all zero or NaN: underflow), so the caller falls back to logProbs.
 */
export function pickFromProbs(d: NextTokenProbs, opts: PickOptions): number | undefined {
  const p = d.p;
  let max = 0;
  let best = -1;
  forEachAllowed(p.length, opts, (id) => {
    if (p[id] > max) [max, best] = [p[id], id];
  });
  if (best < 0 || !Number.isFinite(max)) return undefined;
  const floor = max * Math.exp(-nearTieMargin(Math.log(max)));
  let candidates = 0;
  forEachAllowed(p.length, opts, (id) => {
    if (p[id] >= floor) candidates++;
  });
  if (candidates === 1) return best;
  let bestValue = -Infinity;
  best = -1;
  forEachAllowed(p.length, opts, (id) => {
    if (!(p[id] >= floor)) return;
    const v = d.exactLogProb(id);
    if (v > bestValue) [best, bestValue] = [id, v];
  });
  return best;
}

/** Index of the largest allowed finite value, or -1 (generate.ts's argmax, ties to the first). */
function argmaxOf(values: Float32Array, opts: PickOptions): number {
  let best = -1;
  let bestValue = -Infinity;
  forEachAllowed(values.length, opts, (id) => {
    if (values[id] > bestValue) [best, bestValue] = [id, values[id]];
  });
  return best;
}

/** The allowed id with the highest logProbs(state) value (ties to the first), or -1: exactly argmax(model.logProbs(state)). */
export function greedyPick<S>(model: LanguageModel<S>, state: S, opts: PickOptions = {}): number {
  const m = model as MaybeGreedy<S>;
  if (m.greedy) return m.greedy(state, opts);
  if (m.probs) {
    const id = pickFromProbs(m.probs(state), opts);
    if (id !== undefined) return id;
  }
  return argmaxOf(model.logProbs(state), opts);
}
