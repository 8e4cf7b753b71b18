// From a document position to the engine: the window of text before the cursor and the
// document's prefix cache (so a keystroke advances the model by the few new tokens only),
// then the engine's complete / nextTokensAt / generate.
import type { Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { complete, nextTokensAt } from '../engine/decode/complete';
import { PrefixCache } from '../engine/decode/prefixCache';
import { TokenPrefixIndex } from '../engine/decode/tokenPrefixIndex';
import { tokenRemainder } from '../engine/text/tokenizer';
import { EOS } from '../engine/types';
import type { NextTokensResult } from '../protocol';
import type { ServingModel } from './servingModel';

/**
 * Lines of context before the cursor (between WINDOW_LINES - WINDOW_STEP and WINDOW_LINES).
 * The window's first line moves in steps of WINDOW_STEP lines, so while the cursor stays
 * within a stretch of lines the token prefix is unchanged and the cache hits. An LSTM trained
 * on 35-token sequences gains little from older text, and a cold start (a new document, a
 * jump, a window step) reads every token of the window (~25 CPU-µs each at H = 200 on the
 * serving kernel's batched read, docs/benchmarks.md):
 * 24/8 lines read ~155 tokens on a new line where 40/16 read ~243, with the same completions
 * on the benchmark model (bench/completion-hotpath.ts).
 */
const WINDOW_LINES = 24;
const WINDOW_STEP = 8;

/** The text the model reads before `position` (a window ending at the cursor). */
export function textBefore(document: TextDocument, position: Position): string {
  const first = Math.max(0, Math.floor((position.line - WINDOW_LINES + WINDOW_STEP) / WINDOW_STEP) * WINDOW_STEP);
  return document.getText({ start: { line: first, character: 0 }, end: position });
}

function cacheOf(model: ServingModel, uri: string, jumpContextTokens = 0): PrefixCache<unknown> {
  const cache = model.documentCache(uri, () => new PrefixCache<unknown>());
  cache.coldReadLimit = jumpContextTokens > 0 ? jumpContextTokens : Infinity;
  return cache;
}

/** The k most probable next tokens at the end of `text`, continuing its partial word. */
export function nextTokens(model: ServingModel, uri: string, text: string, k: number): NextTokensResult {
  const r = nextTokensAt(model.lm!, model.tokenizer, model.vocab, text, k, { cache: cacheOf(model, uri) });
  return { partial: r.partial, tokens: r.tokens.map((t) => ({ token: t.display, insertText: t.insertText, prob: t.p })) };
}

export interface CompleteOptions {
  maxTokens: number;
  multiline: boolean;
  temperature: number;
  /** completion.jumpContextTokens: the most tokens a cold read (after a jump) reads (default: no limit). */
  jumpContextTokens?: number;
  signal: AbortSignal;
}

/** The continuation at the end of `text` (greedy when temperature is 0). */
export async function completeText(model: ServingModel, uri: string, text: string, opts: CompleteOptions): Promise<{ text: string; tokens: number }> {
  const r = await complete(model.lm!, model.tokenizer, model.vocab, text, {
    maxTokens: opts.maxTokens,
    multiline: opts.multiline,
    temperature: opts.temperature,
    cache: cacheOf(model, uri, opts.jumpContextTokens),
    signal: opts.signal,
    // Greedy completions also draw on the document and recent-files caches (open vocabulary).
    ...(model.live?.mixture && opts.temperature <= 0 ? { cacheMixture: model.live.mixture, minTokenProb: model.live.minTokenProb } : {}),
  });
  return { text: r.completion, tokens: r.tokens };
}

/**
 * Runs the keystroke path once on a made-up text of frequent words (no document cache), so
 * the first real request does not pay JIT compilation and the backend's kernel set-up for
 * the model's matrices (~100-200 ms on wasm). Call after loading a model, before requests.
 */
/** Enough tokens for V8 to optimise the per-token code (48 left the first request at ~2x, measured). */
const WARM_UP_WORDS = 256;
export async function warmUp(model: ServingModel): Promise<void> {
  const lm = model.lm;
  if (!lm) return;
  const words: string[] = [];
  for (let id = 0; id < model.vocab.size && words.length < WARM_UP_WORDS; id++) if (id !== model.vocab.unkId) words.push(model.vocab.word(id));
  const text = model.tokenizer.detokenize(words);
  await complete(lm, model.tokenizer, model.vocab, text, { maxTokens: 8, multiline: false });
  // The mixture may not have needed its LSTM output layer above; set that kernel up too.
  let state = lm.initialState();
  for (const id of model.vocab.encode(words.slice(0, 8))) state = lm.advance(state, id);
  lm.probs?.(state);
}

export interface PrefixState {
  state: unknown;
  /** The incomplete word before the cursor: the first token must continue it. */
  partial: string;
  /** Ids that continue `partial` (undefined when any token may follow). */
  firstAllow: Set<number> | undefined;
}

/** The model's state after the complete tokens of `text`, through the document's cache (for streaming). */
export function prefixState(model: ServingModel, uri: string, text: string): PrefixState {
  const { tokens, partial } = model.tokenizer.prefix(text);
  const state = cacheOf(model, uri).stateFor(model.lm!, model.vocab.encode(tokens));
  let firstAllow: Set<number> | undefined;
  if (partial) {
    firstAllow = new Set(TokenPrefixIndex.for(model.vocab).idsStartingWith(partial));
    firstAllow.delete(model.vocab.unkId);
  }
  return { state, partial, firstAllow };
}

/**
 * Turns streamed tokens into the text inserted after the cursor, chunk by chunk: the
 * first token loses the partial word already typed; the whitespace tokenizer's words are
 * joined by spaces and `<eos>` is a line break.
 */
export class Continuation {
  private first = true;
  private lineStart: boolean;
  text = '';

  constructor(
    private readonly kind: 'code' | 'whitespace',
    private readonly partial: string,
    textBefore: string,
  ) {
    this.lineStart = textBefore === '' || /\s$/.test(textBefore);
  }

  /** Appends a token and returns the text it adds. */
  push(token: string): string {
    let chunk: string;
    if (this.kind === 'code') {
      chunk = this.first ? tokenRemainder(token, this.partial) : token;
    } else if (token === EOS) {
      chunk = '\n';
      this.lineStart = true;
    } else if (this.first && this.partial) {
      chunk = tokenRemainder(token, this.partial);
      this.lineStart = false;
    } else {
      chunk = (this.lineStart ? '' : ' ') + token;
      this.lineStart = false;
    }
    this.first = false;
    this.text += chunk;
    return chunk;
  }
}
