import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatFiles, LiveNgramModel, type LiveFile } from '../../src/engine/ngram/liveNgram';
import { buildNgramInWorker } from '../../src/engine/ngram/ngramBuildWorker';
import { LiveNgramView } from '../../src/engine/ngram/liveView';
import { NgramModel, type NgramState } from '../../src/engine/ngram/ngram';
import type { LanguageModel } from '../../src/engine/types';
import { mulberry32 } from '../../src/engine/prng';
import { complete } from '../../src/engine/decode/complete';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import { Vocab } from '../../src/engine/text/vocab';
import { naiveKn, randomCorpus } from './naiveKn';

const V = 12;

function readState<S>(m: LanguageModel<S>, ids: number[]): S {
  return ids.reduce((s, id) => m.advance(s, id), m.initialState());
}

/** Histories worth probing: every prefix end of the corpus (seen contexts) and random ones. */
function probes(tokens: Int32Array, order: number, rnd: () => number): number[][] {
  const out: number[][] = [[]];
  for (let i = 0; i < tokens.length; i += 3) out.push(Array.from(tokens.subarray(Math.max(0, i - order + 1), i + 1)));
  for (let i = 0; i < 20; i++) out.push(Array.from({ length: order - 1 }, () => Math.floor(rnd() * V)));
  return out;
}

/** Every probability of `live` against `ref` (logProb and the dense probs/logProbs) at the probes. */
function assertSameModel(live: LiveNgramModel, ref: (h: number[], w: number) => number, rnd: () => number, what: string): void {
  for (const h of probes(live.tokens(), live.order, rnd)) {
    const s = readState(live, h);
    const dense = live.probs(s).p;
    const logs = live.logProbs(s);
    const ctx = [...new Array<number>(live.order - 1).fill(-1), ...h].slice(h.length);
    for (let w = 0; w < V; w++) {
      const expected = ref(ctx, w);
      assert.ok(Math.abs(Math.exp(live.logProb(s, w)) - expected) < 1e-9, `${what}: logProb after [${h}] of ${w}: ${Math.exp(live.logProb(s, w))} vs ${expected}`);
      assert.ok(Math.abs(dense[w] - expected) < 1e-9, `${what}: probs after [${h}] of ${w}`);
      assert.ok(Math.abs(Math.exp(logs[w]) - expected) < 1e-6 * expected, `${what}: logProbs after [${h}] of ${w}`);
    }
  }
}

/** A fresh NgramModel over the same tokens, as a (history, word) -> probability function. */
function rebuilt(live: LiveNgramModel): (ctx: number[], w: number) => number {
  const m = NgramModel.build(live.tokens(), V, live.order);
  return (ctx, w) => Math.exp(m.logProb(readState(m, ctx.filter((t) => t >= 0)) as NgramState, w));
}

/** Random edits of the kinds an editor makes: a changed slice, an insertion, a deletion, a new or removed file. */
function randomEdit(live: LiveNgramModel, rnd: () => number, step: number): void {
  const ids = live.fileIds();
  const r = rnd();
  if (r < 0.08 && ids.length > 2) {
    live.remove(ids[Math.floor(rnd() * ids.length)]);
    return;
  }
  if (r < 0.16) {
    live.update(`new${step}`, randomCorpus(Math.floor(rnd() * 30), V, step + 1));
    return;
  }
  const id = ids[Math.floor(rnd() * ids.length)];
  const file = fileIds(live, id);
  const a = Math.floor(rnd() * (file.length + 1));
  const b = Math.min(file.length, a + Math.floor(rnd() * 6));
  const insert = Array.from({ length: Math.floor(rnd() * 6) }, () => Math.floor(rnd() * V));
  live.update(id, [...file.slice(0, a), ...insert, ...file.slice(b)]);
}

/** A file's current ids, read back through tokens() by removing it from a copy. */
function fileIds(live: LiveNgramModel, id: string): number[] {
  return currentFiles.get(live)!.get(id) ?? [];
}
const currentFiles = new WeakMap<LiveNgramModel, Map<string, number[]>>();

/** Wraps update/remove so the test knows each file's ids (the model does not hand them out). */
function tracked(files: LiveFile[], order: number, discounts: 'live' | 'fixed'): LiveNgramModel {
  const live = LiveNgramModel.fromFiles(files, V, order, { discounts });
  const map = new Map(files.map((f) => [f.id, Array.from(f.ids)]));
  currentFiles.set(live, map);
  const update = live.update.bind(live);
  const remove = live.remove.bind(live);
  live.update = (id, ids) => (map.set(id, Array.from(ids)), update(id, ids));
  live.remove = (id) => (map.delete(id), remove(id));
  return live;
}

function startFiles(seed: number): LiveFile[] {
  return [0, 1, 2, 3].map((i) => ({ id: `f${i}`, ids: randomCorpus(i === 2 ? 2 : 40 + 20 * i, V, seed + i) }));
}

test('after random edits the live model equals a fresh build over the edited files (live discounts)', () => {
  for (const order of [2, 3, 5]) {
    const rnd = mulberry32(order);
    const live = tracked(startFiles(10 * order), order, 'live');
    assertSameModel(live, rebuilt(live), rnd, `order ${order} at start`);
    for (let step = 0; step < 40; step++) {
      randomEdit(live, rnd, step);
      if (step % 4 === 3) assertSameModel(live, rebuilt(live), rnd, `order ${order} after edit ${step}`);
    }
    assertSameModel(live, rebuilt(live), rnd, `order ${order} at the end`);
    assertSameModel(live.compacted(), rebuilt(live), rnd, `order ${order} compacted`);
  }
});

test('with the discounts held fixed it equals the estimator over the edited files with the base discounts', () => {
  const order = 4;
  const rnd = mulberry32(5);
  const files = startFiles(3);
  const base = NgramModel.build(LiveNgramModel.fromFiles(files, V, order).tokens(), V, order);
  const discounts = [[0, 0, 0], ...base.tables().map((L) => [...L.discount])];
  const live = tracked(files, order, 'fixed');
  for (let step = 0; step < 30; step++) randomEdit(live, rnd, step);
  const fresh = naiveKn(Array.from(live.tokens()), V, order);
  const fixed = naiveKn(Array.from(live.tokens()), V, order, discounts);
  assertSameModel(live, fixed, rnd, 'fixed discounts');
  // The edits did move the discounts: a fresh build differs somewhere.
  const h = Array.from(live.tokens().subarray(0, order - 1));
  const s = readState(live, h);
  const ctx = [...new Array<number>(order - 1).fill(-1), ...h].slice(h.length);
  assert.ok([...Array(V).keys()].some((w) => Math.abs(Math.exp(live.logProb(s, w)) - fresh(ctx, w)) > 1e-6));
});

test('removing a change and adding the old ids back gives bit-identical probabilities', () => {
  const order = 5;
  const files = startFiles(21);
  const live = LiveNgramModel.fromFiles(files, V, order);
  const rnd = mulberry32(8);
  const before = probes(live.tokens(), order, rnd).map((h) => {
    const s = readState(live, h);
    return [...Array(V).keys()].map((w) => live.logProb(s, w));
  });
  const overlay0 = live.overlaySize();
  live.update('f1', randomCorpus(70, V, 999));
  live.update('f9', randomCorpus(30, V, 1000));
  assert.ok(live.overlaySize() > overlay0);
  live.remove('f9');
  live.update('f1', files[1].ids);
  const rnd2 = mulberry32(8);
  probes(live.tokens(), order, rnd2).forEach((h, i) => {
    const s = readState(live, h);
    for (let w = 0; w < V; w++) assert.equal(live.logProb(s, w), before[i][w], `after [${h}] of ${w}`);
  });
  assert.deepEqual(live.fileIds(), ['f0', 'f1', 'f2', 'f3']);
});

test('a file boundary: the next file\'s first n-grams see the edited file\'s last tokens', () => {
  const live = LiveNgramModel.fromFiles(
    [
      { id: 'a', ids: [1, 2, 3] },
      { id: 'b', ids: [4, 5, 6] },
    ],
    V,
    3,
  );
  const p = (h: number[], w: number) => Math.exp(live.logProb(readState(live, h), w));
  assert.ok(p([2, 3], 4) > 0.3, 'the stream is concatenated: "2 3" is followed by 4');
  live.update('a', [1, 2, 7]);
  assert.ok(p([2, 7], 4) > 0.3, '"2 7" now precedes file b');
  assert.ok(p([2, 3], 4) < 0.2, 'and "2 3 4" is gone');
  assert.deepEqual(Array.from(live.tokens()), [1, 2, 7, 4, 5, 6]);
});

test('serialize saves the edited counts in NgramModel\'s format', () => {
  const live = LiveNgramModel.fromFiles(startFiles(2), V, 4);
  live.update('f0', randomCorpus(50, V, 77));
  const loaded = NgramModel.deserialize(live.serialize());
  for (const h of [[], [3, 1, 4], Array.from(live.tokens().subarray(5, 8))]) {
    const saved = loaded.probs(readState(loaded, h)).p.slice();
    const now = live.probs(readState(live, h)).p;
    for (let w = 0; w < V; w++) assert.ok(Math.abs(saved[w] - now[w]) < 1e-12, `after [${h}] of ${w}`);
  }
});

test('refresh re-reads a state against new counts; bad ids are refused', () => {
  const live = LiveNgramModel.fromFiles([{ id: 'a', ids: [1, 2, 3, 1, 2, 3] }], V, 3);
  const s = readState(live, [5, 6]);
  assert.equal(s.nodes[2], -1);
  live.update('b', [5, 6, 7]);
  assert.ok(live.refresh(s).nodes[2] >= 0, 'the new context "5 6" is found');
  assert.throws(() => live.update('c', [V]), /outside the vocabulary/);
});

test('a rename throughout a long file (identical n-grams cancelled before counting) equals a fresh build', () => {
  const files = [0, 1, 2].map((i) => ({ id: `f${i}`, ids: randomCorpus(900, V, 40 + i) }));
  const live = LiveNgramModel.fromFiles(files, V, 5);
  const renamed = Array.from(files[1].ids, (t) => (t === 3 ? 11 : t));
  const r = live.update('f1', renamed);
  assert.ok(r.removed + r.added < 2 * 900, `only changed windows are counted (${r.removed} + ${r.added})`);
  assertSameModel(live, rebuilt(live), mulberry32(1), 'after the rename');
  live.update('f1', files[1].ids.slice(0, 400));
  assertSameModel(live, rebuilt(live), mulberry32(2), 'after cutting the file short');
});

test('complete() decodes the live model like any LanguageModel, and an edit changes what it offers', async () => {
  const tokenizer = createTokenizer('code');
  const a = 'const total = add(1, 2);\n'.repeat(3);
  const b = 'const total = sub(1, 2);\n';
  const vocab = Vocab.build([...tokenizer.tokenize(a), ...tokenizer.tokenize(b)]);
  const live = LiveNgramModel.fromFiles([{ id: 'a.ts', ids: vocab.encode(tokenizer.tokenize(a)) }], vocab.size, 4);
  const opts = { maxTokens: 8, multiline: false };
  assert.equal((await complete(live, tokenizer, vocab, 'const total = ', opts)).completion, 'add(1, 2);');
  live.update('b.ts', vocab.encode(tokenizer.tokenize(b.repeat(5))));
  assert.equal((await complete(live, tokenizer, vocab, 'const total = ', opts)).completion, 'sub(1, 2);');
  live.remove('b.ts');
  assert.equal((await complete(live, tokenizer, vocab, 'const total = ', opts)).completion, 'add(1, 2);');
});

test('compaction off the thread: a base built (in a worker) from a snapshot, with the edits made meanwhile re-applied, equals a fresh build', async () => {
  const rnd = mulberry32(7);
  const live = tracked(startFiles(70), 3, 'live');
  for (let step = 0; step < 10; step++) randomEdit(live, rnd, step);
  const snapshot = live.snapshotFiles();
  const building = buildNgramInWorker(concatFiles(snapshot), V, 3);
  // While the worker builds: a file edited, one added, one removed.
  for (let step = 10; step < 16; step++) randomEdit(live, rnd, step);
  live.update('new', Int32Array.from([1, 2, 3, 4, 1, 2]));
  live.remove('f1');
  const rebased = live.rebasedOnto(await building, snapshot);
  assert.equal(rebased.overlaySize() < live.overlaySize(), true, 'the overlay shrank to the edits made during the build');
  assert.deepEqual(rebased.fileIds(), live.fileIds());
  assertSameModel(rebased, rebuilt(live), rnd, 'rebased');
});

test('LiveNgramView.advanceMany gives the state of advancing token by token (any order, after updates too); bad ids are refused', () => {
  const rnd = mulberry32(9);
  for (const order of [1, 2, 3, 5]) {
    const live = LiveNgramModel.fromFiles(startFiles(3), V, order);
    const view = new LiveNgramView(live);
    for (let trial = 0; trial < 40; trial++) {
      const ids = Array.from({ length: Math.floor(rnd() * 12) }, () => Math.floor(rnd() * V));
      const start = readState(view, ids.slice(0, 2));
      // Now and then the counts change after `start` was read (a state of an older version).
      if (trial % 10 === 5) live.update('f0', Array.from({ length: 30 }, () => Math.floor(rnd() * V)));
      const [from, to] = [Math.min(2, ids.length), ids.length];
      const stepped = ids.slice(from, to).reduce((s, id) => view.advance(s, id), start);
      assert.deepEqual(view.advanceMany(start, ids, from, to), stepped, `order ${order}, [${ids}]`);
    }
    assert.throws(() => view.advanceMany(view.initialState(), [V, 1, 2, 3, 4, 5, 6], 0, 7), /outside the vocabulary/);
  }
});
