// From a document position to model input: the window of text before the cursor, its
// token ids, the incomplete word at the cursor, and the model state from the document's
// prefix cache (so a keystroke advances the model by the few new tokens only).
import type { Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { generate, StopRules } from '../engine/generate';
import { PrefixCache } from '../engine/prefixCache';
import { displayToken, tokenRemainder, tokenStartsWith } from '../engine/tokenizer';
import { EOS } from '../engine/types';
import type { TokenProbability } from '../protocol';
import type { ServingModel } from './servingModel';

/**
 * Lines of context before the cursor. The window's first line moves in steps of
 * WINDOW_STEP lines, so within a stretch of lines the token prefix stays the same and the
 * cache hits; an LSTM trained on short sequences gains little from older text.
 */
export const WINDOW_LINES = 96;
const WINDOW_STEP = 32;

/** The text the model reads before `position` (a window ending at the cursor). */
export function textBefore(document: TextDocument, position: Position): string {
  const first = Math.max(0, Math.floor((position.line - WINDOW_LINES + WINDOW_STEP) / WINDOW_STEP) * WINDOW_STEP);
  return document.getText({ start: { line: first, character: 0 }, end: position });
}

export interface PrefixState {
  state: unknown;
  /** The incomplete word before the cursor: candidates must continue it. */
  partial: string;
  ids: Int32Array;
}

/** The model's state after the complete tokens of `text`, through the document's cache. */
export function prefixState(model: ServingModel, uri: string, text: string): PrefixState {
  const lm = model.lm;
  if (!lm) throw new Error('this model has no next-token model');
  const { tokens, partial } = model.tokenizer.prefix(text);
  const ids = model.vocab.encode(tokens);
  const cache = model.documentCache(uri, () => new PrefixCache<unknown>());
  return { state: cache.stateFor(lm, ids), partial, ids };
}

/** The k most probable next tokens that continue `partial`, renormalised over those that do. */
export function topTokens(model: ServingModel, state: unknown, partial: string, k: number): TokenProbability[] {
  const logProbs = model.lm!.logProbs(state);
  const candidates: { id: number; p: number }[] = [];
  let mass = 0;
  for (let id = 0; id < logProbs.length; id++) {
    const token = model.vocab.word(id);
    if (id === model.vocab.unkId || !tokenStartsWith(token, partial)) continue;
    const p = Math.exp(logProbs[id]);
    mass += p;
    candidates.push({ id, p });
  }
  candidates.sort((a, b) => b.p - a.p);
  return candidates.slice(0, k).map(({ id, p }) => {
    const token = model.vocab.word(id);
    return { token: displayToken(token), insertText: tokenRemainder(token, partial), prob: mass > 0 ? p / mass : 0 };
  });
}

/**
 * Turns generated tokens into the text inserted after the cursor, chunk by chunk: the
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

/** Ids of the tokens that can continue `partial` (undefined when there is no partial word). */
export function continuing(model: ServingModel, partial: string): Set<number> | undefined {
  if (!partial) return undefined;
  const allow = new Set<number>();
  for (let id = 0; id < model.vocab.size; id++) {
    if (id !== model.vocab.unkId && tokenStartsWith(model.vocab.word(id), partial)) allow.add(id);
  }
  return allow;
}

export interface CompleteOptions {
  maxTokens: number;
  multiline: boolean;
  temperature: number;
  signal: AbortSignal;
}

/**
 * The continuation at `position` (greedy when temperature is 0). `replaced` is a suggestion
 * selected in the editor: the model reads it as if it were already inserted.
 */
export async function completeAt(
  model: ServingModel,
  document: TextDocument,
  position: Position,
  replaced: { range: { start: Position; end: Position }; text: string } | undefined,
  opts: CompleteOptions,
): Promise<{ text: string; tokens: number }> {
  let before = textBefore(document, replaced ? replaced.range.start : position);
  if (replaced) before += replaced.text;
  const { state, partial } = prefixState(model, document.uri, before);
  const out = new Continuation(model.tokenizer.kind, partial, before);
  let tokens = 0;
  for await (const t of generate(model.lm!, state, {
    maxTokens: opts.maxTokens,
    temperature: opts.temperature,
    stop: new StopRules(model.vocab, opts.multiline, partial.length),
    firstAllow: continuing(model, partial),
    signal: opts.signal,
  })) {
    out.push(model.vocab.word(t.id));
    tokens++;
  }
  return { text: out.text, tokens };
}
