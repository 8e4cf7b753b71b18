// Greedy decoding's pick without the whole log-distribution: argmax(logProbs(state)) is the
// argmax of the probabilities, so models offering `probs` skip the per-word logarithms. The
// float32 rounding of logProbs can order near-ties differently from the float64
// probabilities, so every id within a small margin of the best is re-ranked on its exact
// logProbs value: the answer is always argmax(logProbs(state)), bit for bit.
import type { LanguageModel, NextTokenProbs } from '../types';

export interface PickOptions {
  /** When given, only these ids may be picked. */
  allow?: ReadonlySet<number>;
  /** Ids never to pick. */
  exclude?: ReadonlySet<number>;
}

/** A model that may choose its own greedy pick (LstmModel and InterpolatedModel do). */
type MaybeGreedy<S> = LanguageModel<S> & { greedy?: (state: S, opts: PickOptions) => number };

function allowed(id: number, opts: PickOptions): boolean {
  return !(opts.exclude?.has(id) ?? false) && (opts.allow === undefined || opts.allow.has(id));
}

/**
 * Whether `argmax` in generate.ts walks the allow set (in its own order) rather than all ids
 * ascending; ties go to the first id walked. The loops below walk the same way and test a
 * value before the (slower) set lookups, as argmax does.
 */
function walksAllowSet(V: number, opts: PickOptions): boolean {
  return opts.allow !== undefined && opts.allow.size < V;
}

/**
 * The allowed id with the largest value above `above` (first walked on ties; -1 if none), that
 * value and the runner-up's (a tie with the best counts as the runner-up).
 */
export function bestTwo(values: ArrayLike<number>, opts: PickOptions, above = 0): { best: number; p1: number; p2: number } {
  let best = -1;
  let p1 = above;
  let p2 = above;
  const visit = (id: number) => {
    const v = values[id];
    if (!(v > p2) || !allowed(id, opts)) return;
    if (v > p1) {
      p2 = p1;
      p1 = v;
      best = id;
    } else p2 = v;
  };
  if (walksAllowSet(values.length, opts)) for (const id of opts.allow!) visit(id);
  else for (let id = 0; id < values.length; id++) if (values[id] > p2) visit(id);
  return { best, p1, p2 };
}

/**
 * Among the allowed ids whose value is at least `floor` (the near-ties of the best), the one
 * with the largest `exact` value, first walked on ties (-1 when none is finite).
 */
export function rankNearTies(values: ArrayLike<number>, floor: number, opts: PickOptions, exact: (id: number) => number): number {
  const candidates: number[] = [];
  if (walksAllowSet(values.length, opts)) {
    for (const id of opts.allow!) if (values[id] >= floor && allowed(id, opts)) candidates.push(id);
  } else for (let id = 0; id < values.length; id++) if (values[id] >= floor && allowed(id, opts)) candidates.push(id);
  let bestValue = -Infinity;
  let pick = -1;
  for (const id of candidates) {
    const v = exact(id);
    if (v > bestValue) [pick, bestValue] = [id, v];
  }
  return pick;
}

/**
 * Log-space slack covering the float32 roundings between logProbs and log(p): each is at
 * most 2^-24 relative (6e-8 · |log p|), a few of them add up; this is > 10x that.
 */
export function nearTieMargin(logP: number): number {
  return 1e-4 + 1e-6 * Math.abs(logP);
}

/**
 * The allowed id with the largest `exactLogProb` (first walked on ties), or -1 when none is
 * finite — found from `d.p`; undefined when the probabilities cannot decide (all zero or NaN:
 * underflow), so the caller falls back to logProbs.
 */
export function pickFromProbs(d: NextTokenProbs, opts: PickOptions): number | undefined {
  const p = d.p;
  const { best, p1: max, p2: second } = bestTwo(p, opts);
  if (best < 0 || !Number.isFinite(max)) return undefined;
  const floor = max * Math.exp(-nearTieMargin(Math.log(max)));
  if (second < floor) return best;
  // Near-ties: re-rank every id within the margin on its exact value, in argmax's order.
  return rankNearTies(p, floor, opts, (id) => d.exactLogProb(id));
}

/** Index of the largest allowed finite value, or -1 (generate.ts's argmax, ties to the first). */
export function argmaxOf(values: Float32Array, opts: PickOptions): number {
  let best = -1;
  let bestValue = -Infinity;
  const visit = (id: number) => {
    if (values[id] > bestValue && allowed(id, opts)) [best, bestValue] = [id, values[id]];
  };
  if (walksAllowSet(values.length, opts)) for (const id of opts.allow!) visit(id);
  else for (let id = 0; id < values.length; id++) visit(id);
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
