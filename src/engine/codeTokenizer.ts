// The `code` tokenizer. Tokens are raw substrings of the text, so detokenize is a plain
// join and reversibility (detokenize(tokenize(x)) === x) holds for every string by design.
//
// Token design, chosen so an LSTM over a small vocabulary learns code well:
// - A single space before a token is glued to it (" foo", " =", GPT-2/SentencePiece style),
//   so "a = b" is 3 tokens, not 5, and " foo" vs "foo" tells the model what spacing follows.
//   Longer runs keep all but the last space as one whitespace token ("   " + " x").
// - A newline carries the following indentation ("\n    "): one token per line start, and
//   the model predicts the indent level together with the line break.
// - Multi-character operators (=>, ===, &&, ...) are single tokens. Every proper prefix of
//   one is a token too (so no '"""' or '<!--'), which keeps greedy matching prefix-stable:
//   text typed so far never re-splits earlier tokens, and only the last token can be partial.
// - Quotes are tokens of their own and string contents are tokenized like code: prose
//   apostrophes ("don't") would otherwise open fake strings, unterminated strings need no
//   special case, and words inside strings share embeddings with the same words elsewhere.
// - Anything else (emoji, symbols, lone surrogates) is one token per code point.
import type { Tokenizer } from './types';

const OPERATORS = [
  '>>>=',
  '===', '!==', '**=', '...', '>>>', '<<=', '>>=', '&&=', '||=', '??=', '//=', '<=>', '-->', '---',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '**', '<<', '>>', '->', '::', '//', '/*', '*/', ':=', '..', '##', '</', '/>',
];
export const QUOTES = new Set(['"', "'", '`']);

export const KEYWORDS = new Set(
  (
    // JavaScript / TypeScript
    'abstract as async await break case catch class const constructor continue debugger declare default delete do ' +
    'else enum export extends false finally for from function get if implements import in instanceof interface ' +
    'keyof let namespace new null of private protected public readonly return set static super switch this throw ' +
    'true try type typeof undefined var void while with yield ' +
    // Python
    'and assert def del elif except global is lambda nonlocal not or pass raise None True False self ' +
    // C family, Go, Rust, Java
    'char double float int long short signed unsigned struct union sizeof goto auto register volatile extern ' +
    'func go chan defer map range package select fallthrough fn impl mut pub trait use mod crate loop match where ' +
    'final boolean byte synchronized throws transient native'
  ).split(' '),
);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const OPERATOR_SOURCE = [...OPERATORS].sort((a, b) => b.length - a.length).map(escapeRe).join('|');

// Alternatives in priority order; the final `[^]` (one code point, or a lone surrogate
// under the `u` flag) guarantees every position is consumed, which makes the join exact.
const PIECE = new RegExp(
  [
    '(?<nl>(?:\\r\\n|\\n|\\r)[ \\t]*)',
    '(?<ws>[^\\S\\r\\n]+)',
    '(?<id>[\\p{L}\\p{M}\\p{Nl}_$][\\p{L}\\p{M}\\p{N}_$]*)',
    '(?<num>\\p{Nd}(?:[eE][+-]?\\d|[\\p{L}\\p{N}_]|\\.\\d)*)',
    `(?<op>${OPERATOR_SOURCE})`,
    '(?<other>[^])',
  ].join('|'),
  'uy',
);

/** Raw pieces before space gluing; every character of `text` lands in exactly one piece. */
function pieces(text: string): { text: string; ws: boolean }[] {
  const out: { text: string; ws: boolean }[] = [];
  PIECE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (PIECE.lastIndex < text.length && (m = PIECE.exec(text)) !== null) {
    out.push({ text: m[0], ws: m.groups!.ws !== undefined || m.groups!.nl !== undefined });
  }
  return out;
}

export function tokenizeCode(text: string): string[] {
  const ps = pieces(text);
  const out: string[] = [];
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    const next = ps[i + 1];
    const isRun = p.ws && !/^[\r\n]/.test(p.text);
    if (isRun && p.text.endsWith(' ') && next !== undefined && !next.ws) {
      if (p.text.length > 1) out.push(p.text.slice(0, -1));
      out.push(' ' + next.text);
      i++;
    } else {
      out.push(p.text);
    }
  }
  return out;
}

const EXTENDABLE_OPERATORS = new Set<string>();
for (const op of OPERATORS) {
  for (let n = 1; n < op.length; n++) EXTENDABLE_OPERATORS.add(op.slice(0, n));
}

/** Whether more text after `token` could make it a longer token (so it is still partial). */
function extendable(token: string): boolean {
  const t = token.startsWith(' ') ? token.slice(1) : token;
  if (/^(?:\r\n|\n|\r)?[ \t]*$/.test(t)) return true; // newline (indent may follow) or blanks
  if (/^[\p{L}\p{M}\p{N}_$]/u.test(t)) return true; // identifier or number
  return EXTENDABLE_OPERATORS.has(t);
}

/**
 * Tokens before the cursor and the partial last token. `partial` is raw text that the next
 * token must start with (tokenStartsWith / tokenRemainder): an identifier or number being
 * typed, with its leading space if any (" fo"); a newline whose indent may grow; an operator
 * that may grow ("=" before "=>"); or " " when the text ends in a space, since that space
 * belongs to the next token.
 */
function prefixCode(text: string): { tokens: string[]; partial: string } {
  const tokens = tokenizeCode(text);
  const last = tokens[tokens.length - 1];
  if (last === undefined) return { tokens, partial: '' };
  if (/^[^\S\r\n]+$/.test(last) && last.endsWith(' ')) {
    tokens.pop();
    if (last.length > 1) tokens.push(last.slice(0, -1));
    return { tokens, partial: ' ' };
  }
  if (!extendable(last)) return { tokens, partial: '' };
  tokens.pop();
  // A number being typed ("1." before "1.5", "2e-" before "2e-3") spans two tokens so far.
  const prev = tokens[tokens.length - 1];
  if (prev !== undefined && /^ ?\p{Nd}/u.test(prev) && (last === '.' || ((last === '-' || last === '+') && /[eE]$/.test(prev)))) {
    tokens.pop();
    return { tokens, partial: prev + last };
  }
  return { tokens, partial: last };
}

export function createCodeTokenizer(): Tokenizer {
  return {
    kind: 'code',
    tokenize: tokenizeCode,
    detokenize: (tokens: string[]) => tokens.join(''),
    prefix: prefixCode,
  };
}
