import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { MODEL_FORMAT_VERSION, saveModel } from '../../src/engine/io/store';
import { main } from '../../src/cli';
import { defaultDropout } from '../../src/engine/lstm/train';
import { onInterrupt } from '../../src/cli/interrupt';
import { Output } from '../../src/cli/output';

const BIN = path.resolve(__dirname, '../../bin/wordlens.js');

interface Run { code: number; stdout: string; stderr: string }

function wordlens(args: string[], opts: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: opts.cwd, env: { ...process.env, WORDLENS_FROM_SOURCE: '1', WORDLENS_DEBUG: '' }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** The --json contract: every stdout line is a JSON object; the last is the result. */
function jsonResult(run: Run): Record<string, any> {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  const objects = lines.map((l) => JSON.parse(l));
  for (const o of objects) assert.equal(typeof o, 'object');
  return objects[objects.length - 1];
}

/** The CLI in this process (for argument errors: no model work, no process start-up). */
async function inProcess(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, done) { append(String(chunk)); done(); } });
  const code = await main(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

function assertUserError(run: Run, pattern: RegExp, code = 1): void {
  assert.equal(run.code, code, `expected exit ${code}, got ${run.code}: ${run.stderr}`);
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0], /^wordlens: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(run.stderr, /\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-cli-'));
const vectorsDir = path.join(tmp, 'vectors');
const words = ['<unk>', 'king', 'queen', 'man', 'woman', 'apple'];
const vectors: Record<string, number[]> = {
  '<unk>': [0, 0, 0.1], king: [1, 1, 0], queen: [1, 0, 1], man: [0.1, 1, 0], woman: [0.1, 0, 1], apple: [-1, 0.2, 0.1],
};

before(async () => {
  await saveModel(vectorsDir, {
    meta: {
      format: 'wordlens-model', version: MODEL_FORMAT_VERSION, kind: 'vectors', tokenizer: 'whitespace',
      hyper: { vocabSize: words.length, embedDim: 3 }, metrics: {}, corpus: {}, createdAt: new Date().toISOString(),
    },
    vocab: { words, counts: words.map(() => 1) },
    weights: [{ name: 'embedding/embeddings', shape: [words.length, 3], values: Float32Array.from(words.flatMap((w) => vectors[w])) }],
  });
});

test('neighbors, analogy and wordsim print their JSON shapes', async () => {
  const pairs = path.join(tmp, 'pairs.tsv');
  fs.writeFileSync(pairs, '# comment\nking\tqueen\t8\nKING\tman\t9\nking\tapple\t1\nman\twoman\t7\nking\tbanana\t2\n');
  // In this process: the same main() as the binary, without three more process start-ups.
  const nb = await inProcess(['neighbors', '--model', vectorsDir, 'king', '--k', '2', '--json']);
  const an = await inProcess(['analogy', '--model', vectorsDir, 'man', 'king', 'woman', '--k', '1', '--json']);
  const ws = await inProcess(['wordsim', '--model', vectorsDir, pairs, '--json']);
  const n = jsonResult(nb);
  assert.equal(n.word, 'king');
  assert.deepEqual(n.neighbors.map((x: { word: string }) => x.word), ['man', 'queen']);
  assert.ok(n.neighbors[0].score > n.neighbors[1].score);
  assert.deepEqual(jsonResult(an).neighbors.map((x: { word: string }) => x.word), ['queen']);
  const w = jsonResult(ws);
  assert.deepEqual(Object.keys(w).sort(), ['oov', 'pairs', 'spearman']);
  assert.equal(w.pairs, 4);
  assert.equal(w.oov, 20);
  assert.ok(w.spearman > 0.5, `spearman ${w.spearman}`);
});

test('command-line mistakes: exit 2, one line naming the fix', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['neighbors', '--model', vectorsDir, '--kk', '3', 'king'], /unknown option --kk .*wordlens neighbors --help/],
    [['neighbors', 'king'], /missing --model/],
    [['neighbors', '--model', vectorsDir], /missing word/],
    [['neighbors', '--model', vectorsDir, 'king', 'queen'], /unexpected argument "queen"/],
    [['neighbors', '--model', vectorsDir, 'king', '--k'], /--k needs a value/],
    [['neighbors', '--model', vectorsDir, 'king', '--k', 'lots'], /--k must be an integer/],
    [['neighbors', '--model', vectorsDir, 'king', '--metric', 'manhattan'], /--metric must be one of cosine, euclidean/],
  ];
  for (const [args, pattern] of cases) assertUserError(await inProcess(args), pattern, 2);
});

test('bad input as a real process: exit 1, one line on stderr, no stack trace', async () => {
  const notJson = path.join(tmp, 'broken');
  fs.cpSync(vectorsDir, notJson, { recursive: true });
  fs.writeFileSync(path.join(notJson, 'model.json'), '{');
  const cases: [string[], RegExp][] = [
    [['neighbors', '--model', notJson, 'king'], /model\.json is not valid JSON/],
    [['neighbors', '--model', vectorsDir, 'King'], /"King" is not in the model's vocabulary .*did you mean "king"/],
  ];
  const runs = await Promise.all(cases.map(([args]) => wordlens(args)));
  runs.forEach((run, i) => assertUserError(run, cases[i][1]));
  assertUserError(await inProcess(['neighbors', '--model', path.join(tmp, 'missing'), 'king']), /no model folder at/);
  assertUserError(await inProcess(['wordsim', '--model', vectorsDir, path.join(tmp, 'nope.tsv')]), /cannot read pairs file .*nope\.tsv: no such file/);
  // --out pointing at someone's folder is refused before any work, and the folder is untouched.
  const project = path.join(tmp, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'main.ts'), 'keep');
  assertUserError(await inProcess(['train', BIN, '--out', project]), /not a Wordlens model folder, so it will not be replaced/);
  assert.deepEqual(fs.readdirSync(project), ['main.ts']);
  assertUserError(await inProcess(['train', path.join(tmp, 'no-such-dir'), '--out', path.join(tmp, 'm')]), /cannot read .*no-such-dir: no such file/);
});

test('--help describes a command and exits 0', async () => {
  const run = await inProcess(['neighbors', '--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Usage: wordlens neighbors --model DIR <word>/);
  assert.match(run.stdout, /--metric cosine\|euclidean/);
});

// A tiny corpus with structure the models can pick up: two kinds of sentences.
function writeCorpus(dir: string, lines: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const subjects = ['the cat', 'the dog', 'a bird', 'my friend'];
  const verbs = ['sat on', 'ran to', 'looked at', 'walked past'];
  const objects = ['the mat', 'the house', 'a tree', 'the river'];
  let seed = 7;
  const pick = <T>(xs: T[]) => xs[(seed = (seed * 16807) % 2147483647) % xs.length];
  const text = Array.from({ length: lines }, () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)} .`).join('\n') + '\n';
  const file = path.join(dir, 'corpus.txt');
  fs.writeFileSync(file, text);
  return file;
}

test('train: dropout follows the corpus size and the width unless --dropout is given', async () => {
  // A few thousand tokens make many passes: regularised by width (0.4 at 200); millions keep 0.2.
  assert.equal(defaultDropout(3_000, 200), 0.4);
  assert.equal(defaultDropout(3_000, 300), 0.6);
  assert.equal(defaultDropout(3_000, 64), 0.2);
  assert.equal(defaultDropout(6_000_000, 200), 0.2);
  const mid = defaultDropout(1_500_000, 200);
  assert.ok(mid > 0.2 && mid < 0.4, `1.5M tokens at width 200: ${mid}`);
  const corpus = writeCorpus(path.join(tmp, 'dropout-text'), 100);
  const byRule = path.join(tmp, 'dropout-rule');
  const given = path.join(tmp, 'dropout-given');
  await wordlens(['train', corpus, '--out', byRule, '--tokenizer', 'whitespace', '--epochs', '1', '--dim', '200', '--json']);
  await wordlens(['train', corpus, '--out', given, '--tokenizer', 'whitespace', '--epochs', '1', '--dim', '16', '--dropout', '0.35', '--json']);
  const hyper = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')).hyper;
  assert.equal(hyper(byRule).dropout, 0.4);
  assert.equal(hyper(given).dropout, 0.35);
  assertUserError(await inProcess(['train', corpus, '--out', given, '--dropout', '1.5']), /--dropout must be at most 0.9/, 2);
});

test('train -> eval -> neighbors -> complete -> generate -> export -> import: the --json shapes', async () => {
  const corpus = writeCorpus(path.join(tmp, 'text'), 300);
  const model = path.join(tmp, 'lstm');
  const train = await wordlens(['train', corpus, '--out', model, '--tokenizer', 'whitespace', '--epochs', '1', '--dim', '16', '--json']);
  const done = jsonResult(train);
  assert.deepEqual(Object.keys(done).sort(), ['backend', 'event', 'seconds', 'tokens', 'valid_ppl', 'valid_sampled', 'valid_tokens', 'vocab']);
  assert.equal(done.event, 'done');
  // --epochs without --minutes: no time budget, so valid_ppl is over every validation token.
  assert.equal(done.valid_sampled, false);
  assert.ok(done.valid_tokens > 0);
  assert.ok(['wasm', 'cpu', 'tensorflow'].includes(done.backend));
  assert.equal(done.vocab, 22); // <unk>, <eos>, 19 words and '.'
  assert.ok(done.tokens > 0 && done.seconds > 0);
  // The structured corpus is far more predictable than uniform over 20 words.
  assert.ok(done.valid_ppl > 1 && done.valid_ppl < 15, `valid_ppl ${done.valid_ppl}`);
  const events = train.stdout.trim().split('\n').map((l) => JSON.parse(l).event);
  assert.ok(events.includes('progress') && events.includes('ngram'), events.join(','));
  assert.deepEqual(fs.readdirSync(path.dirname(model)).filter((n) => n.includes('.wl-')), [], 'no temp folders left');

  const doc = path.join(tmp, 'doc.txt');
  fs.writeFileSync(doc, 'the cat sat on the ma');
  const vectorsFile = path.join(tmp, 'vectors.txt');
  const [evalRun, lstmOnly, nb, comp, gen, exp] = await Promise.all([
    wordlens(['eval', '--model', model, corpus, '--json']),
    wordlens(['eval', '--model', model, corpus, '--lstm-only', '--json']),
    wordlens(['neighbors', '--model', model, 'cat', '--k', '3', '--json']),
    wordlens(['complete', '--model', model, '--file', doc, '--offset', '21', '--json']),
    wordlens(['generate', '--model', model, '--prompt', 'the cat', '--tokens', '5', '--seed', '1', '--json']),
    wordlens(['export', '--model', model, '--format', 'word2vec', '--out', vectorsFile, '--json']),
  ]);
  const ev = jsonResult(evalRun);
  assert.deepEqual(Object.keys(ev).sort(), ['backend', 'kernels', 'oov_rate', 'ppl', 'tokens']);
  assert.equal(ev.kernels, ev.backend === 'tensorflow' ? 'tfjs' : 'fused');
  assert.equal(ev.oov_rate, 0);
  assert.ok(ev.ppl > 1 && ev.ppl < 15 && ev.tokens > 1000);
  const evLstm = jsonResult(lstmOnly);
  assert.notEqual(evLstm.ppl, ev.ppl, 'the mixture and the LSTM alone are different models');
  const n = jsonResult(nb);
  assert.equal(n.word, 'cat');
  assert.equal(n.neighbors.length, 3);
  for (const x of n.neighbors) assert.ok(typeof x.word === 'string' && typeof x.score === 'number');
  const c = jsonResult(comp);
  assert.deepEqual(Object.keys(c).sort(), ['completion', 'ms']);
  assert.ok(c.completion.startsWith('t'), `the partial word "ma" completes to "mat": got ${JSON.stringify(c.completion)}`);
  const g = jsonResult(gen);
  assert.equal(g.tokens, 5);
  assert.equal(typeof g.text, 'string');
  assert.equal(jsonResult(exp).words, 22);

  const imported = path.join(tmp, 'imported');
  jsonResult(await inProcess(['import', vectorsFile, '--format', 'word2vec', '--out', imported, '--json']));
  const again = jsonResult(await inProcess(['neighbors', '--model', imported, 'cat', '--k', '3', '--json']));
  assert.deepEqual(again.neighbors.map((x: { word: string }) => x.word), n.neighbors.map((x: { word: string }) => x.word));
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(again.neighbors[i].score - n.neighbors[i].score) < 1e-5);

  // The map's coordinates: PCA and a short UMAP, one row per word.
  const mapFile = path.join(tmp, 'map.json');
  for (const method of ['pca', 'umap']) {
    const r = jsonResult(await inProcess(['project', '--model', model, '--out', mapFile, '--method', method, '--neighbors', '5', '--epochs', '20', '--json']));
    assert.deepEqual(Object.keys(r).sort(), ['backend', 'points', 'seconds']);
    assert.equal(r.points, 22);
    const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
    assert.equal(map.words.length, 22);
    assert.equal(map.coords.length, 22);
    for (const xy of map.coords) assert.ok(xy.length === 2 && xy.every(Number.isFinite));
  }

  // --resume continues from the saved weights with the saved vocabulary.
  const resumed = jsonResult(await wordlens(['train', corpus, '--out', model, '--resume', '--epochs', '1', '--json']));
  assert.equal(resumed.vocab, 22);
  assert.ok(resumed.valid_ppl < done.valid_ppl * 1.05, `resumed ${resumed.valid_ppl} vs ${done.valid_ppl}`);
  assertUserError(await inProcess(['train', corpus, '--out', model, '--resume', '--dim', '8']), /--dim cannot change when resuming/);

  // Embeddings are not a language model: a clear refusal, not a crash.
  assertUserError(await inProcess(['complete', '--model', imported, '--file', doc, '--offset', '3']), /holds vectors embeddings, not a language model/);
});

test('train --model skipgram writes an embedding model', async () => {
  const corpus = writeCorpus(path.join(tmp, 'sg'), 200);
  const model = path.join(tmp, 'skipgram');
  const done = jsonResult(await wordlens(['train', corpus, '--out', model, '--tokenizer', 'whitespace', '--model', 'skipgram', '--epochs', '1', '--dim', '8', '--json']));
  assert.equal(done.event, 'done');
  assert.equal(done.valid_ppl, null);
  assert.ok(done.vocab >= 18);
  const meta = JSON.parse(fs.readFileSync(path.join(model, 'meta.json'), 'utf8'));
  assert.equal(meta.kind, 'skipgram');
});

test('train refuses up front a model too big for the wasm heap, and writes nothing', async () => {
  // ~90k distinct training words at --dim 2048: about 3.8 GB to train, over wasm's 4 GB heap less TF.js's margin.
  const dir = path.join(tmp, 'huge');
  fs.mkdirSync(dir);
  const words = Array.from({ length: 100_000 }, (_, i) => `w${i}`);
  const text = Array.from({ length: 10_000 }, (_, l) => words.slice(l * 10, l * 10 + 10).join(' ')).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'words.txt'), text);
  const model = path.join(tmp, 'too-big');
  const run = await inProcess(['train', dir, '--out', model, '--tokenizer', 'whitespace', '--dim', '2048', '--json']);
  assertUserError(run, /A model of 9\d,\d{3} words and width 2048 needs about \d+\.\d GB to train, more than the 3\.2 GB training may use of the (wasm|cpu) backend.s 4\.0 GB heap.*--dim/);
  assert.equal(fs.existsSync(model), false);
});

/**
 * Runs `train` and sends `signals` (one after the other, 50 ms apart) at its first progress
 * event; returns its output once it exits, and the milliseconds from the first signal to the exit.
 */
async function trainAndInterrupt(args: string[], signals: NodeJS.Signals[] = ['SIGINT']): Promise<Run & { stopMs: number }> {
  const child = spawn(process.execPath, [BIN, 'train', ...args, '--json'], { env: { ...process.env, WORDLENS_FROM_SOURCE: '1' } });
  let stdout = '';
  let stderr = '';
  let signalledAt = 0;
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => {
    const before = stdout;
    stdout += d;
    if (!before.includes('"event":"progress"') && stdout.includes('"event":"progress"')) {
      signalledAt = Date.now();
      signals.forEach((signal, i) => setTimeout(() => child.kill(signal), 50 * i));
    }
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr, stopMs: Date.now() - signalledAt };
}

test('Ctrl-C or SIGTERM during training stops within 2 s keeping what was saved, and says which model is left', async () => {
  // ~180k tokens: an epoch (and so the first checkpoint) takes seconds even on a fast machine,
  // so the interrupt at the first progress event (after ~1 s) always comes before it.
  const corpus = writeCorpus(path.join(tmp, 'big'), 20000);
  const model = path.join(tmp, 'interrupted');
  const args = [corpus, '--out', model, '--tokenizer', 'whitespace', '--minutes', '2', '--dim', '16'];
  // Into an empty folder, before any checkpoint: nothing was saved, nothing is written.
  const first = await trainAndInterrupt(args, ['SIGTERM']);
  const firstResult = jsonResult(first);
  assert.equal(firstResult.cancelled, true);
  assert.equal(firstResult.kept, null);
  assert.equal(fs.existsSync(model), false);
  // 2 s is the contract; the process start-up is not in it (the clock starts at the signal).
  assert.ok(first.stopMs <= 2000, `stopped ${first.stopMs} ms after SIGTERM`);

  // Into a model folder: that model is kept as it was, and the line says so.
  const done = jsonResult(await inProcess(['train', corpus, '--out', model, '--tokenizer', 'whitespace', '--epochs', '1', '--dim', '8', '--json']));
  assert.equal(done.cancelled, undefined);
  const meta = fs.readFileSync(path.join(model, 'meta.json'), 'utf8');
  const second = await trainAndInterrupt(args);
  const secondResult = jsonResult(second);
  assert.equal(secondResult.cancelled, true);
  assert.equal(secondResult.valid_ppl, null);
  assert.equal(secondResult.kept.fromThisRun, false);
  assert.equal(secondResult.kept.createdAt, JSON.parse(meta).createdAt);
  assert.ok(second.stopMs <= 2000, `stopped ${second.stopMs} ms after SIGINT`);
  console.log(`CLI stop after the signal: SIGTERM ${first.stopMs} ms (no model yet), SIGINT ${second.stopMs} ms (model kept)`);
  assert.equal(fs.readFileSync(path.join(model, 'meta.json'), 'utf8'), meta);
  const plain = await wordlens(['eval', '--model', model, corpus, '--json']);
  assert.equal(plain.code, 0, plain.stderr);
});

test('the first Ctrl-C or SIGTERM asks the work to stop with one line; a second one exits at once (130)', () => {
  const lines: string[] = [];
  const out = new Output(false, new Writable({ write: (_c, _e, cb) => cb() }), new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  let stops = 0;
  const exits: number[] = [];
  const exit = process.exit;
  process.exit = ((code: number) => void exits.push(code)) as typeof process.exit;
  const stopListening = onInterrupt(out, () => stops++, 'stopping: keeping what was saved');
  try {
    process.emit('SIGTERM');
    assert.equal(stops, 1);
    assert.deepEqual(exits, []);
    assert.deepEqual(lines.join('').trim().split('\n'), ['stopping: keeping what was saved (Ctrl-C again to quit now)']);
    process.emit('SIGINT');
    assert.deepEqual(exits, [130]);
    assert.equal(stops, 1);
  } finally {
    stopListening();
    process.exit = exit;
  }
});
