// Model folders made elsewhere: a network built and saved by TF.js's own tf.sequential +
// LayersModel.save loads by its topology (weight names mapped), predicts exactly what TF.js
// predicts, and completes through the CLI; networks Wordlens cannot run are refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { loadModel, ModelLoadError } from '../../src/engine/io/store';
import { LstmModel } from '../../src/engine/lstm/lstm';
import type { LstmHyper } from '../../src/engine/types';
import { main } from '../../src/cli';

const WORDS = ['<unk>', '<eos>', 'the', 'cat', 'sat', 'on', 'mat', 'dog'];
const V = WORDS.length;

/** Saves `model` with TF.js's own save() through an IO handler that writes a folder as tfjs-node's file:// would. */
async function saveWithTfjs(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = { modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify({ words: WORDS, counts: WORDS.map(() => 1) }));
}

function lm(opts: { layers?: number; recurrentActivation?: string; rnn?: 'lstm' | 'gru' } = {}): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: V, outputDim: 6, inputLength: 4 }));
  for (let l = 0; l < (opts.layers ?? 1); l++) {
    const config = { units: 5, returnSequences: true, recurrentActivation: opts.recurrentActivation ?? 'sigmoid' } as const;
    model.add(opts.rnn === 'gru' ? tf.layers.gru(config as never) : tf.layers.lstm(config as never));
  }
  model.add(tf.layers.dropout({ rate: 0.1 }));
  model.add(tf.layers.dense({ units: V, activation: 'softmax' }));
  return model;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wordlens-foreign-'));

test('a TF.js LayersModel.save folder loads by its topology and predicts what TF.js predicts', async () => {
  await initBackend();
  for (const layers of [1, 2]) {
    const model = lm({ layers });
    const dir = path.join(tmp(), 'model');
    await saveWithTfjs(model, dir);
    const names = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights.map((w: { name: string }) => w.name);
    assert.ok(names.some((n: string) => /^lstm_LSTM\d+\//.test(n)), `TF.js names its own layers: ${names}`);
    const saved = await loadModel(dir);
    assert.equal(saved.meta.kind, 'lstm');
    assert.equal(saved.meta.tokenizer, 'whitespace', '<eos> in the vocabulary means the whitespace tokenizer');
    assert.deepEqual([saved.meta.hyper.vocabSize, saved.meta.hyper.embedDim, saved.meta.hyper.hiddenDim, saved.meta.hyper.layers], [V, 6, 5, layers]);
    const ours = LstmModel.fromWeights({ ...(saved.meta.hyper as unknown as LstmHyper), dropout: 0 }, saved.weights);
    const ids = [2, 3, 4, 5];
    const expected = tf.tidy(() => (model.predict(tf.tensor2d([ids], [1, 4], 'float32')) as tf.Tensor).arraySync() as number[][][])[0];
    let state = ours.initialState();
    for (let t = 0; t < ids.length; t++) {
      state = ours.advance(state, ids[t]);
      const got = ours.logProbs(state);
      for (let w = 0; w < V; w++) assert.ok(Math.abs(Math.exp(got[w]) - expected[t][w]) < 1e-5, `layers ${layers}, step ${t}, word ${w}: ${Math.exp(got[w])} vs ${expected[t][w]}`);
    }
    ours.dispose();
    model.dispose();
  }
});

test('the CLI completes with a folder TF.js saved', async () => {
  await initBackend();
  const model = lm();
  const dir = path.join(tmp(), 'model');
  await saveWithTfjs(model, dir);
  model.dispose();
  const file = path.join(tmp(), 'prompt.txt');
  fs.writeFileSync(file, 'the cat sat on the ');
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _e, done) { append(String(chunk)); done(); } });
  const code = await main(['complete', '--model', dir, '--file', file, '--offset', '19', '--json'], { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.equal(typeof result.completion, 'string');
  assert.ok(result.completion.trim().split(/\s+/).every((w: string) => WORDS.includes(w) || w === ''), result.completion);
});

test('networks Wordlens cannot run are refused with what was found', async () => {
  await initBackend();
  const cases: [ReturnType<typeof lm>, RegExp][] = [
    [lm({ recurrentActivation: 'hardSigmoid' }), /recurrent_activation is "hard_?[sS]igmoid"; Wordlens's LSTM computes sigmoid/],
    [lm({ rnn: 'gru' }), /\(Embedding -> GRU -> Dense\) cannot be used: GRU layers are not supported/],
  ];
  for (const [model, pattern] of cases) {
    const dir = path.join(tmp(), 'model');
    await saveWithTfjs(model, dir);
    model.dispose();
    await assert.rejects(loadModel(dir), (err: unknown) => {
      assert.ok(err instanceof ModelLoadError);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
  const noVocab = path.join(tmp(), 'model');
  const model = lm();
  await saveWithTfjs(model, noVocab);
  model.dispose();
  fs.rmSync(path.join(noVocab, 'vocab.json'));
  await assert.rejects(loadModel(noVocab), /vocab\.json is missing: a model needs its vocabulary/);
});

test('Keras converter names (lstm/lstm_cell/kernel) map to the same weights', async () => {
  await initBackend();
  const model = lm();
  const dir = path.join(tmp(), 'model');
  await saveWithTfjs(model, dir);
  const before = await loadModel(dir);
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const rename = new Map<string, string>();
  for (const layer of json.modelTopology.config.layers) {
    const keras = String(layer.class_name).toLowerCase();
    rename.set(layer.config.name, keras);
    layer.config.name = keras;
  }
  for (const w of json.weightsManifest[0].weights) {
    const [layer, leaf] = w.name.split('/');
    const to = rename.get(layer)!;
    w.name = to === 'lstm' ? `lstm/lstm_cell/${leaf}` : `${to}/${leaf}`;
  }
  fs.writeFileSync(file, JSON.stringify(json));
  const after = await loadModel(dir);
  assert.deepEqual(after.weights.map((w) => w.name).sort(), before.weights.map((w) => w.name).sort());
  for (const w of after.weights) assert.deepEqual(w.values, before.weights.find((b) => b.name === w.name)!.values);
  model.dispose();
});
