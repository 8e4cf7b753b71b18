import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DocumentIds } from '../../src/server/documentIds';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import { mulberry32 } from '../../src/engine/prng';

// Ids by first sight, so every distinct token gets its own id and a wrong split shows.
function encoder() {
  const ids = new Map<string, number>();
  return { id: (w: string) => ids.get(w) ?? (ids.set(w, ids.size), ids.size - 1) };
}

const PIECES = ['\n', '\r\n', '\r', '\n    ', ' ', '  ', '\t', 'foo', ' bar', 'x1', '1e', '-', '+', '3', '.', '5', '=', '==', '=>', '"', "'", '/', '*', '/*', '*/', '(', ')', '{', '}', ';', 'é', '😀', '\ud800', '\u2028', '\v'];

function randomText(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

for (const kind of ['code', 'whitespace'] as const) {
  test(`DocumentIds (${kind}): after any sequence of edits, the ids of tokenizing the whole text`, () => {
    const tokenizer = createTokenizer(kind);
    const vocab = encoder();
    const doc = new DocumentIds(tokenizer, vocab);
    const r = mulberry32(kind === 'code' ? 1 : 2);
    let text = randomText(r, 200);
    for (let step = 0; step < 1500; step++) {
      // Replace a random span (often empty: an insertion; often a line break's neighbourhood).
      const at = Math.floor(r() * (text.length + 1));
      const end = Math.min(text.length, at + Math.floor(r() * 4) * (r() < 0.3 ? 10 : 1));
      const inserted = r() < 0.3 ? '' : randomText(r, 1 + Math.floor(r() * 3));
      text = text.slice(0, at) + inserted + text.slice(end);
      if (step % 300 === 299) text = r() < 0.5 ? '' : randomText(r, 50); // replaced outright
      const { ids } = doc.update(text);
      assert.deepEqual(Array.from(ids), tokenizer.tokenize(text).map((t) => vocab.id(t)), `step ${step}: ${JSON.stringify(text)}`);
    }
  });
}

test('DocumentIds: says whether the ids changed, and never mutates ids it returned', () => {
  const tokenizer = createTokenizer('code');
  const doc = new DocumentIds(tokenizer, encoder());
  assert.equal(new DocumentIds(tokenizer, encoder()).update('').changed, true, 'a first read is a change, even of an empty text');
  const first = doc.update('let a = 1;\nlet b = 2;\n');
  assert.equal(first.changed, true);
  const kept = Array.from(first.ids);
  assert.equal(doc.update('let a = 1;\nlet b = 2;\n').changed, false);
  const second = doc.update('let a = 1;\nlet c = 2;\n');
  assert.equal(second.changed, true);
  assert.notEqual(second.ids, first.ids);
  assert.deepEqual(Array.from(first.ids), kept);
});
