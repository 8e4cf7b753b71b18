import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrefixCache } from '../../src/engine/decode/prefixCache';
import type { LanguageModel } from '../../src/engine/types';

/** A model whose state is the id sequence itself, counting advances. */
class CountingModel implements LanguageModel<readonly number[]> {
  readonly vocabSize = 50;
  advances = 0;
  initialState(): readonly number[] {
    return [];
  }
  advance(s: readonly number[], id: number): readonly number[] {
    this.advances++;
    return [...s, id];
  }
  logProbs(): Float32Array {
    return new Float32Array(this.vocabSize).fill(-Math.log(this.vocabSize));
  }
}

const doc = Array.from({ length: 300 }, (_, i) => (i * 7) % 50);

test('one more token costs exactly one advance', () => {
  const m = new CountingModel();
  const cache = new PrefixCache<readonly number[]>();
  assert.deepEqual(cache.stateFor(m, doc.slice(0, 100)), doc.slice(0, 100));
  assert.equal(m.advances, 100);
  m.advances = 0;
  assert.deepEqual(cache.stateFor(m, doc.slice(0, 101)), doc.slice(0, 101));
  assert.equal(m.advances, 1);
  m.advances = 0;
  cache.stateFor(m, doc.slice(0, 101));
  assert.equal(m.advances, 0, 'the same prefix again is free');
});

test('an edit in the middle resumes from the checkpoint before it', () => {
  const m = new CountingModel();
  const cache = new PrefixCache<readonly number[]>({ checkpointEvery: 32 });
  cache.stateFor(m, doc);
  m.advances = 0;
  const edited = [...doc];
  edited[200] = 49 - edited[200];
  assert.deepEqual(cache.stateFor(m, edited), edited);
  assert.equal(m.advances, 300 - 192, 'restarts at checkpoint 192, the last before position 200');
  m.advances = 0;
  assert.deepEqual(cache.stateFor(m, doc.slice(0, 150)), doc.slice(0, 150));
  assert.equal(m.advances, 150 - 128);
});

test('a different prefix of the same length is not confused with a cached one', () => {
  const m = new CountingModel();
  const cache = new PrefixCache<readonly number[]>();
  cache.stateFor(m, [1, 2, 3]);
  assert.deepEqual(cache.stateFor(m, [1, 2, 4]), [1, 2, 4]);
  assert.deepEqual(cache.stateFor(m, [3, 2, 1]), [3, 2, 1]);
  assert.deepEqual(cache.stateFor(m, []), []);
});

test('the LRU bound holds and a new model invalidates the cache', () => {
  const m = new CountingModel();
  const cache = new PrefixCache<readonly number[]>({ maxEntries: 3, checkpointEvery: 1000 });
  for (let i = 1; i <= 10; i++) cache.stateFor(m, doc.slice(0, i * 10));
  assert.equal(cache.size, 3);
  const other = new CountingModel();
  cache.stateFor(other, doc.slice(0, 20));
  assert.equal(other.advances, 20, 'states of the previous model are not reused');
  assert.throws(() => new PrefixCache({ maxEntries: 0 }), /maxEntries/);
});

test('stateForAsync: the same state, reading in slices between which other work runs', async () => {
  const m = new CountingModel();
  const cache = new PrefixCache<readonly number[]>();
  let ticks = 0;
  let reading = true;
  const other = () => {
    ticks++;
    if (reading) setImmediate(other);
  };
  setImmediate(other);
  const state = await cache.stateForAsync(m, doc, undefined, 32);
  reading = false;
  assert.deepEqual(state, doc);
  assert.equal(m.advances, doc.length);
  assert.ok(ticks >= Math.floor(doc.length / 32) - 1, `other work ran between slices (${ticks} turns)`);
  m.advances = 0;
  assert.deepEqual(cache.stateFor(m, doc), doc);
  assert.equal(m.advances, 0, 'cached like stateFor');
});

test('stateForAsync: an abort stops the read part-way, and the next read continues from there', async () => {
  const m = new CountingModel();
  const cache = new PrefixCache<readonly number[]>({ checkpointEvery: 1000 }); // no checkpoints on the way
  const abort = new AbortController();
  const read = cache.stateForAsync(m, doc, abort.signal, 32);
  await new Promise<void>((resolve) => setImmediate(resolve)); // one slice in
  await new Promise<void>((resolve) => setImmediate(resolve));
  abort.abort();
  await assert.rejects(read, { name: 'AbortError' });
  const done = m.advances;
  assert.ok(done > 0 && done < doc.length, `stopped part-way (${done} of ${doc.length})`);
  assert.equal(done % 32, 0, 'at a slice boundary');
  m.advances = 0;
  assert.deepEqual(cache.stateFor(m, doc), doc);
  assert.equal(m.advances, doc.length - done, 'only the unread rest is advanced');
});

test('stateForAsync: a read paused while the cache switched to another model leaves no states in it', async () => {
  const a = new CountingModel();
  const b = new CountingModel();
  const cache = new PrefixCache<readonly number[]>({ checkpointEvery: 16 });
  const slow = cache.stateForAsync(a, doc, undefined, 32);
  await new Promise<void>((resolve) => setImmediate(resolve));
  cache.stateFor(b, [1, 2, 3]); // another model: the cache is cleared and now b's
  assert.deepEqual(await slow, doc, 'the paused read still returns its own state');
  b.advances = 0;
  assert.deepEqual(cache.stateFor(b, doc), doc);
  assert.equal(b.advances, doc.length, "none of a's states were found for b");
});

test('a cold read (a jump) reads only the last coldReadLimit tokens; keystrokes after it continue from there', () => {
  const m = new CountingModel();
  const cache = new PrefixCache<readonly number[]>({ coldReadLimit: 40 });
  assert.deepEqual(cache.stateFor(m, doc.slice(0, 200)), doc.slice(160, 200), 'the state of the last 40 tokens');
  assert.equal(m.advances, 40);
  m.advances = 0;
  assert.deepEqual(cache.stateFor(m, doc.slice(0, 203)), doc.slice(160, 203), 'typing on continues the bounded read');
  assert.equal(m.advances, 3);
  m.advances = 0;
  // Within the limit of a cached state, the cache is used as before.
  cache.stateFor(m, doc.slice(0, 230));
  assert.equal(m.advances, 27);
  m.advances = 0;
  assert.deepEqual(cache.stateFor(m, doc.slice(0, 30)), doc.slice(0, 30), 'a prefix shorter than the limit is read whole');
  assert.equal(m.advances, 30);
});

test('a cold read goes to advanceMany in ranges that end at checkpoints, pauses and the end', async () => {
  const ranges: [number, number][] = [];
  const m = new (class extends CountingModel {
    advanceMany(s: readonly number[], ids: ArrayLike<number>, start: number, end: number): readonly number[] {
      ranges.push([start, end]);
      return [...s, ...Array.from(ids).slice(start, end)];
    }
  })();
  const cache = new PrefixCache<readonly number[]>({ checkpointEvery: 64 });
  assert.deepEqual(await cache.stateForAsync(m, doc.slice(0, 150), undefined, 40), doc.slice(0, 150));
  assert.deepEqual(ranges, [[0, 40], [40, 64], [64, 80], [80, 120], [120, 128], [128, 150]]);
  assert.equal(m.advances, 0, 'no token by token steps');
  // The checkpoint at 128 was kept: an edit after it resumes there.
  ranges.length = 0;
  cache.stateFor(m, [...doc.slice(0, 130), 1]);
  assert.deepEqual(ranges, [[128, 131]]);
});
