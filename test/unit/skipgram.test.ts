import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipgramWeights, trainSkipgram, trainSkipgramWithVocab, type SkipgramProgress } from '../../src/engine/embeddings/skipgram';
import { Vocab } from '../../src/engine/text/vocab';
import { cosine } from '../../src/engine/embeddings/wordsim';

// Two topics that never share a sentence: ids 1..8 and 9..16; id 0 ends each sentence.
const EOS = 0, V = 17;
function topicCorpus(sentences: number, seed = 7): Int32Array {
  const out: number[] = [];
  let r = seed;
  const next = () => { r = (Math.imul(r, 1103515245) + 12345) >>> 0; return r >>> 8; };
  for (let s = 0; s < sentences; s++) {
    const base = s % 2 === 0 ? 1 : 9;
    for (let k = 0; k < 6; k++) out.push(base + (next() % 8));
    out.push(EOS);
  }
  return Int32Array.from(out);
}
function countsOf(ids: Int32Array, v: number): number[] {
  const c = new Array<number>(v).fill(0);
  for (const id of ids) c[id]++;
  return c;
}
function row(m: Float32Array, id: number, dim: number): Float32Array { return m.subarray(id * dim, (id + 1) * dim); }
function meanCosine(m: Float32Array, dim: number, a: number[], b: number[]): number {
  let sum = 0, n = 0;
  for (const i of a) for (const j of b) if (i !== j) { sum += cosine(row(m, i, dim), row(m, j, dim)); n++; }
  return sum / n;
}
const topicA = [1, 2, 3, 4, 5, 6, 7, 8], topicB = [9, 10, 11, 12, 13, 14, 15, 16];

for (const plainJs of [false, true]) {
  test(`learns co-occurrence: words of one topic end up closer to each other than to the other topic (${plainJs ? 'plain JS' : 'SIMD'})`, async () => {
    const ids = topicCorpus(600);
    const r = await trainSkipgram(ids, V, countsOf(ids, V), { dim: 16, window: 3, negative: 5, epochs: 5, eosId: EOS, sample: 0, seed: 3, plainJs });
    assert.equal(r.implementation, plainJs ? 'js' : 'wasm-simd');
    assert.equal(r.embeddings.length, V * 16);
    const within = (meanCosine(r.embeddings, 16, topicA, topicA) + meanCosine(r.embeddings, 16, topicB, topicB)) / 2;
    const across = meanCosine(r.embeddings, 16, topicA, topicB);
    assert.ok(within > across + 0.3, `within ${within.toFixed(3)} vs across ${across.toFixed(3)}`);
    assert.equal(r.cancelled, false);
    assert.ok(Math.abs(r.epochs - 5) < 1e-9);
  });
}

test('two Hogwild threads on shared vectors learn the same structure; abort stops them', async () => {
  const ids = topicCorpus(600);
  const r = await trainSkipgram(ids, V, countsOf(ids, V), { dim: 16, window: 3, negative: 5, epochs: 5, eosId: EOS, sample: 0, seed: 3, threads: 2 });
  assert.equal(r.threads, 2);
  assert.ok(Math.abs(r.epochs - 5) < 1e-9, `epochs ${r.epochs}`);
  const within = meanCosine(r.embeddings, 16, topicA, topicA), across = meanCosine(r.embeddings, 16, topicA, topicB);
  assert.ok(within > across + 0.3, `within ${within.toFixed(3)} vs across ${across.toFixed(3)}`);
  const ac = new AbortController();
  const seen: SkipgramProgress[] = [];
  const big = topicCorpus(4000);
  const stopped = await trainSkipgram(big, V, countsOf(big, V), {
    dim: 8, epochs: 1000, eosId: EOS, threads: 2, signal: ac.signal, progressSeconds: 0.05,
    onProgress: (p) => { seen.push(p); if (p.epoch >= 2) ac.abort(); },
  });
  assert.equal(stopped.cancelled, true);
  assert.ok(stopped.epochs >= 1 && stopped.epochs < 1000 && seen.length > 0, `epochs ${stopped.epochs}`);
});

test('the SIMD kernels and the plain-JS loop compute the same training (same seed)', async () => {
  const ids = topicCorpus(40);
  const opts = { dim: 8, window: 2, negative: 3, epochs: 1, eosId: EOS, seed: 5 };
  const a = await trainSkipgram(ids, V, countsOf(ids, V), opts);
  const b = await trainSkipgram(ids, V, countsOf(ids, V), { ...opts, plainJs: true });
  let maxDiff = 0;
  for (let i = 0; i < a.embeddings.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.embeddings[i] - b.embeddings[i]));
  assert.ok(maxDiff < 1e-5, `max difference ${maxDiff}`); // only float summation order differs
});

test('seeded: same seed gives identical embeddings, another seed different ones', async () => {
  const ids = topicCorpus(50);
  const opts = { dim: 8, epochs: 1, eosId: EOS };
  const a = await trainSkipgram(ids, V, countsOf(ids, V), { ...opts, seed: 1 });
  const b = await trainSkipgram(ids, V, countsOf(ids, V), { ...opts, seed: 1 });
  const c = await trainSkipgram(ids, V, countsOf(ids, V), { ...opts, seed: 2 });
  assert.deepEqual(a.embeddings, b.embeddings);
  assert.notDeepEqual(a.embeddings, c.embeddings);
});

test('words under minCount and excluded ids are not trained (rows stay zero)', async () => {
  const ids = Int32Array.from([...topicCorpus(100), 16, 1, 2, 3, EOS]);
  const counts = countsOf(ids, V + 1); // id 17 never occurs
  counts[16] = 2; // pretend 16 is rare
  const r = await trainSkipgram(ids, V + 1, counts, { dim: 8, epochs: 1, eosId: EOS, minCount: 3, exclude: [5] });
  for (const id of [5, 16, 17]) assert.ok(row(r.embeddings, id, 8).every((x) => x === 0), `row ${id} is zero`);
  assert.ok(row(r.embeddings, 1, 8).some((x) => x !== 0));
});

test('progress: epochs advance, fraction reaches 1, loss is reported and falls', async () => {
  const ids = topicCorpus(2000);
  const seen: SkipgramProgress[] = [];
  await trainSkipgram(ids, V, countsOf(ids, V), { dim: 16, epochs: 3, eosId: EOS, progressSeconds: 0, onProgress: (p) => seen.push(p) });
  assert.ok(seen.length >= 3);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].epoch >= seen[i - 1].epoch && seen[i].fraction >= seen[i - 1].fraction);
    assert.ok(seen[i].wordsPerSecond > 0);
  }
  const last = seen[seen.length - 1];
  assert.equal(last.epoch, 3);
  assert.equal(last.fraction, 1);
  const first = seen.find((p) => p.loss !== undefined)!;
  assert.ok(last.loss! < first.loss!, `loss ${first.loss} -> ${last.loss}`);
});

test('an AbortSignal stops training early and returns the embeddings so far', async () => {
  const ids = topicCorpus(2000);
  const ac = new AbortController();
  const r = await trainSkipgram(ids, V, countsOf(ids, V), {
    dim: 8, epochs: 1000, eosId: EOS, progressSeconds: 0, signal: ac.signal,
    onProgress: (p) => { if (p.epoch >= 2) ac.abort(); },
  });
  assert.equal(r.cancelled, true);
  // The abort may be seen right at the start of epoch 2, i.e. after exactly 1 epoch.
  assert.ok(r.epochs >= 1 && r.epochs < 1000, `epochs ${r.epochs}`);
  assert.ok(r.embeddings.some((x) => x !== 0));
});

test('a wall-clock budget ends training (with unlimited epochs) and the fraction reports it', async () => {
  const ids = topicCorpus(2000);
  let last: SkipgramProgress | undefined;
  const r = await trainSkipgram(ids, V, countsOf(ids, V), { dim: 8, minutes: 0.5 / 60, eosId: EOS, onProgress: (p) => { last = p; } });
  assert.equal(r.cancelled, false);
  assert.ok(r.seconds >= 0.5 && Number.isFinite(r.epochs) && r.epochs > 0);
  assert.equal(last!.fraction, 1);
});

test('given epochs and a roomier budget, training stops after the epochs (the budget is only a cap)', async () => {
  const ids = topicCorpus(2000);
  let last: SkipgramProgress | undefined;
  const r = await trainSkipgram(ids, V, countsOf(ids, V), { dim: 8, epochs: 2, minutes: 1, eosId: EOS, onProgress: (p) => { last = p; } });
  assert.equal(r.epochs, 2);
  assert.ok(r.seconds < 30, `seconds ${r.seconds}`);
  assert.equal(last!.fraction, 1);
});

test('input vectors start uniform in [-1/dim, 1/dim), as gensim 4 initialises them', async () => {
  // Id 3 is counted (so it gets a vector) but never occurs, so its input row is never updated.
  const dim = 64;
  const ids = topicCorpus(50).filter((id) => id !== 3);
  const counts = countsOf(ids, V);
  counts[3] = 10;
  const r = await trainSkipgram(ids, V, counts, { dim, epochs: 1, eosId: EOS });
  const init = row(r.embeddings, 3, dim);
  assert.ok(init.every((x) => x >= -1 / dim && x < 1 / dim));
  // word2vec.c's narrower ±0.5/dim would leave every value inside half the range.
  assert.ok(init.some((x) => Math.abs(x) > 0.5 / dim));
  assert.ok(init.some((x) => x < 0) && init.some((x) => x > 0));
});

test('sentence boundaries can be given as end offsets instead of an eos id', async () => {
  // Without boundaries the two topics touch at every sentence edge; with them they never do.
  const ids = topicCorpus(600).filter((id) => id !== EOS);
  const ends = Int32Array.from({ length: 600 }, (_, i) => (i + 1) * 6);
  const r = await trainSkipgram(ids, V, countsOf(ids, V), { dim: 16, window: 3, epochs: 5, sentenceEnds: ends, sample: 0 });
  // Measured: across-topic cosine 0.12 with the boundaries, 0.39 when they are ignored.
  const across = meanCosine(r.embeddings, 16, topicA, topicB);
  assert.ok(meanCosine(r.embeddings, 16, topicA, topicA) > 0.9 && across < 0.25, `across ${across}`);
  await assert.rejects(trainSkipgram(ids, V, countsOf(ids, V), { sentenceEnds: Int32Array.from([10, 5]) }), /sentenceEnds must ascend/);
});

test('trainSkipgramWithVocab drops <unk> and splits at <eos>', async () => {
  const tokens: string[] = [];
  for (let s = 0; s < 300; s++) tokens.push(...(s % 2 ? ['a', 'b', 'c', 'rare' + s] : ['x', 'y', 'z', 'rare' + s]), '<eos>');
  const vocab = Vocab.build(tokens, { minCount: 2 });
  const r = await trainSkipgramWithVocab(vocab.encode(tokens), vocab, { dim: 8, epochs: 2 });
  assert.equal(r.vocabSize, vocab.size);
  assert.ok(row(r.embeddings, vocab.unkId, 8).every((x) => x === 0), '<unk> is not trained');
  assert.ok(row(r.embeddings, vocab.id('a'), 8).some((x) => x !== 0));
});

test('bad input gets a clear error', async () => {
  const ids = Int32Array.from([0, 1, 5]);
  await assert.rejects(trainSkipgram(ids, 3, [1, 1, 1]), /token id 5 at position 2 is outside the vocabulary \(size 3\)/);
  await assert.rejects(trainSkipgram(ids.subarray(0, 2), 3, [1, 1]), /counts has 2 entries for a vocabulary of 3/);
  await assert.rejects(trainSkipgram(ids.subarray(0, 2), 3, [1, 1, 0], { dim: 0 }), /dim must be a positive integer/);
  await assert.rejects(trainSkipgram(ids.subarray(0, 2), 3, [1, 1, 0], { minCount: 5 }), /no word occurs at least minCount=5 times/);
});

test('skipgramWeights: one [V, D] weight named like a TF.js Embedding layer', () => {
  const w = skipgramWeights({ embeddings: new Float32Array(12), dim: 4, vocabSize: 3 });
  assert.deepEqual(w.map((x) => [x.name, x.shape]), [['embedding/embeddings', [3, 4]]]);
});
