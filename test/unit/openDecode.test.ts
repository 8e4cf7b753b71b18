import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NgramModel } from '../../src/engine/ngram/ngram';
import { CacheMixture } from '../../src/engine/decode/cacheMixture';
import { openGreedy } from '../../src/engine/decode/openDecode';
import { probsOf } from '../../src/engine/decode/interpolate';
import { StopRules } from '../../src/engine/decode/generate';
import { advanceRange } from '../../src/engine/decode/advanceRange';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import { Vocab } from '../../src/engine/text/vocab';
import { mulberry32 } from '../../src/engine/prng';

const tokenizer = createTokenizer('code');

/** Code with identifiers the training never saw (so cached strings compete with the model's words). */
function codeFile(rnd: () => number, names: string[]): string {
  const pick = () => names[Math.floor(rnd() * names.length)];
  const lines: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = rnd();
    if (r < 0.3) lines.push(`function ${pick()}(${pick()}) {`, `  return ${pick()}.get(${pick()}) + ${pick()};`, '}');
    else if (r < 0.6) lines.push(`if (${pick()} > ${pick()}) ${pick()} = ${pick()} + 1;`);
    else lines.push(`${pick()}.push(${pick()});`);
  }
  return lines.join('\n') + '\n';
}

test('openGreedy: past the first token, every word it picks has the largest mixture score of all candidates', () => {
  const rnd = mulberry32(5);
  const common = ['value', 'count', 'result', 'item', 'index'];
  const local = Array.from({ length: 40 }, (_, i) => `name${i}X`);
  const train = Array.from({ length: 20 }, () => tokenizer.tokenize(codeFile(rnd, common))).flat();
  const vocab = Vocab.build(train);
  const model = NgramModel.build(vocab.encode(train), vocab.size, 4);
  const weights = [[0.2, 0, 0.8], [0.6, 0.2, 0.2], [0.5, 0.3, 0.2], [0.4, 0.4, 0.2], [0.3, 0.6, 0.1]] as const;
  const mixture = CacheMixture.create(weights, 4);
  for (let f = 0; f < 5; f++) mixture.recent.addSegment(tokenizer.tokenize(codeFile(rnd, [...common, ...local.slice(f * 8, f * 8 + 12)])));
  const idOf = (w: string) => (vocab.id(w) === vocab.unkId ? -1 : vocab.id(w));
  let checked = 0;
  let cacheWins = 0;
  for (let trial = 0; trial < 60; trial++) {
    const doc = tokenizer.tokenize(codeFile(rnd, [...common, ...local.slice(trial % 30, (trial % 30) + 6)]));
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
