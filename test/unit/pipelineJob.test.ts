// The training pipeline in its worker thread (the path both the CLI and the server take):
// events, a saved model, and resuming it with its own vocabulary and hyper-parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PipelineEvent, PipelineRequest } from '../../src/engine/pipeline/pipeline';
import { startPipelineJob } from '../../src/engine/pipeline/pipelineJob';
import { saveModel, MODEL_FORMAT_VERSION } from '../../src/engine/io/store';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-pipeline-'));
const corpus = path.join(tmp, 'text');
fs.mkdirSync(corpus);
const subjects = ['the cat', 'a dog', 'the bird'];
const verbs = ['sat on', 'saw', 'chased'];
const objects = ['the mat', 'a ball', 'the tree'];
const lines = Array.from({ length: 200 }, (_, i) => `${subjects[i % 3]} ${verbs[(i >> 1) % 3]} ${objects[(i >> 2) % 3]} .`);
fs.writeFileSync(path.join(corpus, 'a.txt'), lines.join('\n') + '\n');

async function run(request: PipelineRequest) {
  const events: PipelineEvent[] = [];
  const result = await startPipelineJob(request, (e) => events.push(e)).done;
  return { result, events };
}

const meta = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));

test('a run in the worker reports its stages and saves; resuming keeps the saved tokenizer, vocabulary and shape', async () => {
  const outDir = path.join(tmp, 'model');
  const first = await run({ roots: [corpus], tokenizer: 'whitespace', outDir, epochs: 1, dim: 8 });
  assert.equal(first.result.saved, true);
  assert.equal(first.result.cancelled, undefined);
  const kinds = first.events.map((e) => e.event);
  for (const k of ['corpus', 'ngram', 'progress', 'checkpoint', 'fitting', 'interpolation']) assert.ok(kinds.includes(k as never), kinds.join(','));
  assert.ok(kinds.indexOf('corpus') < kinds.indexOf('ngram') && kinds.indexOf('ngram') < kinds.indexOf('fitting'));
  const before = meta(outDir);
  assert.equal(before.hyper.hiddenDim, 8);

  // The request's tokenizer and width are the model's own when resuming.
  const again = await run({ roots: [corpus], tokenizer: 'code', outDir, epochs: 1, dim: 32, resume: true });
  assert.equal(again.result.saved, true);
  assert.equal(again.result.vocab, first.result.vocab);
  const after = meta(outDir);
  assert.equal(after.tokenizer, 'whitespace');
  assert.equal(after.hyper.hiddenDim, 8);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(outDir, 'vocab.json'), 'utf8')).words.length, first.result.vocab);
  // Continued from the saved weights: no worse than where it started (the LSTM alone, on the same validation text).
  assert.ok(after.metrics.valid_ppl_lstm <= before.metrics.valid_ppl_lstm * 1.05, `${after.metrics.valid_ppl_lstm} vs ${before.metrics.valid_ppl_lstm}`);
});

test('resuming a folder that holds no LSTM is a PipelineError naming it, and leaves the folder as it was', async () => {
  const outDir = path.join(tmp, 'vectors');
  await saveModel(outDir, {
    meta: {
      format: 'wordlens-model', version: MODEL_FORMAT_VERSION, kind: 'vectors', tokenizer: 'whitespace',
      hyper: { vocabSize: 2, embedDim: 2 }, metrics: {}, corpus: {}, createdAt: new Date().toISOString(),
    },
    vocab: { words: ['<unk>', 'cat'], counts: [0, 1] },
    weights: [{ name: 'embedding/embeddings', shape: [2, 2], values: new Float32Array([0, 0, 1, 1]) }],
  });
  const saved = fs.readFileSync(path.join(outDir, 'meta.json'), 'utf8');
  await assert.rejects(run({ roots: [corpus], tokenizer: 'whitespace', outDir, epochs: 1, resume: true }).then((r) => r.result), (error: Error) => {
    assert.equal(error.name, 'PipelineError');
    assert.match(error.message, /cannot resume: .*vectors holds vectors embeddings, not an LSTM/);
    return true;
  });
  assert.equal(fs.readFileSync(path.join(outDir, 'meta.json'), 'utf8'), saved);
});

test('errors in the worker keep their name: nothing to train on', async () => {
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  await assert.rejects(startPipelineJob({ roots: [empty], tokenizer: 'code', outDir: path.join(tmp, 'none') }, () => undefined).done, {
    name: 'PipelineError',
    message: /No text files to train on/,
  });
  assert.equal(fs.existsSync(path.join(tmp, 'none')), false);
});

test('a cancel before the first checkpoint writes nothing: an empty folder stays empty, a model folder keeps its model', async () => {
  // ~180k tokens: an epoch (and so the first checkpoint) takes seconds, after the first progress event (~1 s).
  const big = path.join(tmp, 'big');
  fs.mkdirSync(big);
  const words = ['the', 'a', 'cat', 'dog', 'bird', 'sat', 'saw', 'chased', 'on', 'mat', 'ball', 'tree', 'red', 'big'];
  let seed = 7;
  const pick = () => words[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % words.length];
  fs.writeFileSync(path.join(big, 'big.txt'), Array.from({ length: 20000 }, () => Array.from({ length: 8 }, pick).join(' ')).join('\n') + '\n');
  const outDir = path.join(tmp, 'cancelled');
  const cancelAtFirstProgress = (request: PipelineRequest) => {
    const job = startPipelineJob(request, (e) => {
      if (e.event === 'progress') job.cancel();
    });
    return job.done;
  };
  const request: PipelineRequest = { roots: [big], tokenizer: 'whitespace', outDir, minutes: 1, dim: 8 };
  // Stop means stop: no save after the cancel, however quick it might have been.
  const first = await cancelAtFirstProgress(request);
  assert.equal(first.cancelled, true);
  assert.equal(first.saved, false);
  assert.equal(first.kept, null);
  assert.equal(first.stoppedIn, 'train');
  assert.equal(fs.existsSync(outDir), false);

  const done = await run({ ...request, minutes: undefined, epochs: 1 });
  assert.equal(done.result.cancelled, undefined);
  const saved = fs.readFileSync(path.join(outDir, 'meta.json'), 'utf8');
  const second = await cancelAtFirstProgress(request);
  assert.equal(second.cancelled, true);
  assert.equal(second.saved, false);
  assert.equal(second.valid_ppl, null);
  assert.equal(second.kept?.fromThisRun, false);
  assert.equal(second.kept?.createdAt, JSON.parse(saved).createdAt);
  assert.equal(fs.readFileSync(path.join(outDir, 'meta.json'), 'utf8'), saved);
});

test('a worker that ends before its result rejects with a clear message', async () => {
  const job = startPipelineJob({ roots: [corpus], tokenizer: 'whitespace', outDir: path.join(tmp, 'ended'), minutes: 1, dim: 8 }, () => undefined);
  job.terminate();
  await assert.rejects(job.done, /the training worker stopped unexpectedly/);
});

/** Niceness of every thread of this process, by thread id (Linux /proc). */
function threadNiceness(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      out.set(tid, Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

test('a low-priority job trains in a thread at nice 10 while the calling thread keeps its priority', { skip: process.platform !== 'linux' && 'per-thread priority is Linux only' }, async () => {
  const before = threadNiceness();
  let during: Map<string, number> | undefined;
  const job = startPipelineJob({ roots: [corpus], tokenizer: 'whitespace', outDir: path.join(tmp, 'low'), epochs: 1, dim: 8 }, (e) => {
    if (e.event === 'progress' && !during) during = threadNiceness();
  }, { lowPriority: true });
  const result = await job.done;
  assert.equal(result.saved, true, 'it trains as usual');
  assert.ok(during, 'saw the run in progress');
  const lowered = [...during].filter(([tid, nice]) => nice === 10 && !before.has(tid));
  assert.ok(lowered.length >= 1, `a new thread at nice 10: ${JSON.stringify([...during])}`);
  assert.equal(during.get(String(process.pid)), before.get(String(process.pid)), 'the main thread keeps its priority');
  // A normal job's threads are not lowered.
  let normal: Map<string, number> | undefined;
  await startPipelineJob({ roots: [corpus], tokenizer: 'whitespace', outDir: path.join(tmp, 'normal'), epochs: 1, dim: 8 }, (e) => {
    if (e.event === 'progress' && !normal) normal = threadNiceness();
  }).done;
  assert.ok(normal && [...normal.values()].every((n) => n !== 10), 'no thread lowered without lowPriority');
});
