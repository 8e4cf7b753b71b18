// Word-pair similarity evaluation, exactly as gensim's KeyedVectors.evaluate_word_pairs
// with delimiter='\t', case_insensitive=True, dummy4unknown=False: words are compared
// upper-cased, a word with several case variants takes the vector of its first
// (most frequent) variant, `#` and malformed lines are skipped, pairs with an unknown
// word are skipped and counted, and `oov` is a percentage of all valid pairs.

/** Returns the vector of an UPPER-CASED word, or undefined when it is out of vocabulary. */
export type UpperCaseLookup = (upperWord: string) => Float32Array | undefined;

export interface WordSimResult {
  spearman: number;
  pearson: number;
  /** Pairs scored (both words known). */
  pairs: number;
  /** Pairs skipped for an unknown word, as a percentage of all valid pairs. */
  oov: number;
  /** Same as `oov`, as a count. */
  oovPairs: number;
}

/**
 * Lookup over a vocabulary in id order: upper-cases every word; when two words share an
 * upper-case form the earlier one (the more frequent, vocab being sorted) wins, as in gensim.
 * Only the first `restrictVocab` words are eligible (gensim's default 300000).
 */
export function caseInsensitiveLookup(
  words: readonly string[], matrix: Float32Array, dim: number, restrictVocab = 300000,
): UpperCaseLookup {
  const rows = new Map<string, number>();
  const n = Math.min(words.length, restrictVocab);
  for (let i = 0; i < n; i++) {
    const key = words[i].toUpperCase();
    if (!rows.has(key)) rows.set(key, i);
  }
  return (upper) => {
    const row = rows.get(upper);
    return row === undefined ? undefined : matrix.subarray(row * dim, (row + 1) * dim);
  };
}

/** Evaluates word vectors on a tab-separated `word1 word2 score` pairs file's text. */
export function evaluateWordPairs(pairsText: string, lookup: UpperCaseLookup): WordSimResult {
  const gold: number[] = [];
  const model: number[] = [];
  let oovPairs = 0;
  for (const line of splitLinesKeepingEmpty(pairsText)) {
    if (line.startsWith('#')) continue;
    const fields = line.split('\t');
    if (fields.length !== 3) continue; // gensim skips lines that do not unpack into 3 fields
    const score = parsePythonFloat(fields[2]);
    if (score === undefined) continue;
    const a = lookup(fields[0].toUpperCase());
    const b = lookup(fields[1].toUpperCase());
    if (!a || !b) { oovPairs++; continue; }
    gold.push(score);
    model.push(cosine(a, b));
  }
  if (gold.length === 0) {
    throw new Error(`No valid similarity judgements found: either the pairs file is not tab-separated "word1<TAB>word2<TAB>score" lines, or all ${oovPairs} pairs are out of the vocabulary`);
  }
  return {
    spearman: spearman(gold, model),
    pearson: pearson(gold, model),
    pairs: gold.length,
    oov: (oovPairs / (gold.length + oovPairs)) * 100,
    oovPairs,
  };
}

/** Lines as Python's file iteration sees them, minus the newline (a final empty piece is not a line). */
function splitLinesKeepingEmpty(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** float() of Python: surrounding whitespace allowed, empty or junk rejected. */
function parsePythonFloat(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (t === '') return undefined;
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[+-]?\d+)?$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

/** Cosine similarity; 0 when either vector is all zeros (gensim's unitvec leaves zeros as is). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** Pearson's r; NaN when either side is constant (as scipy). */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** Spearman's rho: Pearson's r of the ranks, ties given their average rank (as scipy). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** 1-based ranks; tied values share the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}
