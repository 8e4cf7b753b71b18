// Greedy decoding over the open vocabulary: the model's ids plus the strings of the cache
// mixture (cacheMixture.ts), so a completion can insert an identifier the model has never
// seen. At each step the best word is either the model's best id (no cache word beats the
// mixture score of a word the caches do not hold, which is w_m·p_model) or one of the cached
// strings, scored in full; the model then advances on its id, or on `<unk>` for a string
// outside its vocabulary.
import { abortError, argmax, type StopRules, type VocabLike } from './generate';
import { probsOf } from './interpolate';
import type { CacheMixture } from './cacheMixture';
import type { LanguageModel } from '../types';

export interface OpenGreedyOptions {
  maxTokens: number;
  stop: StopRules;
  /** The partial word the first token must continue ('' for none). */
  partial: string;
  /** Ids allowed as the first token (those continuing the partial word); undefined when any may follow. */
  firstAllow?: ReadonlySet<number>;
  /**
   * Stop before a token whose mixture probability is below this (default 0: never). A cache
   * makes copying a span seen earlier likely, and a long wrong suggestion is worth nothing;
   * the first token of a partial word is exempt (its probability is spread over the word's forms).
   */
  minProb?: number;
  signal?: AbortSignal;
}

/** The words of the greedy continuation after `history` (the tokens before the cursor). */
export function openGreedy<S>(
  model: LanguageModel<S>,
  state: S,
  history: readonly string[],
  mixture: CacheMixture,
  vocab: VocabLike & { id(word: string): number },
  opts: OpenGreedyOptions,
): string[] {
  const out: string[] = [];
  const h = history.slice(Math.max(0, history.length - mixture.document.order));
  const exclude = new Set([vocab.unkId]);
  // A string outside the vocabulary reads as -1 (Vocab.id gives `<unk>`'s id, other vocabularies -1).
  const idOf = (w: string) => {
    const id = vocab.id(w);
    return id === vocab.unkId ? -1 : id;
  };
  let depth = 0;
  for (let i = 0; i < opts.maxTokens; i++) {
    if (opts.signal?.aborted) throw abortError();
    const first = i === 0 && opts.partial !== '';
    const pm = probsOf(model, state).p;
    const [wm, wd, wr] = mixture.weightsAt(h);
    const pd = mixture.document.distribution(h);
    const pr = mixture.recent.distribution(h);
    const score = (word: string, id: number) => wm * (id >= 0 ? pm[id] : 0) + wd * (pd.get(word) ?? 0) + wr * (pr.get(word) ?? 0);
    const bestId = argmax(pm, { allow: first ? opts.firstAllow : undefined, exclude });
    let word = bestId >= 0 ? vocab.word(bestId) : undefined;
    let best = word === undefined ? -1 : score(word, bestId);
    // Past the first token every id may be picked, so no cached word's model term exceeds
    // wm·pm[bestId]: a word whose score bounded so (the other cache's term by its largest, then
    // by its value) cannot beat `best` is skipped (float rounding is monotone, so exactly).
    const pmTop = bestId >= 0 ? pm[bestId] : 0;
    const [pdTop, prTop] = first ? [0, 0] : [largest(pd), largest(pr)];
    for (const cached of [pd, pr]) {
      const isDocument = cached === pd;
      for (const [w, p] of cached) {
        if (!first) {
          if ((isDocument ? wm * pmTop + wd * p + wr * prTop : wm * pmTop + wd * pdTop + wr * p) <= best) continue;
          if (!isDocument && wm * pmTop + wd * (pd.get(w) ?? 0) + wr * p <= best) continue;
          const s = score(w, idOf(w));
          if (s > best) [word, best] = [w, s];
          continue;
        }
        // The code tokenizer keeps a word's leading space (" frobnicateWidget"); a partial word
        // typed at the start of a line has none, so the cached word is offered in its form too,
        // with the cache's probability of the word as it was seen.
        const form = respaced(w, opts.partial);
        if (!form.startsWith(opts.partial)) continue;
        const s = form === w ? score(w, idOf(w)) : wm * (idOf(form) >= 0 ? pm[idOf(form)] : 0) + wd * (pd.get(w) ?? 0) + wr * (pr.get(w) ?? 0);
        if (s > best) [word, best] = [form, s];
      }
    }
    if (word === undefined || (!first && best < (opts.minProb ?? 0))) break;
    const id = idOf(word);
    const next = id >= 0 ? opts.stop.next(depth, id, i) : opts.stop.nextText(depth, word, i);
    if (next === null) break;
    depth = next;
    out.push(word);
    h.push(word);
    if (h.length > mixture.document.order) h.shift();
    state = model.advance(state, id >= 0 ? id : vocab.unkId);
  }
  return out;
}

/** The largest probability of a cache's distribution (0 when empty). */
function largest(distribution: ReadonlyMap<string, number>): number {
  let top = 0;
  for (const p of distribution.values()) if (p > top) top = p;
  return top;
}

/** An identifier `word` with its leading space matched to the partial word's (added or dropped); other words as they are. */
function respaced(word: string, partial: string): string {
  if (!IDENTIFIER.test(word) || !IDENTIFIER.test(partial)) return word;
  const spaced = partial.startsWith(' ');
  if (!spaced && word.startsWith(' ')) return word.slice(1);
  if (spaced && !word.startsWith(' ')) return ' ' + word;
  return word;
}

const IDENTIFIER = /^ ?[A-Za-z_$][\w$]*$/;
