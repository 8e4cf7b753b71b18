// Reading many tokens at once: a model with a batched read (the LSTM's serving kernel projects
// all inputs in one GEMM) takes them in one call, any other model token by token.
import type { LanguageModel } from '../types';

/** The state after ids[start..end). */
export function advanceRange<S>(model: LanguageModel<S>, state: S, ids: ArrayLike<number>, start: number, end: number): S {
  if (model.advanceMany) return model.advanceMany(state, ids, start, end);
  for (let i = start; i < end; i++) state = model.advance(state, ids[i]);
  return state;
}
