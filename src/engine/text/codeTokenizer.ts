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
import type { Tokenizer } from '../types';

export const OPERATORS = [
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

// Longest operator first, grouped by first character.
const OPS_BY_FIRST = new Map<string, string[]>();
for (const op of [...OPERATORS].sort((a, b) => b.length - a.length)) {
  const list = OPS_BY_FIRST.get(op[0]) ?? [];
  list.push(op);
  OPS_BY_FIRST.set(op[0], list);
}

const ID_START = /[\p{L}\p{M}\p{Nl}_$]/u;
const ID_PART = /[\p{L}\p{M}\p{N}_$]/u;
const DIGIT = /\p{Nd}/u;
const NUM_PART = /[\p{L}\p{N}_]/u;
// JS `\s` without \r and \n: the characters of a whitespace run within a line.
const HSPACE = /[^\S\r\n]/;

const isAsciiLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isAsciiDigit = (c: number) => c >= 48 && c <= 57;

/** The code point starting at i as a string (a lone surrogate stays one unit). */
function codePointAt(text: string, i: number): string {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return text.slice(i, i + 2);
  }
  return text[i];
}

function isIdPart(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (isAsciiLetter(c) || isAsciiDigit(c) || c === 95 || c === 36) return 1;
  if (c < 128 || Number.isNaN(c)) return 0;
  const cp = codePointAt(text, i);
  return ID_PART.test(cp) ? cp.length : 0;
}

function isNumPart(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (isAsciiLetter(c) || isAsciiDigit(c) || c === 95) return 1;
  if (c < 128 || Number.isNaN(c)) return 0;
  const cp = codePointAt(text, i);
  return NUM_PART.test(cp) ? cp.length : 0;
}

const NEWLINE = 0;
const SPACE = 1;
const OTHER = 2;

/**
 * Scans one raw piece at i; returns its end and kind. In priority order: newline + indent,
 * a whitespace run, an identifier, a number, the longest operator, else one code point
 * (or a lone surrogate), so every character lands in exactly one piece.
 */
function scan(text: string, i: number): [end: number, kind: number] {
  const c = text.charCodeAt(i);
  if (c === 10 || c === 13) {
    let j = c === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
    return [j, NEWLINE];
  }
  if (c === 32 || c === 9 || (c > 127 && HSPACE.test(text[i])) || c === 11 || c === 12) {
    let j = i + 1;
    for (;;) {
      const d = text.charCodeAt(j);
      if (d === 32 || d === 9 || d === 11 || d === 12 || (d > 127 && HSPACE.test(text[j]))) j++;
      else break;
    }
    return [j, SPACE];
  }
  const cp = c < 128 ? text[i] : codePointAt(text, i);
  if (isAsciiLetter(c) || c === 95 || c === 36 || (c > 127 && ID_START.test(cp))) {
    let j = i + cp.length;
    for (let n; (n = isIdPart(text, j)) > 0; ) j += n;
    return [j, OTHER];
  }
  if (isAsciiDigit(c) || (c > 127 && DIGIT.test(cp))) {
    let j = i + cp.length;
    for (;;) {
      const d = text.charCodeAt(j);
      if (d === 101 || d === 69) {
        // e/E: an exponent with an optional sign, else just a letter.
        const s = text.charCodeAt(j + 1);
        if ((s === 43 || s === 45) && isAsciiDigit(text.charCodeAt(j + 2))) { j += 3; continue; }
        if (isAsciiDigit(s)) { j += 2; continue; }
      }
      if (d === 46 && isAsciiDigit(text.charCodeAt(j + 1))) { j += 2; continue; }
      const n = isNumPart(text, j);
      if (n === 0) break;
      j += n;
    }
    return [j, OTHER];
  }
  const ops = OPS_BY_FIRST.get(text[i]);
  if (ops) for (const op of ops) if (text.startsWith(op, i)) return [i + op.length, OTHER];
  return [i + cp.length, OTHER];
}

export function tokenizeCode(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const [end, kind] = scan(text, i);
    if (kind === SPACE && text.charCodeAt(end - 1) === 32 && end < text.length) {
      const [nextEnd, nextKind] = scan(text, end);
      if (nextKind === OTHER) {
        // Glue the run's last space to the next token.
        if (end - 1 > i) out.push(text.slice(i, end - 1));
        out.push(text.slice(end - 1, nextEnd));
        i = nextEnd;
        continue;
      }
    }
    out.push(text.slice(i, end));
    i = end;
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
