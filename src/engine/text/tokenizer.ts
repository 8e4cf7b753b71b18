// Tokenizers: `whitespace` (WikiText convention, matches ../shared/anchors exactly) and
// `code` (reversible; see codeTokenizer.ts). Also token helpers for completion and the map.
import { EOS, UNK, type Tokenizer, type TokenizerKind } from '../types';
import { createCodeTokenizer, tokenizeCode, KEYWORDS, QUOTES } from './codeTokenizer';

export { tokenizeCode } from './codeTokenizer';

/**
 * Exactly the characters Python's `str.split()` (no argument) splits on, so our words equal
 * the anchors' `line.split()` words (JS `\s` differs: it has U+FEFF, lacks U+001C..U+001F, U+0085).
 */
const PY_WHITESPACE = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Lines as Python's text-mode `read().split("\n")`: universal newlines, a trailing "\n" gives a final empty line. */
export function splitLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

function lineWords(line: string): string[] {
  return line.split(PY_WHITESPACE).filter((w) => w !== '');
}

function createWhitespaceTokenizer(): Tokenizer {
  return {
    kind: 'whitespace',
    tokenize(text: string): string[] {
      const out: string[] = [];
      for (const line of splitLines(text)) {
        for (const w of lineWords(line)) out.push(w);
        out.push(EOS);
      }
      return out;
    },
    detokenize(tokens: string[]): string {
      let s = '';
      let lineStart = true;
      for (const t of tokens) {
        if (t === EOS) {
          s += '\n';
          lineStart = true;
        } else {
          s += lineStart ? t : ' ' + t;
          lineStart = false;
        }
      }
      return s;
    },
    prefix(text: string) {
      const lines = splitLines(text);
      const tokens: string[] = [];
      for (let i = 0; i < lines.length - 1; i++) {
        for (const w of lineWords(lines[i])) tokens.push(w);
        tokens.push(EOS);
      }
      const last = lines[lines.length - 1];
      const words = lineWords(last);
      // The cursor is inside a word only when no whitespace separates it from the last word.
      const endsInWord = words.length > 0 && !PY_WHITESPACE.test(last.slice(-1));
      const partial = endsInWord ? words.pop()! : '';
      tokens.push(...words);
      return { tokens, partial };
    },
  };
}

export function createTokenizer(kind: TokenizerKind): Tokenizer {
  if (kind === 'whitespace') return createWhitespaceTokenizer();
  if (kind === 'code') return createCodeTokenizer();
  throw new Error(`Unknown tokenizer "${String(kind)}": expected "whitespace" or "code"`);
}

/**
 * True when `token` can be the next token after a prefix whose `partial` is given.
 * Tokens are raw text (a code word token carries its leading space), and `partial` is raw
 * text too, so this is a plain prefix test; with an empty partial every token fits.
 */
export function tokenStartsWith(token: string, partial: string): boolean {
  return token.startsWith(partial);
}

/** The text to insert after the cursor when `token` completes `partial` (call tokenStartsWith first). */
export function tokenRemainder(token: string, partial: string): string {
  if (!token.startsWith(partial)) throw new Error(`Token ${JSON.stringify(token)} does not start with ${JSON.stringify(partial)}`);
  return token.slice(partial.length);
}

export type TokenKind = 'identifier' | 'keyword' | 'number' | 'punctuation' | 'string' | 'whitespace' | 'word' | 'special';

const IDENT = /^[\p{L}\p{M}\p{Nl}_$][\p{L}\p{M}\p{N}_$]*$/u;
const NUMBER = /^\.?\d/u;
const LETTERS = /^[\p{L}\p{M}\p{N}'’_-]+$/u;

/**
 * The kind of a token, for colouring the embedding map. With `tokenizer = 'whitespace'`,
 * alphabetic tokens are prose `word`s; with `code` they are identifiers or keywords.
 */
export function tokenKind(token: string, tokenizer: TokenizerKind = 'code'): TokenKind {
  if (token === UNK || token === EOS) return 'special';
  const t = token.startsWith(' ') ? token.slice(1) : token;
  if (t === '' || /^[\s]+$/u.test(t) || t.startsWith('\n') || t.startsWith('\r')) return 'whitespace';
  if (NUMBER.test(t)) return 'number';
  if (tokenizer === 'whitespace') return LETTERS.test(t) && /\p{L}/u.test(t) ? 'word' : 'punctuation';
  if (IDENT.test(t)) return KEYWORDS.has(t) ? 'keyword' : 'identifier';
  if (QUOTES.has(t)) return 'string';
  return 'punctuation';
}

/** True for tokens a user would call words: identifiers, keywords, numbers, prose words. */
export function isWordToken(token: string, tokenizer: TokenizerKind = 'code'): boolean {
  const k = tokenKind(token, tokenizer);
  return k === 'identifier' || k === 'keyword' || k === 'number' || k === 'word';
}

/** A readable label: newline tokens as ⏎ (indent as · and →), leading space marker dropped. */
export function displayToken(token: string): string {
  if (token === UNK || token === EOS) return token;
  const nl = /^(\r\n|\n|\r)([ \t]*)$/.exec(token);
  if (nl) return '⏎' + nl[2].replace(/ /g, '·').replace(/\t/g, '→');
  if (/^[ \t]+$/.test(token)) return token.replace(/ /g, '·').replace(/\t/g, '→');
  if (token.startsWith(' ')) return token.slice(1);
  return token;
}

/** The newline/indent token behind a displayToken label (`⏎··` → "\n  "); other labels unchanged. */
export function tokenOfDisplay(label: string): string {
  const whitespace = (s: string) => s.replace(/·/g, ' ').replace(/→/g, '\t');
  if (/^⏎[·→]*$/.test(label)) return '\n' + whitespace(label.slice(1));
  if (/^[·→]+$/.test(label)) return whitespace(label);
  return label;
}
