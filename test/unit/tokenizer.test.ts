import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTokenizer, displayToken, tokenOfDisplay, isWordToken, tokenKind, tokenRemainder, tokenStartsWith,
} from '../../src/engine/text/tokenizer';
import { OPERATORS } from '../../src/engine/text/codeTokenizer';

const ws = createTokenizer('whitespace');
const code = createTokenizer('code');

const TS_SNIPPET = `import { EOS } from './types';

export function lineWords(line: string): string[] {
  // Python's split() drops empty pieces
  return line.split(/\\s+/).filter((w) => w !== '' && w.length >= 1);
}

const x = a?.b ?? 0x1F + 1.5e-3;
if (x === 2 || y !== 3) { z **= 2; }
const s = \`template \${x} with "quotes" and 'singles'\`;
`;
const PY_SNIPPET = `def split_train(path, held=0.1):
    """The training file's last share of lines."""
    lines = read_lines(path)
    cut = int(len(lines) * (1 - held))
\treturn lines[:cut], lines[cut:]  # tab-indented on purpose\r\n`;
const MD_SNIPPET = `# Wordlens

Wordlens learns the language of *your* workspace — it doesn't send anything anywhere.

- **Train**: \`wordlens train src --out model\`
- Émojis 🚀 and 日本語 text are fine.
`;

// Deterministic pseudo-random strings mixing every awkward character class.
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}
const POOL = [
  'a', 'Z', '_', '$', 'é', 'ß', '日', '9', '0', '.', ' ', ' ', '  ', '\t', '\n', '\r\n', '\r', '\u00a0', '\u2028',
  '\ufeff', '=', '>', '<', '!', '&', '|', '?', '*', '/', '-', '+', '"', "'", '`', '\\', '(', '}', '#',
  '😀', '👩‍💻', '\ud800', '\udc00', '\u0301', 'e', 'E', 'x', '\x00', '\x1c', '\x0b', '\u3000', '٣', '²', 'Ⅻ', '=>', '...',
];
function randomString(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 40);
  for (let i = 0; i < n; i++) s += POOL[Math.floor(r() * POOL.length)];
  return s;
}

test('whitespace: words then <eos> per line, trailing newline gives a final empty line (as anchors)', () => {
  assert.deepEqual(ws.tokenize('a b\n\nc\td \n'), ['a', 'b', '<eos>', '<eos>', 'c', 'd', '<eos>', '<eos>']);
  assert.deepEqual(ws.tokenize(''), ['<eos>']);
  // Python text mode reads \r\n and \r as newlines.
  assert.deepEqual(ws.tokenize('a\r\nb\rc'), ['a', '<eos>', 'b', '<eos>', 'c', '<eos>']);
});

test('whitespace: splits on exactly the characters Python str.split() does', () => {
  // U+00A0 and U+001C split in Python; U+FEFF and U+200B do not.
  assert.deepEqual(ws.tokenize('a\u00a0b\ufeffc\x1cd\u200be'), ['a', 'b\ufeffc', 'd\u200be', '<eos>']);
});

test('whitespace: detokenize joins words by spaces and <eos> by newlines', () => {
  assert.equal(ws.detokenize(['a', 'b', '<eos>', 'c', '<eos>']), 'a b\nc\n');
});

test('whitespace: prefix returns the incomplete last word as partial', () => {
  assert.deepEqual(ws.prefix('the cat\nsat on th'), { tokens: ['the', 'cat', '<eos>', 'sat', 'on'], partial: 'th' });
  assert.deepEqual(ws.prefix('the cat\n'), { tokens: ['the', 'cat', '<eos>'], partial: '' });
  assert.deepEqual(ws.prefix('the cat '), { tokens: ['the', 'cat'], partial: '' });
  assert.deepEqual(ws.prefix(''), { tokens: [], partial: '' });
});

test('code: token shapes — glued single space, multi-char operators, newline carries indent', () => {
  assert.deepEqual(code.tokenize('const f = (a) => a === 1 && b;\n  return'), [
    'const', ' f', ' =', ' (', 'a', ')', ' =>', ' a', ' ===', ' 1', ' &&', ' b', ';', '\n  ', 'return',
  ]);
  assert.deepEqual(code.tokenize('x   = 1.5e-3'), ['x', '  ', ' =', ' 1.5e-3']);
  assert.deepEqual(code.tokenize('a\r\n\tb\n\nc '), ['a', '\r\n\t', 'b', '\n', '\n', 'c', ' ']);
  assert.deepEqual(code.tokenize("it's \"ok\""), ['it', "'", 's', ' "', 'ok', '"']);
  assert.deepEqual(code.tokenize('😀x\ud800'), ['😀', 'x', '\ud800']);
});

test('code: detokenize(tokenize(x)) === x for real code and prose', () => {
  for (const s of [TS_SNIPPET, PY_SNIPPET, MD_SNIPPET, TS_SNIPPET.replace(/\n/g, '\r\n'), '', ' ', '\n', '"unterminated']) {
    assert.equal(code.detokenize(code.tokenize(s)), s);
  }
});

test('code: reversible on 5,000 random strings (CRLF, tabs, emoji, lone surrogates, NUL)', () => {
  const r = rng(42);
  for (let i = 0; i < 5000; i++) {
    const s = randomString(r);
    const toks = code.tokenize(s);
    assert.equal(code.detokenize(toks), s, JSON.stringify(s));
    assert.ok(toks.every((t) => t.length > 0), 'no empty tokens');
  }
});

// The code tokenizer's specification as one regular expression (the scanner is a faster
// hand-written equivalent): newline + indent, whitespace run, identifier, number, longest
// operator, any code point; then a run's last space is glued to a following non-space piece.
function referenceTokenize(text: string): string[] {
  const ops = [...OPERATORS].sort((a, b) => b.length - a.length).map((o) => o.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const re = new RegExp(
    `((?:\\r\\n|\\n|\\r)[ \\t]*)|([^\\S\\r\\n]+)|([\\p{L}\\p{M}\\p{Nl}_$][\\p{L}\\p{M}\\p{N}_$]*)|` +
      `(\\p{Nd}(?:[eE][+-]?\\d|[\\p{L}\\p{N}_]|\\.\\d)*)|(${ops.join('|')})|([^])`,
    'uy',
  );
  const ps: { t: string; ws: boolean; nl: boolean }[] = [];
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) ps.push({ t: m[0], ws: m[2] !== undefined, nl: m[1] !== undefined });
  const out: string[] = [];
  for (let i = 0; i < ps.length; i++) {
    const next = ps[i + 1];
    if (ps[i].ws && ps[i].t.endsWith(' ') && next && !next.ws && !next.nl) {
      if (ps[i].t.length > 1) out.push(ps[i].t.slice(0, -1));
      out.push(' ' + next.t);
      i++;
    } else out.push(ps[i].t);
  }
  return out;
}

test('code: the scanner agrees with the reference regular expression', () => {
  for (const s of [TS_SNIPPET, PY_SNIPPET, MD_SNIPPET]) assert.deepEqual(code.tokenize(s), referenceTokenize(s));
  const r = rng(7);
  for (let i = 0; i < 5000; i++) {
    const s = randomString(r);
    assert.deepEqual(code.tokenize(s), referenceTokenize(s), JSON.stringify(s));
  }
});

test('code: prefix splits off what the next token must start with', () => {
  assert.deepEqual(code.prefix('return fo'), { tokens: ['return'], partial: ' fo' });
  assert.deepEqual(code.prefix('foo.ba'), { tokens: ['foo', '.'], partial: 'ba' });
  assert.deepEqual(code.prefix('x = '), { tokens: ['x', ' ='], partial: ' ' });
  assert.deepEqual(code.prefix('x  '), { tokens: ['x', ' '], partial: ' ' });
  assert.deepEqual(code.prefix('x ='), { tokens: ['x'], partial: ' =' });
  assert.deepEqual(code.prefix('f('), { tokens: ['f', '('], partial: '' });
  assert.deepEqual(code.prefix('if x:\n    '), { tokens: ['if', ' x', ':'], partial: '\n    ' });
  assert.deepEqual(code.prefix(''), { tokens: [], partial: '' });
});

test('code: at every cursor in real code, prefix tokens + partial agree with tokenizing the whole text', () => {
  for (const full of [TS_SNIPPET, PY_SNIPPET, MD_SNIPPET]) {
    const all = code.tokenize(full);
    for (let cut = 0; cut <= full.length; cut++) {
      const before = full.slice(0, cut);
      const { tokens, partial } = code.prefix(before);
      assert.equal(tokens.join('') + partial, before);
      // Trailing runs of 2+ spaces are the one place a longer text re-splits whitespace;
      // a cursor never sits inside a surrogate pair.
      if (/ {2}$/.test(before) || /[\ud800-\udbff]$/.test(before)) continue;
      assert.deepEqual(tokens, all.slice(0, tokens.length), `cut ${cut}`);
      const next = all[tokens.length];
      if (next !== undefined) {
        assert.ok(tokenStartsWith(next, partial), `cut ${cut}: ${JSON.stringify(next)} vs ${JSON.stringify(partial)}`);
      }
    }
  }
});

test('tokenRemainder gives exactly the text to insert', () => {
  assert.equal(tokenRemainder(' foo', ' fo'), 'o');
  assert.equal(tokenRemainder(' foo', ''), ' foo');
  assert.equal(tokenStartsWith(' foo', 'fo'), false);
  assert.throws(() => tokenRemainder('bar', 'fo'), /does not start with/);
});

test('tokenKind, isWordToken and displayToken', () => {
  assert.equal(tokenKind(' const'), 'keyword');
  assert.equal(tokenKind('fooBar'), 'identifier');
  assert.equal(tokenKind(' 0x1F'), 'number');
  assert.equal(tokenKind(' ==='), 'punctuation');
  assert.equal(tokenKind(' "'), 'string');
  assert.equal(tokenKind('\n    '), 'whitespace');
  assert.equal(tokenKind('<unk>'), 'special');
  assert.equal(tokenKind('<eos>', 'whitespace'), 'special');
  assert.equal(tokenKind('lobster', 'whitespace'), 'word');
  assert.equal(tokenKind(',', 'whitespace'), 'punctuation');
  assert.equal(isWordToken(' foo'), true);
  assert.equal(isWordToken(' ('), false);
  assert.equal(displayToken(' foo'), 'foo');
  assert.equal(displayToken('\n\t  '), '⏎→··');
  assert.equal(displayToken('\r\n'), '⏎');
  assert.equal(displayToken('   '), '···');
});

test('createTokenizer rejects an unknown kind clearly', () => {
  assert.throws(() => createTokenizer('bpe' as never), /Unknown tokenizer "bpe"/);
});

test('tokenOfDisplay inverts displayToken for newline/indent tokens and leaves words alone', () => {
  for (const token of ['\n', '\n    ', '\n\t\t', '  ', '\t']) assert.equal(tokenOfDisplay(displayToken(token)), token);
  for (const label of ['total', 'a·b', '⏎x', '<unk>']) assert.equal(tokenOfDisplay(label), label);
});
