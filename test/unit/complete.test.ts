import { test } from 'node:test';
import assert from 'node:assert/strict';
import { complete, nextTokensAt } from '../../src/engine/decode/complete';
import { NgramModel, type NgramState } from '../../src/engine/ngram/ngram';
import { PrefixCache } from '../../src/engine/decode/prefixCache';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import type { LanguageModel, Tokenizer } from '../../src/engine/types';
import { Vocab } from '../../src/engine/text/vocab';

function setup(kind: 'whitespace' | 'code', corpus: string, order = 4) {
  const tokenizer = createTokenizer(kind);
  const tokens = tokenizer.tokenize(corpus);
  const vocab = Vocab.build(tokens);
  const model = NgramModel.build(vocab.encode(tokens), vocab.size, order);
  return { tokenizer, vocab, model };
}

const prose = 'the cat sat on the mat\nthe dog ran to the park\n'.repeat(20);
const code = 'function add(a, b) {\n  return a + b;\n}\n\nconst total = add(1, 2);\n'.repeat(20);

test('prose: the partial word is completed and the line ends the completion', async () => {
  const { tokenizer, vocab, model } = setup('whitespace', prose);
  const opts = { maxTokens: 20, multiline: false };
  assert.equal((await complete(model, tokenizer, vocab, 'the cat s', opts)).completion, 'at on the mat');
  assert.equal((await complete(model, tokenizer, vocab, 'the dog ', opts)).completion, 'ran to the park');
  assert.equal((await complete(model, tokenizer, vocab, 'the cat', opts)).completion, ' sat on the mat', 'a whole word then a space');
  assert.equal((await complete(model, tokenizer, vocab, 'the dog ran to the park', opts)).completion, '', 'the word is whole and the line is done');
  const multi = await complete(model, tokenizer, vocab, 'the dog ran to the p', { maxTokens: 6, multiline: true });
  assert.equal(multi.completion, 'ark\nthe cat sat on');
  assert.equal(multi.tokens, 6);
  const endsAtLine = await complete(model, tokenizer, vocab, 'the dog ran to the p', { maxTokens: 2, multiline: true });
  assert.equal(endsAtLine.completion, 'ark', 'a trailing line break is not inserted');
  assert.equal((await complete(model, tokenizer, vocab, 'the zebra x', opts)).completion, '', 'no known word continues "x"');
});

test('code: exact spacing, the line ends it, and an unopened bracket is not closed', async () => {
  const { tokenizer, vocab, model } = setup('code', code);
  const opts = { maxTokens: 20, multiline: false };
  assert.equal((await complete(model, tokenizer, vocab, 'function add(a, b) {\n  ret', opts)).completion, 'urn a + b;');
  assert.equal((await complete(model, tokenizer, vocab, 'const total = ', opts)).completion, 'add(1, 2);');
  assert.equal((await complete(model, tokenizer, vocab, 'function add(a', opts)).completion, ', b', 'stops before ")"');
  const multi = await complete(model, tokenizer, vocab, 'function add(a, b) {', { maxTokens: 8, multiline: true });
  // The block's "}" closes a bracket opened before the cursor: generation stops there, and
  // the trailing line break is dropped.
  assert.equal(multi.completion, '\n  return a + b;');
});

test('<unk> is never inserted even when it is the likeliest token', async () => {
  const { tokenizer, vocab, model } = setup('whitespace', 'say <unk> <unk> <unk> now\n'.repeat(10) + 'say hello now\n');
  const r = await complete(model, tokenizer, vocab, 'say ', { maxTokens: 5, multiline: false });
  assert.equal(r.completion, 'hello now');
});

class CountingModel<S> implements LanguageModel<S> {
  advances = 0;
  constructor(private readonly inner: LanguageModel<S>) {}
  get vocabSize() {
    return this.inner.vocabSize;
  }
  initialState(): S {
    return this.inner.initialState();
  }
  advance(s: S, id: number): S {
    this.advances++;
    return this.inner.advance(s, id);
  }
  logProbs(s: S): Float32Array {
    return this.inner.logProbs(s);
  }
}

test('with a prefix cache the next keystroke reads only the new token', async () => {
  const { tokenizer, vocab, model } = setup('whitespace', prose);
  const counted = new CountingModel(model);
  const cache = new PrefixCache<NgramState>();
  const text = 'the cat sat on the mat\nthe dog ran to the park\nthe cat sat';
  const first = await complete(counted, tokenizer, vocab, text + ' ', { maxTokens: 0, multiline: false, cache });
  assert.equal(first.completion, '');
  counted.advances = 0;
  await complete(counted, tokenizer, vocab, text + ' on ', { maxTokens: 0, multiline: false, cache });
  assert.equal(counted.advances, 1);
});

test('sampling and beam decoding give completions the model supports', async () => {
  const { tokenizer, vocab, model } = setup('whitespace', prose);
  const beam = await complete(model, tokenizer, vocab, 'the cat ', { maxTokens: 10, multiline: false, beamWidth: 3 });
  assert.equal(beam.completion, 'sat on the mat');
  const a = await complete(model, tokenizer, vocab, 'the ', { maxTokens: 10, multiline: false, temperature: 1, seed: 5 });
  const b = await complete(model, tokenizer, vocab, 'the ', { maxTokens: 10, multiline: false, temperature: 1, seed: 5 });
  assert.equal(a.completion, b.completion, 'a seed makes sampling reproducible');
  assert.ok(!a.completion.includes('\n'));
  assert.ok(prose.includes('the ' + a.completion.split(' ').slice(0, 3).join(' ')), a.completion);
});

test('an aborted completion rejects with AbortError', async () => {
  const { tokenizer, vocab, model } = setup('whitespace', prose);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(complete(model, tokenizer, vocab, 'the ', { maxTokens: 5, multiline: false, signal: controller.signal }), { name: 'AbortError' });
  const live = new AbortController();
  const r = await complete(model, tokenizer, vocab, 'the cat ', { maxTokens: 5, multiline: false, signal: live.signal });
  assert.equal(r.completion, 'sat on the mat');
});

test('nextTokensAt ranks tokens continuing the partial word, renormalised over them', () => {
  const { tokenizer, vocab, model } = setup('whitespace', prose + 'the cow sat\n');
  const after = nextTokensAt(model, tokenizer, vocab, 'the c', 3);
  assert.equal(after.partial, 'c');
  assert.deepEqual(after.tokens.map((t) => t.token), ['cat', 'cow']);
  assert.deepEqual(after.tokens.map((t) => t.insertText), ['at', 'ow']);
  assert.ok(Math.abs(after.tokens[0].p + after.tokens[1].p - 1) < 1e-5);
  assert.ok(after.tokens[0].p > after.tokens[1].p);
  const lineEnd = nextTokensAt(model, tokenizer, vocab, 'the cat sat on the mat', 2);
  assert.equal(lineEnd.tokens[0].token, 'mat');
  const start = nextTokensAt(model, tokenizer, vocab, 'the cat sat on the mat ', 1);
  assert.equal(start.tokens[0].token, '<eos>');
  assert.equal(start.tokens[0].insertText, '\n');
  assert.ok(start.tokens[0].p > 0.5 && start.tokens[0].p <= 1);
});

test('mismatched model and vocabulary fail clearly', async () => {
  const { tokenizer, vocab } = setup('whitespace', prose);
  const other = NgramModel.build([0, 1, 2], 3, 2);
  const tk: Tokenizer = tokenizer;
  await assert.rejects(complete(other, tk, vocab, 'the ', { maxTokens: 3, multiline: false }), /3 words but the vocabulary/);
});

test('the token prefix index finds exactly the tokens starting with a prefix', async () => {
  const { TokenPrefixIndex } = await import('../../src/engine/decode/tokenPrefixIndex');
  const words = ['<unk>', 'b', 'ab', 'a', 'abc', 'Ab', 'ä', 'a b', ''];
  const vocab = { size: words.length, unkId: 0, eosId: -1, word: (id: number) => words[id] };
  const index = TokenPrefixIndex.for(vocab);
  assert.equal(TokenPrefixIndex.for(vocab), index, 'one index per vocabulary');
  const sorted = (xs: Iterable<number>) => [...xs].sort((x, y) => x - y);
  assert.deepEqual(sorted(index.idsStartingWith('a')), [2, 3, 4, 7]);
  assert.deepEqual(sorted(index.idsStartingWith('ab')), [2, 4]);
  assert.deepEqual(sorted(index.idsStartingWith('abcd')), []);
  assert.deepEqual(sorted(index.idsStartingWith('')), words.map((_, i) => i));
  assert.deepEqual(sorted(index.setStartingWith('ä')), [6]);
  assert.equal(index.setStartingWith('ä'), index.setStartingWith('ä'), 'recent sets are reused');
});
