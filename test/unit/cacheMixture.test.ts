import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheNgram } from '../../src/engine/ngram/cacheNgram';
import { NgramModel } from '../../src/engine/ngram/ngram';
import { CacheMixture } from '../../src/engine/decode/cacheMixture';
import { collectCacheSamples, componentPerplexity, fitCacheWeights, mixturePerplexity } from '../../src/engine/decode/cacheFit';
import { complete } from '../../src/engine/decode/complete';
import { openGreedy } from '../../src/engine/decode/openDecode';
import { probsOf } from '../../src/engine/decode/interpolate';
import { StopRules } from '../../src/engine/decode/generate';
import { advanceRange } from '../../src/engine/decode/advanceRange';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import { Vocab } from '../../src/engine/text/vocab';
import { mulberry32 } from '../../src/engine/prng';

const tokenizer = createTokenizer('code');

/** A made-up identifier, unique per (seed, i): what a file defines for itself. */
function name(rnd: () => number): string {
  const syl = ['fro', 'bni', 'ca', 'te', 'wid', 'get', 'zor', 'qua', 'lix', 'mon', 'dra', 'vel'];
  let s = '';
  for (let i = 0; i < 3; i++) s += syl[Math.floor(rnd() * syl.length)];
  return s + 'X' + Math.floor(rnd() * 1e6);
}

/** A code file: shared structure, and either its own identifiers used again and again or only common ones. */
function codeFile(rnd: () => number, local: boolean): string {
  const common = ['value', 'count', 'result', 'item', 'index'];
  const ids = local ? [name(rnd), name(rnd), name(rnd)] : common;
  const pick = () => ids[Math.floor(rnd() * ids.length)];
  const lines = [`const ${pick()} = load(${pick()});`];
  for (let i = 0; i < 12; i++) {
    const r = rnd();
    if (r < 0.3) lines.push(`function ${pick()}(${pick()}) {`, `  return ${pick()}.get(${pick()}) + ${pick()};`, '}');
    else if (r < 0.6) lines.push(`if (${pick()} > ${pick()}) ${pick()} = ${pick()} + 1;`);
    else lines.push(`${pick()}.push(${pick()});`);
  }
  return lines.join('\n') + '\n';
}

function setup(seed: number) {
  const rnd = mulberry32(seed);
  const train = Array.from({ length: 30 }, (_, i) => codeFile(rnd, i % 2 === 0));
  const tokens = train.map((t) => tokenizer.tokenize(t));
  const vocab = Vocab.build(tokens.flat());
  const model = NgramModel.build(vocab.encode(tokens.flat()), vocab.size, 4);
  const heldOut = (n: number, local: boolean) => Array.from({ length: n }, () => tokenizer.tokenize(codeFile(rnd, local)));
  return { vocab, model, heldOut };
}

test('the cache predicts an identifier outside the vocabulary, and reading a document again recounts only the change', () => {
  const cache = new CacheNgram(3);
  const doc = tokenizer.tokenize('const frobnicateWidget = 1;\nfrobnicateWidget.push(2);\n');
  cache.setDocument(doc);
  const history = tokenizer.tokenize('\nfrobnicateWidget');
  assert.ok(cache.prob(history.slice(0, 1), 'frobnicateWidget') > 0.1);
  assert.ok(cache.prob(history, '.') > 0.3, 'after the identifier comes "."');
  const dist = cache.distribution(history);
  assert.ok(Math.abs([...dist.values()].reduce((a, b) => a + b, 0) - 1) < 1e-12, 'a distribution over the cached strings');
  for (const [w, p] of dist) assert.ok(Math.abs(cache.prob(history, w) - p) < 1e-12, w);
  // An edit in the middle, then back: the same counts as reading from scratch.
  cache.setDocument([...doc.slice(0, 4), 'other', ...doc.slice(5)]);
  const fresh = new CacheNgram(3);
  fresh.setDocument([...doc.slice(0, 4), 'other', ...doc.slice(5)]);
  assert.deepEqual([...cache.distribution(history)].sort(), [...fresh.distribution(history)].sort());
  assert.equal(cache.prob(['zzz'], 'nothere'), 0);
});

test('fitted weights: they follow the data, and the mixture beats each component on held-out perplexity', () => {
  const { vocab, model, heldOut } = setup(1);
  const order = 4;
  const buckets = CacheMixture.buckets(order);
  const localFit = collectCacheSamples(model, vocab, heldOut(12, true), { order });
  const commonFit = collectCacheSamples(model, vocab, heldOut(12, false), { order });
  const wLocal = fitCacheWeights(localFit, buckets);
  const wCommon = fitCacheWeights(commonFit, buckets);
  for (const w of [...wLocal, ...wCommon]) assert.ok(Math.abs(w[0] + w[1] + w[2] - 1) < 1e-9 && w.every((x) => x >= 0), `weights ${w}`);
  // Files with their own identifiers lean on the document cache more than files of common words.
  const docShare = (ws: typeof wLocal) => ws.reduce((s, w) => s + w[1], 0) / ws.length;
  assert.ok(docShare(wLocal) > docShare(wCommon) + 0.05, `document weight ${docShare(wLocal)} vs ${docShare(wCommon)}`);

  const test = collectCacheSamples(model, vocab, heldOut(8, true), { order });
  const mixed = mixturePerplexity(test, wLocal);
  for (const k of [0, 1, 2] as const) assert.ok(mixed < componentPerplexity(test, k), `mixture ${mixed} vs component ${k}: ${componentPerplexity(test, k)}`);
  assert.ok(mixed < 0.8 * componentPerplexity(test, 0), `the cache helps: ${mixed} vs ${componentPerplexity(test, 0)}`);
  assert.ok(mixed <= mixturePerplexity(test, new Array(buckets).fill([1 / 3, 1 / 3, 1 / 3])), 'fitted beats equal weights');
});

test('complete() offers "nicateWidget" for "frob" after "const frobnicateWidget = 1;" in the document', async () => {
  const { vocab, model, heldOut } = setup(2);
  assert.equal(vocab.id('frobnicateWidget'), vocab.unkId, 'the identifier is outside the vocabulary');
  const weights = fitCacheWeights(collectCacheSamples(model, vocab, heldOut(10, true)), CacheMixture.buckets(4));
  const text = 'const frobnicateWidget = 1;\nif (value > 1) value = value + 1;\nfrob';
  const opts = { maxTokens: 8, multiline: false };
  assert.equal((await complete(model, tokenizer, vocab, text, opts)).completion, '', 'the static model cannot');
  const cacheMixture = CacheMixture.create(weights);
  const r = await complete(model, tokenizer, vocab, text, { ...opts, cacheMixture });
  assert.ok(r.completion.startsWith('nicateWidget'), `got ${JSON.stringify(r.completion)}`);
  // Later in the line the model's words and the cache's continue together.
  const after = await complete(model, tokenizer, vocab, 'const frobnicateWidget = 1;\nfrobnicateWidget.pu', { ...opts, cacheMixture });
  assert.ok(after.completion.startsWith('sh'), `got ${JSON.stringify(after.completion)}`);
});

test('openGreedy: past the first token, every word it picks has the largest mixture score of all candidates', () => {
  const { vocab, model } = setup(5);
  const rnd = mulberry32(6);
  const weights = [[0.2, 0, 0.8], [0.6, 0.2, 0.2], [0.5, 0.3, 0.2], [0.4, 0.4, 0.2], [0.3, 0.6, 0.1]] as const;
  const mixture = CacheMixture.create(weights, 4);
  for (let f = 0; f < 5; f++) mixture.recent.addSegment(tokenizer.tokenize(codeFile(rnd, f % 2 === 0)));
  const idOf = (w: string) => (vocab.id(w) === vocab.unkId ? -1 : vocab.id(w));
  let checked = 0;
  let cacheWins = 0;
  for (let trial = 0; trial < 60; trial++) {
    const doc = tokenizer.tokenize(codeFile(rnd, trial % 2 === 0));
    const history = doc.slice(0, 5 + Math.floor(rnd() * (doc.length - 5)));
    mixture.document.setDocument(history);
    const start = advanceRange(model, model.initialState(), vocab.encode(history), 0, history.length);
    const words = openGreedy(model, start, history, mixture, vocab, { maxTokens: 6, stop: new StopRules(vocab, true, 0), partial: '', minProb: 0 });
    // Replay: at each step, the picked word against every id and every cached string.
    let state = start;
    const h = history.slice(-mixture.document.order);
    for (const word of words) {
      const pm = probsOf(model, state).p;
      const [wm, wd, wr] = mixture.weightsAt(h);
      const pd = mixture.document.distribution(h);
      const pr = mixture.recent.distribution(h);
      const score = (w: string) => wm * (idOf(w) >= 0 ? pm[idOf(w)] : 0) + wd * (pd.get(w) ?? 0) + wr * (pr.get(w) ?? 0);
      let top = -Infinity;
      for (let id = 0; id < vocab.size; id++) if (id !== vocab.unkId) top = Math.max(top, score(vocab.word(id)));
      for (const w of [...pd.keys(), ...pr.keys()]) top = Math.max(top, score(w));
      assert.equal(score(word), top, `trial ${trial}: ${JSON.stringify(word)} after ${JSON.stringify(h)}`);
      checked++;
      if (idOf(word) < 0) cacheWins++;
      h.push(word);
      if (h.length > mixture.document.order) h.shift();
      state = model.advance(state, idOf(word) >= 0 ? idOf(word) : vocab.unkId);
    }
  }
  assert.ok(checked > 100, `only ${checked} steps checked`);
  assert.ok(cacheWins > 10, `a cached string outside the vocabulary won only ${cacheWins} times`);
});
