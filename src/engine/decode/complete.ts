// Completion at a cursor: tokenize the text before it, get the model state (from the
// document's prefix cache when given), make the first token continue the partial word,
// decode (greedy, sampled or a short beam) until the line ends, and return exactly the
// text to insert. Also the next-token distribution at the cursor.
import { performance } from 'node:perf_hooks';
import { StopRules, abortError, beamSearch, generate, generateTokens, topIndices, type VocabLike } from './generate';
import type { CacheMixture } from './cacheMixture';
import { openGreedy } from './openDecode';
import type { PrefixCache } from './prefixCache';
import { advanceRange } from './advanceRange';
import { TokenPrefixIndex } from './tokenPrefixIndex';
import { displayToken } from '../text/tokenizer';
import type { LanguageModel, Tokenizer } from '../types';

export interface CompleteOptions<S> {
  maxTokens: number;
  /** Go past the end of the line (otherwise a line break ends the completion). */
  multiline: boolean;
  /** Above 0: sample at this temperature (with topK/topP); otherwise decode greedily or by beam. */
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  /** Above 1 (and no temperature): beam search of this width. */
  beamWidth?: number;
  cache?: PrefixCache<S>;
  /**
   * The document and recent-files caches: the document cache is set to the tokens before the
   * cursor, and the completion is decoded greedily over the model's words and the cached
   * strings (so an identifier outside the vocabulary can be completed). Temperature and beam
   * do not apply then.
   */
  cacheMixture?: CacheMixture;
  /** With cacheMixture: stop before a token less probable than this (openDecode.ts). */
  minTokenProb?: number;
  /** Checked between tokens; an aborted completion rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface CompletionResult {
  /** The text to insert at the cursor (the rest of a partial word included). */
  completion: string;
  /** Tokens generated. */
  tokens: number;
  ms: number;
}

interface Prefix<S> {
  state: S;
  /** The complete tokens before the cursor. */
  tokens: string[];
  partial: string;
  /** Ids allowed as the first token (those continuing `partial`); undefined when any may follow. */
  firstAllow: ReadonlySet<number> | undefined;
}

type Vocabulary = VocabLike & { id(word: string): number };

/** The complete tokens' ids before the cursor, and the partial word the first token must continue. */
function tokenizePrefix(model: LanguageModel<unknown>, tokenizer: Tokenizer, vocab: Vocabulary, text: string) {
  if (model.vocabSize !== vocab.size) throw new Error(`The model has ${model.vocabSize} words but the vocabulary ${vocab.size}`);
  const { tokens, partial } = tokenizer.prefix(text);
  const ids = tokens.map((t) => {
    const id = vocab.id(t);
    return id >= 0 ? id : vocab.unkId;
  });
  // Shared and cached: never mutate. `<unk>` is excluded where it is used.
  const firstAllow = partial ? TokenPrefixIndex.for(vocab).setStartingWith(partial) : undefined;
  return { ids, tokens, partial, firstAllow };
}

function readPrefix<S>(model: LanguageModel<S>, tokenizer: Tokenizer, vocab: Vocabulary, text: string, cache?: PrefixCache<S>): Prefix<S> {
  const { ids, tokens, partial, firstAllow } = tokenizePrefix(model, tokenizer, vocab, text);
  let state: S;
  if (cache) state = cache.stateFor(model, ids);
  else {
    state = advanceRange(model, model.initialState(), ids, 0, ids.length);
  }
  return { state, tokens, partial, firstAllow };
}

/** readPrefix through the cache, yielding while it reads and stopping on `signal`. */
async function readPrefixAsync<S>(model: LanguageModel<S>, tokenizer: Tokenizer, vocab: Vocabulary, text: string, cache: PrefixCache<S>, signal: AbortSignal): Promise<Prefix<S>> {
  const { ids, tokens, partial, firstAllow } = tokenizePrefix(model, tokenizer, vocab, text);
  try {
    return { state: await cache.stateForAsync(model, ids, signal), tokens, partial, firstAllow };
  } catch (error) {
    if (signal.aborted) throw abortError();
    throw error;
  }
}

export async function complete<S>(
  model: LanguageModel<S>,
  tokenizer: Tokenizer,
  vocab: VocabLike & { id(word: string): number },
  textBeforeCursor: string,
  opts: CompleteOptions<S>,
): Promise<CompletionResult> {
  const t0 = performance.now();
  if (!(opts.maxTokens >= 0)) throw new Error(`maxTokens must be a non-negative number, got ${opts.maxTokens}`);
  if (opts.signal?.aborted) throw abortError();
  // With a signal (a server request) the cold read of a long prefix yields and can be cancelled.
  const { state, tokens, partial, firstAllow } =
    opts.signal && opts.cache
      ? await readPrefixAsync(model, tokenizer, vocab, textBeforeCursor, opts.cache, opts.signal)
      : readPrefix(model, tokenizer, vocab, textBeforeCursor, opts.cache);
  const doneWords = (words: string[]): CompletionResult => {
    // Trailing line breaks and blanks would only leave the cursor on an empty line.
    while (words.length > (partial ? 1 : 0) && /^\s*$/.test(tokenizer.detokenize([words[words.length - 1]]))) words.pop();
    // detokenize gives the spacing; the partial word is already in the document.
    const text = words.length ? tokenizer.detokenize(words) : '';
    return { completion: text.slice(partial.length), tokens: words.length, ms: performance.now() - t0 };
  };
  const done = (ids: number[]) => doneWords(ids.map((id) => vocab.word(id)));
  const stop = new StopRules(vocab, opts.multiline, partial.length);
  if (opts.cacheMixture) {
    opts.cacheMixture.document.setDocument(tokens);
    return doneWords(openGreedy(model, state, tokens, opts.cacheMixture, vocab, { maxTokens: opts.maxTokens, stop, partial, firstAllow, minProb: opts.minTokenProb, signal: opts.signal }));
  }
  if (firstAllow && firstAllow.size === (firstAllow.has(vocab.unkId) ? 1 : 0)) return done([]); // nothing known continues this word
  const sampling = (opts.temperature ?? 0) > 0;
  if (!sampling && (opts.beamWidth ?? 1) > 1) {
    const [best] = beamSearch(model, state, { beamWidth: opts.beamWidth!, maxTokens: opts.maxTokens, stop, firstAllow });
    return done(best ? best.ids : []);
  }
  const genOpts = {
    maxTokens: opts.maxTokens,
    stop,
    firstAllow,
    temperature: sampling ? opts.temperature : 0,
    topK: opts.topK,
    topP: opts.topP,
    seed: opts.seed,
    signal: opts.signal,
  };
  const ids: number[] = [];
  if (opts.signal) for await (const t of generate(model, state, genOpts)) ids.push(t.id);
  else for (const t of generateTokens(model, state, genOpts)) ids.push(t.id);
  return done(ids);
}

export interface NextToken {
  id: number;
  /** The token's text in the vocabulary. */
  token: string;
  /** A readable label (newlines as ⏎, leading space dropped). */
  display: string;
  /** What choosing it inserts after the cursor (the rest of a partial word). */
  insertText: string;
  /** Probability among the tokens that continue the partial word (renormalised over them). */
  p: number;
}

export interface NextTokensAtResult {
  partial: string;
  tokens: NextToken[];
}

/** The k most probable next tokens at the cursor (never `<unk>`), continuing any partial word. */
export function nextTokensAt<S>(
  model: LanguageModel<S>,
  tokenizer: Tokenizer,
  vocab: VocabLike & { id(word: string): number },
  textBeforeCursor: string,
  k: number,
  opts: { cache?: PrefixCache<S> } = {},
): NextTokensAtResult {
  if (!(k >= 1)) throw new Error(`k must be at least 1, got ${k}`);
  const { state, partial, firstAllow } = readPrefix(model, tokenizer, vocab, textBeforeCursor, opts.cache);
  const logProbs = model.logProbs(state);
  const exclude = new Set([vocab.unkId]);
  let mass = 0;
  if (firstAllow) for (const id of firstAllow) mass += id === vocab.unkId ? 0 : Math.exp(logProbs[id]);
  else {
    // The distribution sums to 1; sum explicitly only when <unk> holds nearly all of it.
    mass = 1 - Math.exp(logProbs[vocab.unkId]);
    if (mass < 1e-3) {
      mass = 0;
      for (let id = 0; id < logProbs.length; id++) if (id !== vocab.unkId) mass += Math.exp(logProbs[id]);
    }
  }
  const tokens = topIndices(logProbs, k, { exclude, allow: firstAllow }).map((id) => {
    const token = vocab.word(id);
    return { id, token, display: displayToken(token), insertText: tokenizer.detokenize([token]).slice(partial.length), p: Math.exp(logProbs[id]) / mass };
  });
  return { partial, tokens };
}
