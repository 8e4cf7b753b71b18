import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { MODEL_FORMAT_VERSION, saveModel } from '../../src/engine/store';
import { main } from '../../src/cli';

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

test('setup: a tiny vectors model', async () => {
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
  const [nb, an, ws] = await Promise.all([
    wordlens(['neighbors', '--model', vectorsDir, 'king', '--k', '2', '--json']),
    wordlens(['analogy', '--model', vectorsDir, 'man', 'king', 'woman', '--k', '1', '--json']),
    wordlens(['wordsim', '--model', vectorsDir, pairs, '--json']),
  ]);
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
    [['wordsim', '--model', vectorsDir, path.join(tmp, 'nope.tsv')], /cannot read pairs file .*nope\.tsv: no such file/],
  ];
  const runs = await Promise.all(cases.map(([args]) => wordlens(args)));
  runs.forEach((run, i) => assertUserError(run, cases[i][1]));
  assertUserError(await inProcess(['neighbors', '--model', path.join(tmp, 'missing'), 'king']), /no model folder at/);
});

test('--help describes a command and exits 0', async () => {
  const run = await inProcess(['neighbors', '--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Usage: wordlens neighbors --model DIR <word>/);
  assert.match(run.stdout, /--metric cosine\|euclidean/);
});
