import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { FILES, MODEL_FORMAT_VERSION, ModelLoadError, loadModel, saveModel, type SavedModel } from '../../src/engine/io/store';
import { setFaultHook } from '../../src/engine/io/atomic';
import { expectedWeights } from '../../src/engine/io/layersTopology';
import type { ModelMeta } from '../../src/engine/types';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-store-'));
}

let seed = 1;
function random(): number {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
}

function fixture(kind: 'lstm' | 'skipgram', opts: { V?: number; E?: number; H?: number; layers?: number; tied?: boolean } = {}): SavedModel {
  const V = opts.V ?? 6, E = opts.E ?? 3, H = opts.H ?? 4, layers = opts.layers ?? 2;
  const words = ['<unk>', '<eos>', ...Array.from({ length: V - 2 }, (_, i) => `w${i}`)];
  const hyper: ModelMeta['hyper'] = kind === 'lstm' ? { vocabSize: V, embedDim: E, hiddenDim: H, layers, tied: opts.tied ?? false, dropout: 0 } : { vocabSize: V, embedDim: E };
  const meta: ModelMeta = {
    format: 'wordlens-model', version: MODEL_FORMAT_VERSION, kind, tokenizer: 'whitespace', hyper,
    metrics: { valid_ppl: 12.5 }, corpus: { files: 1 }, createdAt: new Date(0).toISOString(),
  };
  const weights = expectedWeights({ kind, vocabSize: V, embedDim: E, hiddenDim: H, layers })
    .filter((w) => !(opts.tied && w.name === 'dense/kernel'))
    .map((w) => ({ ...w, values: Float32Array.from({ length: w.shape.reduce((a, b) => a * b, 1) }, random) }));
  return { meta, vocab: { words, counts: words.map((_, i) => 100 - i) }, weights };
}

function assertSameModel(actual: SavedModel, expected: SavedModel): void {
  assert.deepEqual(actual.meta, expected.meta);
  assert.deepEqual(actual.vocab, expected.vocab);
  assert.deepEqual(actual.weights.map((w) => [w.name, w.shape]), expected.weights.map((w) => [w.name, w.shape]));
  for (let i = 0; i < expected.weights.length; i++) {
    // Bit-identical: compare the raw bytes, not approximately.
    assert.deepEqual(Buffer.from(actual.weights[i].values.buffer, actual.weights[i].values.byteOffset, actual.weights[i].values.byteLength),
      Buffer.from(expected.weights[i].values.buffer, expected.weights[i].values.byteOffset, expected.weights[i].values.byteLength));
  }
}

async function assertLoadFails(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadModel(dir), (err: unknown) => {
    assert.ok(err instanceof ModelLoadError, `expected ModelLoadError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'message must be one line');
    return true;
  });
}

test('an LSTM model round-trips bit-identically, with its n-gram bytes', async () => {
  const dir = path.join(tmpDir(), 'model');
  const model = { ...fixture('lstm'), ngram: Uint8Array.from([1, 2, 3, 250]) };
  model.weights[0].values[0] = NaN; // odd values survive too
  model.weights[0].values[1] = -0;
  await saveModel(dir, model);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['group1-shard1of1.bin', FILES.meta, FILES.model, FILES.ngram, FILES.vocab].sort());
  const loaded = await loadModel(dir);
  assertSameModel(loaded, model);
  assert.deepEqual([...loaded.ngram!], [1, 2, 3, 250]);
});

test('weights spanning several shards load back exactly', async () => {
  const dir = path.join(tmpDir(), 'model');
  const model = fixture('lstm', { V: 40, E: 8, H: 8 });
  await saveModel(dir, model, { shardBytes: 1000 });
  const shards = fs.readdirSync(dir).filter((f) => f.endsWith('.bin'));
  assert.ok(shards.length > 3, `expected several shards, got ${shards}`);
  assert.ok(shards.includes(`group1-shard1of${shards.length}.bin`));
  assertSameModel(await loadModel(dir), model);
});

test('skip-gram folders hold a lone embedding; a second save replaces the first', async () => {
  const dir = path.join(tmpDir(), 'model');
  await saveModel(dir, fixture('lstm'));
  const model = fixture('skipgram', { V: 9, E: 5 });
  await saveModel(dir, model);
  assertSameModel(await loadModel(dir), model);
  const json = JSON.parse(fs.readFileSync(path.join(dir, FILES.model), 'utf8'));
  assert.deepEqual(json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name), ['Embedding']);
  assert.equal(fs.readdirSync(path.dirname(dir)).length, 1, 'no temp folder left beside the model');
});

test('a tied model stores a real dense kernel (the embedding transposed) and loads without it', async () => {
  const dir = path.join(tmpDir(), 'model');
  const model = fixture('lstm', { E: 4, H: 4, layers: 1, tied: true });
  await saveModel(dir, model);
  assertSameModel(await loadModel(dir), model);
  const json = JSON.parse(fs.readFileSync(path.join(dir, FILES.model), 'utf8'));
  assert.ok(json.weightsManifest[0].weights.some((w: { name: string }) => w.name === 'dense/kernel'));
});

/** An IOHandler over the folder's files, as a browser or Node loader would read them. */
function folderHandler(dir: string): tf.io.IOHandler {
  const json = JSON.parse(fs.readFileSync(path.join(dir, FILES.model), 'utf8'));
  const group = json.weightsManifest[0];
  const data = Buffer.concat(group.paths.map((p: string) => fs.readFileSync(path.join(dir, p))));
  return tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: group.weights,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
  });
}

test('tf.loadLayersModel loads the saved folder and predicts a softmax over the vocabulary', async () => {
  await tf.setBackend('cpu');
  const dir = path.join(tmpDir(), 'model');
  const model = fixture('lstm', { V: 7, E: 3, H: 5, layers: 2 });
  await saveModel(dir, model, { shardBytes: 256 });
  const layers = await tf.loadLayersModel(folderHandler(dir));
  assert.deepEqual(layers.layers.map((l) => l.name), ['embedding', 'lstm', 'lstm_1', 'dense']);
  const embedding = layers.getLayer('embedding').getWeights()[0];
  assert.deepEqual([...embedding.dataSync()], [...model.weights[0].values]);
  const probs = tf.tidy(() => (layers.predict(tf.tensor2d([[1, 4, 6, 2]])) as tf.Tensor).arraySync() as number[][][]);
  assert.deepEqual([probs.length, probs[0].length, probs[0][0].length], [1, 4, 7]);
  for (const row of probs[0]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  layers.dispose();
});

test('a skip-gram folder is a layers model whose output is the embedding rows', async () => {
  await tf.setBackend('cpu');
  const dir = path.join(tmpDir(), 'model');
  const model = fixture('skipgram', { V: 5, E: 3 });
  await saveModel(dir, model);
  const layers = await tf.loadLayersModel(folderHandler(dir));
  const out = tf.tidy(() => (layers.predict(tf.tensor2d([[2]])) as tf.Tensor).dataSync());
  assert.deepEqual([...out], [...model.weights[0].values.subarray(6, 9)]);
  layers.dispose();
});

async function savedDir(): Promise<string> {
  const dir = path.join(tmpDir(), 'model');
  await saveModel(dir, fixture('lstm'));
  return dir;
}

function editJson(file: string, edit: (json: any) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json));
}

test('corrupt folders fail with one clear line naming the problem', async (t) => {
  await t.test('missing folder', async () => assertLoadFails(path.join(tmpDir(), 'nope'), /no model folder at .*nope/));
  await t.test('not a model folder', async () => assertLoadFails(tmpDir(), /not a Wordlens model folder \(meta\.json is missing\)/));
  await t.test('model.json is not JSON', async () => {
    const dir = await savedDir();
    fs.writeFileSync(path.join(dir, FILES.model), '{"format": "layers-model", ');
    await assertLoadFails(dir, /model\.json is not valid JSON/);
  });
  await t.test('meta.json is not JSON', async () => {
    const dir = await savedDir();
    fs.writeFileSync(path.join(dir, FILES.meta), 'not json');
    await assertLoadFails(dir, /meta\.json is not valid JSON/);
  });
  await t.test('vocab.json is not JSON', async () => {
    const dir = await savedDir();
    fs.writeFileSync(path.join(dir, FILES.vocab), '{"words": [');
    await assertLoadFails(dir, /vocab\.json is not valid JSON/);
  });
  await t.test('missing shard', async () => {
    const dir = await savedDir();
    fs.rmSync(path.join(dir, 'group1-shard1of1.bin'));
    await assertLoadFails(dir, /weight shard .*group1-shard1of1\.bin is missing/);
  });
  await t.test('truncated shard (of several: the right one is named)', async () => {
    const dir = path.join(tmpDir(), 'model');
    await saveModel(dir, fixture('lstm', { V: 30, E: 8, H: 8 }), { shardBytes: 1024 });
    const count = fs.readdirSync(dir).filter((f) => f.endsWith('.bin')).length;
    assert.ok(count > 2);
    fs.truncateSync(path.join(dir, `group1-shard2of${count}.bin`), 1000);
    await assertLoadFails(dir, new RegExp(`weight shard .*group1-shard2of${count}\\.bin is truncated`));
  });
  await t.test('vocab.json does not match the embedding', async () => {
    const dir = await savedDir();
    editJson(path.join(dir, FILES.vocab), (v) => { v.words.push('extra'); v.counts.push(1); });
    await assertLoadFails(dir, /vocab\.json has 7 words but the embedding has 6 rows/);
  });
  await t.test('vocab.json malformed', async () => {
    const dir = await savedDir();
    editJson(path.join(dir, FILES.vocab), (v) => { v.counts.pop(); });
    await assertLoadFails(dir, /vocab\.json: has 6 words but 5 counts/);
  });
  await t.test('newer format version', async () => {
    const dir = await savedDir();
    editJson(path.join(dir, FILES.meta), (m) => { m.version = MODEL_FORMAT_VERSION + 1; });
    await assertLoadFails(dir, new RegExp(`model format version ${MODEL_FORMAT_VERSION + 1} is newer than this Wordlens supports \\(${MODEL_FORMAT_VERSION}\\); update Wordlens`));
  });
  await t.test('hyper-parameters imply other shapes', async () => {
    const dir = await savedDir();
    editJson(path.join(dir, FILES.meta), (m) => { m.hyper.hiddenDim = 5; });
    await assertLoadFails(dir, /meta\.json says hiddenDim 5 but .*model\.json's network has 4/);
  });
  await t.test('a weight missing from the manifest', async () => {
    const dir = await savedDir();
    editJson(path.join(dir, FILES.model), (j) => { j.weightsManifest[0].weights.pop(); });
    await assertLoadFails(dir, /longer than expected|dense\/bias is missing/);
  });
  await t.test('a shard path leading out of the folder', async () => {
    const dir = await savedDir();
    editJson(path.join(dir, FILES.model), (j) => { j.weightsManifest[0].paths = ['../secret.bin']; });
    await assertLoadFails(dir, /not a file name in the model folder/);
  });
});

test('saving never replaces a file or a folder that is not a model', async () => {
  const parent = tmpDir();
  const file = path.join(parent, 'notes.txt');
  fs.writeFileSync(file, 'keep me');
  await assert.rejects(saveModel(file, fixture('lstm')), /it is a file, not a folder/);
  const src = path.join(parent, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'main.ts'), 'keep me too');
  await assert.rejects(saveModel(src, fixture('lstm')), /not a Wordlens model folder, so it will not be replaced/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'keep me');
  assert.equal(fs.readFileSync(path.join(src, 'main.ts'), 'utf8'), 'keep me too');
  const empty = path.join(parent, 'empty');
  fs.mkdirSync(empty);
  await saveModel(empty, fixture('lstm'));
  await loadModel(empty);
});

test('saving refuses weights that do not fit the hyper-parameters', async () => {
  const model = fixture('lstm');
  model.weights[1] = { ...model.weights[1], shape: [2, 16], values: new Float32Array(32) };
  await assert.rejects(saveModel(path.join(tmpDir(), 'm'), model), /cannot save model: weight lstm\/kernel has shape \[2,16\]/);
});

test('a save that fails at the final swap leaves the old model loadable and no temp folder', async () => {
  const parent = tmpDir();
  const dir = path.join(parent, 'model');
  const old = fixture('lstm');
  await saveModel(dir, old);
  setFaultHook((stage) => { if (stage === 'old-moved-aside') throw new Error('disk gone'); });
  try {
    await assert.rejects(saveModel(dir, fixture('skipgram')), /disk gone/);
  } finally {
    setFaultHook(undefined);
  }
  assertSameModel(await loadModel(dir), old);
  assert.deepEqual(fs.readdirSync(parent), ['model']);
});

// A child process saves a new model over an old one and SIGKILLs itself at one stage:
// a real crash, with no cleanup code running. The loader must find one complete model.
test('a process killed at any stage of a save leaves the old or the new model, never a mix', async () => {
  const stages = ['files-written', 'ready', 'old-moved-aside', 'swapped'] as const;
  const expectNew: Record<string, boolean> = { 'files-written': false, ready: false, 'old-moved-aside': true, swapped: true };
  const root = tmpDir();
  const script = path.join(root, 'crash.ts');
  const src = path.resolve(__dirname, '../../src/engine');
  fs.writeFileSync(script, `
    import { saveModel } from ${JSON.stringify(path.join(src, 'io/store.ts'))};
    import { setFaultHook } from ${JSON.stringify(path.join(src, 'io/atomic.ts'))};
    const [dir, stage, json] = process.argv.slice(2);
    const model = JSON.parse(require('node:fs').readFileSync(json, 'utf8'));
    model.weights = model.weights.map((w: any) => ({ ...w, values: Float32Array.from(w.values) }));
    setFaultHook((s) => { if (s === stage) process.kill(process.pid, 'SIGKILL'); });
    saveModel(dir, model).then(() => process.exit(3));
  `);
  const runs = await Promise.all(
    stages.map(async (stage) => {
      const dir = path.join(root, stage, 'model');
      const old = fixture('lstm');
      await saveModel(dir, old);
      const next = fixture('skipgram', { V: 8, E: 2 });
      const json = path.join(root, `${stage}.json`);
      fs.writeFileSync(json, JSON.stringify({ ...next, weights: next.weights.map((w) => ({ ...w, values: [...w.values] })) }));
      const run = await new Promise<{ signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
        execFile(process.execPath, ['--import', 'tsx', script, dir, stage, json], (err, _out, stderr) =>
          resolve({ signal: (err as { signal?: NodeJS.Signals } | null)?.signal ?? null, stderr })),
      );
      return { stage, dir, old, next, run };
    }),
  );
  for (const { stage, dir, old, next, run } of runs) {
    assert.equal(run.signal, 'SIGKILL', `child should die at ${stage}: ${run.stderr}`);
    assertSameModel(await loadModel(dir), expectNew[stage] ? next : old);
    assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['model'], `temps cleaned after a crash at ${stage}`);
  }
});
