import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StopRules,
  beamSearch,
  distributionFromLogProbs,
  generate,
  generateTokens,
  sample,
  seededRandom,
  topIndices,
  argmax,
  type VocabLike,
} from '../../src/engine/decode/generate';
import type { LanguageModel } from '../../src/engine/types';

const words = ['<unk>', '<eos>', 'a', 'b', '(', ')', 'c', '\n  ', 'd'];
const [UNK, EOS, A, B, OPEN, CLOSE, C, NL, D] = words.map((_, i) => i);
const vocab: VocabLike = { size: words.length, unkId: UNK, eosId: EOS, word: (id) => words[id] };

/** A bigram model from a table: row = previous id (or 'start'), probabilities by id. */
class TableModel implements LanguageModel<number> {
  readonly vocabSize = words.length;
  advances = 0;
  constructor(private readonly table: Record<string, Record<number, number>>) {}
  initialState(): number {
    return -1;
  }
  advance(_s: number, id: number): number {
    this.advances++;
    return id;
  }
  logProbs(s: number): Float32Array {
    const row = this.table[s < 0 ? 'start' : String(s)] ?? {};
    const out = new Float32Array(this.vocabSize).fill(Math.log(1e-9));
    for (const [id, p] of Object.entries(row)) out[Number(id)] = Math.log(p);
    return out;
  }
}

const lp = (ps: number[]) => Float32Array.from(ps, Math.log);

test('temperature, top-k, top-p, exclusions and greedy shape the distribution', () => {
  const q = [0.5, 0.25, 0.15, 0.1];
  const plain = distributionFromLogProbs(lp(q));
  assert.deepEqual(plain.map((t) => t.id), [0, 1, 2, 3]);
  plain.forEach((t, i) => assert.ok(Math.abs(t.p - q[i]) < 1e-6));
  // T = 0.5 squares the probabilities before renormalising.
  const z = q.reduce((s, x) => s + x * x, 0);
  distributionFromLogProbs(lp(q), { temperature: 0.5 }).forEach((t) => assert.ok(Math.abs(t.p - (q[t.id] * q[t.id]) / z) < 1e-6));
  const k2 = distributionFromLogProbs(lp(q), { topK: 2 });
  assert.deepEqual(k2.map((t) => t.id), [0, 1]);
  assert.ok(Math.abs(k2[0].p - 2 / 3) < 1e-6);
  assert.deepEqual(distributionFromLogProbs(lp(q), { topP: 0.7 }).map((t) => t.id), [0, 1], 'smallest set reaching 0.7');
  assert.deepEqual(distributionFromLogProbs(lp(q), { topP: 0.75 }).map((t) => t.id), [0, 1]);
  assert.deepEqual(distributionFromLogProbs(lp(q), { topP: 0.76 }).map((t) => t.id), [0, 1, 2]);
  const ex = distributionFromLogProbs(lp(q), { exclude: new Set([0]) });
  assert.equal(ex[0].id, 1);
  assert.ok(Math.abs(ex[0].p - 0.5) < 1e-6);
  assert.deepEqual(distributionFromLogProbs(lp(q), { temperature: 0, exclude: new Set([0]) }), [{ id: 1, p: 1 }]);
  assert.deepEqual(distributionFromLogProbs(lp(q), { allow: new Set([2, 3]) }).map((t) => t.id), [2, 3]);
  assert.deepEqual(distributionFromLogProbs(lp(q), { allow: new Set([0]), exclude: new Set([0]) }), []);
  assert.throws(() => distributionFromLogProbs(lp(q), { topP: 0 }), /topP/);
});

test('topIndices and argmax pick the largest allowed finite values', () => {
  const values = Float32Array.from([0.1, -Infinity, 0.9, NaN, 0.5, 0.9, 0.3]);
  assert.deepEqual(topIndices(values, 3), [2, 5, 4], 'ties by lower id');
  assert.deepEqual(topIndices(values, 10), [2, 5, 4, 6, 0]);
  assert.deepEqual(topIndices(values, 2, { exclude: new Set([2]) }), [5, 4]);
  assert.deepEqual(topIndices(values, 0), []);
  assert.equal(argmax(values), 2);
  assert.equal(argmax(values, { exclude: new Set([2, 5]) }), 4);
  assert.equal(argmax(values, { allow: new Set([1, 3]) }), -1);
});

test('seeded sampling is reproducible and follows the distribution', () => {
  const r1 = seededRandom(42);
  const r2 = seededRandom(42);
  const xs = Array.from({ length: 5 }, r1);
  assert.deepEqual(xs, Array.from({ length: 5 }, r2));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, seededRandom(43)));
  const dist = [{ id: 7, p: 0.7 }, { id: 3, p: 0.3 }];
  const rng = seededRandom(1);
  let sevens = 0;
  for (let i = 0; i < 5000; i++) if (sample(dist, rng).id === 7) sevens++;
  assert.ok(Math.abs(sevens / 5000 - 0.7) < 0.03, `${sevens}`);
});

test('greedy decoding stops at the end of the line and never emits <unk>', () => {
  // <unk> is the most probable token everywhere; the line ends after "a b".
  const m = new TableModel({ start: { [UNK]: 0.6, [A]: 0.4 }, [A]: { [UNK]: 0.5, [B]: 0.3, [C]: 0.2 }, [B]: { [EOS]: 0.9, [D]: 0.1 } });
  const single = generateTokens(m, m.initialState(), { maxTokens: 10, temperature: 0, stop: new StopRules(vocab, false) });
  assert.deepEqual(single.map((t) => t.id), [A, B]);
  const multi = generateTokens(m, m.initialState(), { maxTokens: 4, temperature: 0, stop: new StopRules(vocab, true) });
  // Multi-line keeps the line break; after it every token is equally likely and the lowest
  // id that is not <unk> wins.
  assert.deepEqual(multi.map((t) => t.id), [A, B, EOS, EOS]);
  // A code newline token ends a single-line completion too.
  const code = new TableModel({ start: { [A]: 1 }, [A]: { [NL]: 0.9, [B]: 0.1 } });
  assert.deepEqual(generateTokens(code, -1, { maxTokens: 5, temperature: 0, stop: new StopRules(vocab, false) }).map((t) => t.id), [A]);
});

test('a closing bracket stops only when it closes more than was generated', () => {
  const m = new TableModel({ start: { [OPEN]: 1 }, [OPEN]: { [A]: 1 }, [A]: { [CLOSE]: 1 }, [CLOSE]: { [CLOSE]: 0.9, [B]: 0.1 } });
  const out = generateTokens(m, -1, { maxTokens: 10, temperature: 0, stop: new StopRules(vocab, false) });
  assert.deepEqual(out.map((t) => t.id), [OPEN, A, CLOSE], 'the second ")" would close an outer bracket');
  const fromA = generateTokens(m, A, { maxTokens: 10, temperature: 0, stop: new StopRules(vocab, false) });
  assert.deepEqual(fromA, []);
  assert.equal(generateTokens(m, -1, { maxTokens: 2, temperature: 0 }).length, 2, 'maxTokens bounds the output');
});

test('the first token can be restricted and judged only by its untyped rest', () => {
  const m = new TableModel({ start: { [A]: 0.7, [NL]: 0.3 }, [NL]: { [B]: 1 }, [A]: { [C]: 1 } });
  // Typed "\n  " already (a newline with indent): the first token is the newline itself,
  // whose remaining text is empty, so single-line decoding goes on.
  const stop = new StopRules(vocab, false, 3);
  const out = generateTokens(m, -1, { maxTokens: 2, temperature: 0, stop, firstAllow: new Set([NL]) });
  assert.deepEqual(out.map((t) => t.id), [NL, B]);
});

test('beam search finds the likelier sequence that greedy misses', () => {
  // Greedy takes "a" (0.6) then 0.4 at best; "b" (0.4) leads to a certain "c": 0.4 > 0.24.
  const m = new TableModel({
    start: { [A]: 0.6, [B]: 0.4 },
    [A]: { [C]: 0.4, [D]: 0.3, [OPEN]: 0.3 },
    [B]: { [C]: 1 },
    [C]: { [EOS]: 1 },
    [D]: { [EOS]: 1 },
    [OPEN]: { [EOS]: 1 },
  });
  const stop = new StopRules(vocab, false);
  assert.deepEqual(generateTokens(m, -1, { maxTokens: 5, temperature: 0, stop }).map((t) => t.id), [A, C]);
  const beams = beamSearch(m, -1, { beamWidth: 3, maxTokens: 5, stop });
  assert.deepEqual(beams[0].ids, [B, C]);
  assert.equal(beams[0].end, 'stop');
  assert.ok(Math.abs(beams[0].logProb - Math.log(0.4)) < 1e-5);
  assert.deepEqual(beamSearch(m, -1, { beamWidth: 1, maxTokens: 5, stop })[0].ids, [A, C]);
  const short = beamSearch(m, -1, { beamWidth: 2, maxTokens: 1, stop, firstAllow: new Set([A]) });
  assert.deepEqual(short[0], { ids: [A], logProb: short[0].logProb, end: 'max' });
});

test('generate streams tokens one at a time and honours an abort signal', async () => {
  const m = new TableModel({ start: { [A]: 1 }, [A]: { [B]: 1 }, [B]: { [A]: 1 } });
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const t of generate(m, -1, { maxTokens: 100, seed: 3, signal: controller.signal })) {
      seen.push(t.id);
      assert.equal(m.advances, seen.length, 'each token is produced on demand');
      if (seen.length === 3) controller.abort();
    }
  }, { name: 'AbortError' });
  assert.deepEqual(seen, [A, B, A]);
});
