// A fixed random subsample of the validation text, for budgets too short to score all of it:
// one contiguous window per evaluation stream, at a seeded random place inside that stream's
// tenth of the text. Laid end to end, the windows are exactly the streams an evaluation with
// `streams` columns reads (each from a zero state, as the full pass's columns are), and every
// sampled token keeps its position in the original text (for the n-gram's scores).
import { mulberry32 } from '../prng';

export interface ValidationSample {
  ids: Int32Array;
  /** Index in the original text of each sampled token. */
  origin: Int32Array;
  /** Whether this is all of the text (then ids is the text itself). */
  whole: boolean;
}

/** At most `tokens` of `valid` as `streams` windows; all of it when it fits. */
export function sampleValidation(valid: Int32Array, tokens: number, streams = 10, seed = 1): ValidationSample {
  const width = Math.floor(Math.min(tokens, valid.length) / streams);
  if (tokens >= valid.length || width < 2) {
    return { ids: valid, origin: Int32Array.from({ length: valid.length }, (_, i) => i), whole: true };
  }
  const part = Math.floor(valid.length / streams);
  const rand = mulberry32(seed);
  const ids = new Int32Array(width * streams);
  const origin = new Int32Array(width * streams);
  for (let s = 0; s < streams; s++) {
    const start = s * part + Math.floor(rand() * (part - width + 1));
    for (let i = 0; i < width; i++) {
      ids[s * width + i] = valid[start + i];
      origin[s * width + i] = start + i;
    }
  }
  return { ids, origin, whole: false };
}
