// From a document position to model input: the window of text before the cursor, its
// token ids, the incomplete word at the cursor, and the model state from the document's
// prefix cache (so a keystroke advances the model by the few new tokens only).
import type { Position } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { PrefixCache } from '../engine/prefixCache';
import { displayToken, tokenRemainder, tokenStartsWith } from '../engine/tokenizer';
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
