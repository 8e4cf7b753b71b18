// Linear interpolation of two language models, p = λ·p_a + (1−λ)·p_b, in log space.
// This is how an LSTM that is still training and the instant Kneser-Ney n-gram combine;
// λ is fitted on validation text by maximising its log-likelihood.
import { argmaxOf, bestTwo, greedyPick, nearTieMargin, pickFromProbs, type PickOptions } from './greedy';
import type { LanguageModel, NextTokenProbs } from '../types';
import { stopChecker } from '../stop';
import { advanceRange } from './advanceRange';

export interface InterpolatedState<SA, SB> {
  readonly a: SA;
  readonly b: SB;
}

/** A model that may also score one token without the whole distribution (NgramModel does). */
type MaybeFast<S> = LanguageModel<S> & { logProb?: (state: S, id: number) => number };

/** log(e^x + e^y) without overflow or underflow; exact when either side is -Infinity. */
function logAddExp(x: number, y: number): number {
  const m = x > y ? x : y;
  if (m === -Infinity) return -Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(x - y)));
}

export class InterpolatedModel<SA, SB> implements LanguageModel<InterpolatedState<SA, SB>> {
  readonly vocabSize: number;
  private readonly logLambda: number;
  private readonly logRest: number;
  private mixScratch: Float64Array | null = null;

  constructor(
    readonly a: LanguageModel<SA>,
    readonly b: LanguageModel<SB>,
    /** Weight of `a`, in [0, 1]. */
    readonly lambda: number,
  ) {
    if (a.vocabSize !== b.vocabSize) throw new Error(`Cannot interpolate models with different vocabularies (${a.vocabSize} vs ${b.vocabSize})`);
    if (!(lambda >= 0 && lambda <= 1)) throw new Error(`lambda must be in [0, 1], got ${lambda}`);
    this.vocabSize = a.vocabSize;
    this.logLambda = Math.log(lambda);
    this.logRest = Math.log1p(-lambda);
  }

  /** The same two models with another weight (states stay valid). */
  withLambda(lambda: number): InterpolatedModel<SA, SB> {
    return new InterpolatedModel(this.a, this.b, lambda);
  }

  initialState(): InterpolatedState<SA, SB> {
    return Object.freeze({ a: this.a.initialState(), b: this.b.initialState() });
  }

  advance(state: InterpolatedState<SA, SB>, tokenId: number): InterpolatedState<SA, SB> {
    return Object.freeze({ a: this.a.advance(state.a, tokenId), b: this.b.advance(state.b, tokenId) });
  }

  advanceMany(state: InterpolatedState<SA, SB>, ids: ArrayLike<number>, start: number, end: number): InterpolatedState<SA, SB> {
    return Object.freeze({ a: advanceRange(this.a, state.a, ids, start, end), b: advanceRange(this.b, state.b, ids, start, end) });
  }

  logProbs(state: InterpolatedState<SA, SB>): Float32Array {
    // A zero weight skips that model entirely (no wasted LSTM step).
    if (this.lambda === 1) return this.a.logProbs(state.a);
    if (this.lambda === 0) return this.b.logProbs(state.b);
    const la = this.a.logProbs(state.a);
    const lb = this.b.logProbs(state.b);
    const out = new Float32Array(this.vocabSize);
    for (let i = 0; i < out.length; i++) out[i] = logAddExp(la[i] + this.logLambda, lb[i] + this.logRest);
    return out;
  }

  /** λ·p_a + (1−λ)·p_b: one multiply-add per word (when both models offer probs). */
  probs(state: InterpolatedState<SA, SB>): NextTokenProbs {
    if (this.lambda === 1) return probsOf(this.a, state.a);
    if (this.lambda === 0) return probsOf(this.b, state.b);
    return this.mix(probsOf(this.a, state.a), probsOf(this.b, state.b));
  }

  /**
   * Greedy decoding's pick, exactly argmax(logProbs(state)) (see greedy.ts). The n-gram side
   * is cheap, the LSTM's output layer is not: since λ·p_a ≤ λ, when b's best allowed word
   * beats b's runner-up by more than λ, it wins whatever `a` says and `a` is not evaluated.
   */
  greedy(state: InterpolatedState<SA, SB>, opts: PickOptions): number {
    if (this.lambda === 1) return greedyPick(this.a, state.a, opts);
    if (this.lambda === 0) return greedyPick(this.b, state.b, opts);
    const pb = probsOf(this.b, state.b);
    const { best: first, p1, p2 } = bestTwo(pb.p, opts);
    if (first >= 0) {
      const winner = this.logRest + Math.log(p1);
      const rival = Math.log((1 - this.lambda) * p2 + this.lambda);
      if (winner - rival > 2 * nearTieMargin(Math.min(winner, rival, this.logLambda))) return first;
    }
    const id = pickFromProbs(this.mix(probsOf(this.a, state.a), pb), opts);
    return id ?? argmaxOf(this.logProbs(state), opts);
  }

  private mix(pa: NextTokenProbs, pb: NextTokenProbs): NextTokenProbs {
    const p = (this.mixScratch ??= new Float64Array(this.vocabSize));
    const wa = this.lambda;
    const wb = 1 - this.lambda;
    const a = pa.p;
    const b = pb.p;
    for (let i = 0; i < p.length; i++) p[i] = wa * a[i] + wb * b[i];
    const { logLambda, logRest } = this;
    // logProbs's value: float32 of logAddExp over the float32 values of each side.
    return { p, exactLogProb: (id) => Math.fround(logAddExp(pa.exactLogProb(id) + logLambda, pb.exactLogProb(id) + logRest)) };
  }

  logProb(state: InterpolatedState<SA, SB>, tokenId: number): number {
    return logAddExp(tokenLogProb(this.a, state.a, tokenId) + this.logLambda, tokenLogProb(this.b, state.b, tokenId) + this.logRest);
  }
}

/** A model's probabilities: its own fast path, else from its logProbs. */
export function probsOf<S>(model: LanguageModel<S>, state: S): NextTokenProbs {
  if (model.probs) return model.probs(state);
  const lp = model.logProbs(state);
  const p = new Float64Array(lp.length);
  for (let i = 0; i < lp.length; i++) p[i] = Math.exp(lp[i]);
  return { p, exactLogProb: (id) => lp[id] };
}

function tokenLogProb<S>(model: MaybeFast<S>, state: S, id: number): number {
  return model.logProb ? model.logProb(state, id) : model.logProbs(state)[id];
}

/** Natural-log probability of each token of `ids` under `model`, read from the start of a text; stops (AbortError) when `signal` is aborted. */
export function tokenLogProbs<S>(model: LanguageModel<S>, ids: ArrayLike<number>, signal?: AbortSignal): Float64Array {
  const out = new Float64Array(ids.length);
  let state = model.initialState();
  // Polled often: a token of an LSTM (a full distribution) costs milliseconds, of an n-gram microseconds.
  const check = stopChecker(signal, 64);
  for (let i = 0; i < ids.length; i++) {
    check();
    out[i] = tokenLogProb(model, state, ids[i]);
    state = model.advance(state, ids[i]);
  }
  return out;
}

export interface LambdaFit {
  lambda: number;
  /** Validation perplexities of the mixture and of each model alone. */
  ppl: number;
  pplA: number;
  pplB: number;
}

/**
 * The λ maximising Σ log(λ·p_a + (1−λ)·p_b) over per-token log-probabilities (e.g. from a
 * batched LSTM evaluation). The objective is concave in λ, so golden-section search on
 * [0, 1] finds the optimum (to ~1e-6), including the ends.
 */
export function fitLambdaFromLogProbs(la: ArrayLike<number>, lb: ArrayLike<number>, signal?: AbortSignal): LambdaFit {
  const n = la.length;
  if (n === 0 || lb.length !== n) throw new Error('fitLambda needs the same non-zero number of log-probabilities from both models');
  // ~35 passes over every validation token: a stop is honoured within a pass's slice.
  const check = stopChecker(signal, 65536);
  const ll = (lambda: number): number => {
    const x = Math.log(lambda);
    const y = Math.log1p(-lambda);
    let s = 0;
    for (let i = 0; i < n; i++) {
      check();
      s += logAddExp(la[i] + x, lb[i] + y);
    }
    return s;
  };
  const phi = (Math.sqrt(5) - 1) / 2;
  let lo = 0;
  let hi = 1;
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = ll(x1);
  let f2 = ll(x2);
  while (hi - lo > 1e-6) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = ll(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = ll(x1);
    }
  }
  // The optimum may sit on an end of the interval, which the interior probes never reach.
  let lambda = (lo + hi) / 2;
  let best = ll(lambda);
  for (const end of [0, 1]) {
    const f = ll(end);
    if (f > best) [lambda, best] = [end, f];
  }
  const mean = (xs: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[i];
    return s / n;
  };
  return { lambda, ppl: Math.exp(-best / n), pplA: Math.exp(-mean(la)), pplB: Math.exp(-mean(lb)) };
}

/** Fits λ for mixing `a` and `b` on validation ids (each model read from the start). */
export function fitLambda<SA, SB>(a: LanguageModel<SA>, b: LanguageModel<SB>, validIds: ArrayLike<number>): LambdaFit {
  if (a.vocabSize !== b.vocabSize) throw new Error(`Cannot interpolate models with different vocabularies (${a.vocabSize} vs ${b.vocabSize})`);
  return fitLambdaFromLogProbs(tokenLogProbs(a, validIds), tokenLogProbs(b, validIds));
}
