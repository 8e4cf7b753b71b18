// What a run's time budget cuts before the LSTM (issue 10, item 3), deterministic: injected
// clocks and rates, no timing. Reading and tokenizing stop at their deadlines (one file at
// least), the n-gram counts the whole files its measured rate affords, and every cut is said.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESTIMATE_SLACK, lstmMinutes, lstmSetupMs, MINIMAL_LSTM_SHARE, NGRAM_BY, NGRAM_PROBE_TOKENS, ngramTokenCap, READ_BY, savedWeightBytes, textDeadlines, TOKENIZE_BY } from '../../src/engine/pipeline/budget';
import { affordableDataset } from '../../src/engine/pipeline/fit';
import { readCorpus } from '../../src/engine/text/corpus';
import { buildDataset, spreadPick, subsetDataset } from '../../src/engine/text/dataset';
import { readTrainingText } from '../../src/engine/text/trainingText';
import { createTokenizer } from '../../src/engine/text/tokenizer';

let dir = '';
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wordlens-budget-cuts-'));
  for (const name of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) await fs.writeFile(path.join(dir, name), `${name} one two\nthree four ${name}\n`.repeat(5));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A clock that moves `stepMs` each time it is read. */
function ticking(stepMs: number, from = 0): () => number {
  let t = from - stepMs;
  return () => (t += stepMs);
}

const ws = createTokenizer('whitespace');
const files = (n: number, lines: number) => Array.from({ length: n }, (_, i) => ({ path: `f${i}`, text: Array.from({ length: lines }, (_, l) => `w${(i * 7 + l) % 50} x${l % 13} y${i}`).join('\n') }));

test('reading stops at READ_BY and tokenizing at TOKENIZE_BY of the budget; no budget, no deadlines', () => {
  const d = textDeadlines(60_000, 1_000, () => 0);
  assert.equal(d.read?.at, 1_000 + READ_BY * 60_000);
  assert.equal(d.tokenize?.at, 1_000 + TOKENIZE_BY * 60_000);
  assert.ok(READ_BY < TOKENIZE_BY && TOKENIZE_BY < NGRAM_BY && NGRAM_BY < 1 - MINIMAL_LSTM_SHARE);
  assert.deepEqual(textDeadlines(Infinity, 0), {});
});

test('readCorpus stops at its deadline, after one file at least, and says so', async () => {
  // The files after the first read the clock once each (0, 1, …): the deadline passes before the third.
  const part = await readCorpus([dir], { deadline: { at: 1, now: ticking(1) } });
  assert.equal(part.stoppedAt, 'deadline');
  assert.deepEqual(part.files.map((f) => path.basename(f.path)), ['a.txt', 'b.txt']);
  const late = await readCorpus([dir], { deadline: { at: 0, now: () => 10 } });
  assert.equal(late.files.length, 1, 'past the deadline already: one file, so there is a model at all');
  const all = await readCorpus([dir], { deadline: { at: 100, now: ticking(1) } });
  assert.equal(all.files.length, 4);
  assert.equal(all.stoppedAt, undefined);
});

test('tokenizing stops at its deadline: the dataset holds the files tokenized, consistently', () => {
  const d = buildDataset(files(5, 20), ws, { deadline: { at: 1, now: ticking(1) } });
  assert.equal(d.files.length, 2);
  assert.equal(d.train.length, d.files.reduce((n, f) => n + f.trainTokens, 0));
  assert.equal(d.valid.length, d.files.reduce((n, f) => n + f.valid.length, 0));
  assert.equal(buildDataset(files(5, 20), ws, { deadline: { at: 0, now: () => 5 } }).files.length, 1);
  // A one-line file is all held-out text: tokenizing goes on past the deadline until there is training text.
  const late = buildDataset([{ path: 'one', text: 'just a line' }, ...files(3, 20)], ws, { deadline: { at: 0, now: () => 5 } });
  assert.deepEqual(late.files.map((f) => f.path), ['one', 'f0']);
  assert.ok(late.train.length > 0);
});

test('readTrainingText says what the deadlines left out; nothing when they left nothing out', async () => {
  const cut = await readTrainingText([dir], { tokenizer: 'whitespace', deadlines: { read: { at: 0, now: () => 1 } } });
  assert.equal(cut.files, 1);
  assert.match(cut.cut ?? '', /reading stopped at the time budget's share after 1 file\(s\).*the rest of the workspace was not read/);
  assert.equal(cut.summary.cut, cut.cut);
  const tok = await readTrainingText([dir], { tokenizer: 'whitespace', deadlines: { tokenize: { at: 1, now: ticking(1) } } });
  assert.match(tok.cut ?? '', /tokenizing stopped at the time budget's share after 2 of the 4 file\(s\) read \(50% of their text\)/);
  const whole = await readTrainingText([dir], { tokenizer: 'whitespace', deadlines: { read: { at: 100, now: () => 0 }, tokenize: { at: 100, now: () => 0 } } });
  assert.equal(whole.cut, undefined);
  assert.equal(whole.summary.cut, undefined);
});

test('the n-gram cap: what the probe rate affords by NGRAM_BY, all when it fits, the probe count at least', () => {
  const base = { trainTokens: 5_000_000, probeTokens: 100_000, budgetMs: 60_000 };
  // 100 tokens/ms, 10 s elapsed: NGRAM_BY·60 s − 10 s left, less the slack.
  const left = NGRAM_BY * 60_000 - 10_000;
  assert.equal(ngramTokenCap({ ...base, probeMs: 1_000, elapsedMs: 10_000 }), Math.floor((left * 100) / ESTIMATE_SLACK));
  assert.equal(ngramTokenCap({ ...base, probeMs: 10, elapsedMs: 10_000 }), 5_000_000, 'fast enough: every token');
  assert.equal(ngramTokenCap({ ...base, probeMs: 1_000, elapsedMs: 59_000 }), 100_000, 'past its share: the probe count');
  assert.equal(ngramTokenCap({ ...base, budgetMs: Infinity, probeMs: 1e9, elapsedMs: 1e9 }), 5_000_000);
});

test('spreadPick: items spread over the list, then others that fit, in order; one at least', () => {
  assert.deepEqual(spreadPick([10, 10, 10, 10], 100), [0, 1, 2, 3]);
  assert.deepEqual(spreadPick(Array(10).fill(10), 50), [0, 2, 4, 6, 8], 'every 2nd');
  assert.deepEqual(spreadPick([10, 500, 10, 10, 10, 10], 40), [0, 2, 3, 4], 'a big item is skipped, the others fill in order');
  assert.deepEqual(spreadPick([500, 10], 5), [0], 'one at least');
});

test('a dataset subset keeps whole files, its ids in order, and the same vocabulary', () => {
  const d = buildDataset(files(4, 30), ws);
  const per = d.files[0].trainTokens;
  const t = subsetDataset(d, 2 * per + 5);
  assert.deepEqual(t.files.map((f) => f.path), ['f0', 'f2']);
  const slice = (a: Int32Array, f: number[]) => f.flatMap((i) => [...a.subarray(i * (a.length / 4), (i + 1) * (a.length / 4))]);
  assert.ok(d.files.every((f) => f.trainTokens === per && f.valid.length === d.valid.length / 4), 'the fixture: equal files');
  assert.deepEqual([...t.train], slice(d.train, [0, 2]));
  assert.deepEqual([...t.valid], slice(d.valid, [0, 2]));
  assert.equal(t.tokens, t.train.length + t.valid.length);
  assert.equal(t.vocab, d.vocab);
  assert.equal(subsetDataset(d, 1).files.length, 1);
  assert.equal(subsetDataset(d, d.train.length), d);
});

test('affordableDataset cuts to what the measured n-gram rate affords, and says so', () => {
  const d = buildDataset(files(60, 5_000), ws); // 60 files of ~13.5k training tokens
  assert.ok(d.train.length > 2 * NGRAM_PROBE_TOKENS);
  // The clock reads 0 at the start, then the probe "took" 1 s (100 tokens/ms) at 20 s elapsed.
  const reads = [20_000, 21_000, 21_000];
  const slow = affordableDataset(d, { budgetMs: 60_000, t0: 0, now: () => reads.shift() ?? 21_000 });
  const cap = Math.floor(((NGRAM_BY * 60_000 - 21_000) * 100) / ESTIMATE_SLACK);
  assert.ok(slow.dataset.train.length <= cap && slow.dataset.train.length > cap - d.files[0].trainTokens - 100);
  assert.match(slow.cut ?? '', new RegExp(`the run uses ${slow.dataset.files.length} of the 60 files, spread over them \\(${slow.dataset.train.length.toLocaleString('en-US')} training tokens\\)`));
  assert.equal(slow.dataset.vocab, d.vocab, 'no vocabulary options (resuming): the same ids');
  const fast = affordableDataset(d, { budgetMs: 60_000, t0: 0, now: ticking(1) });
  assert.equal(fast.dataset, d);
  assert.equal(fast.cut, undefined);
  assert.equal(affordableDataset(d, { budgetMs: Infinity, t0: 0 }).dataset, d, 'no budget: no probe, no cut');
});

test('a dataset cut with a rebuilt vocabulary: the words of the kept training text, the same tokens', () => {
  const d = buildDataset(files(4, 30), ws);
  const t = subsetDataset(d, d.files[0].trainTokens, {});
  assert.equal(t.files.length, 1);
  assert.ok(t.vocab.size < d.vocab.size, 'y1..y3 are gone');
  assert.equal(t.vocab.has('y1'), false);
  const text = (ids: Int32Array, v: typeof d.vocab) => Array.from(ids, (id) => v.word(id));
  assert.deepEqual(text(t.train, t.vocab), text(d.train.subarray(0, t.train.length), d.vocab));
  assert.equal(t.valid.length, d.files[0].valid.length);
  assert.ok(text(t.valid, t.vocab).every((w, i) => w === '<unk>' || w === d.files[0].valid[i]));
});

test('the LSTM loop is given the budget less what its set-up is estimated to take', () => {
  const hyper = { vocabSize: 75_000, embedDim: 200, hiddenDim: 200, layers: 1, tied: true, dropout: 0.2 };
  const setup = lstmSetupMs(hyper);
  assert.ok(setup > 0 && setup === lstmSetupMs({ ...hyper }) && lstmSetupMs({ ...hyper, vocabSize: 150_000 }) > 1.9 * setup, 'grows with the weights');
  assert.ok(Math.abs(setup - (ESTIMATE_SLACK * savedWeightBytes(hyper)) / 30_000) < 1e-9);
  assert.deepEqual(lstmMinutes(60_000, 20_000, 4_000), { minutes: 36_000 / 60_000, minimal: false });
  assert.equal(lstmMinutes(60_000, 50_000, 8_000).minimal, true);
});
