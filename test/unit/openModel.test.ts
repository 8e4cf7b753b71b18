// openSavedModel: the one way the CLI and the server turn a model folder into a next-token
// model (LSTM + n-gram + λ), including the cases where the two used to differ.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/kernels/backend';
import { InterpolatedModel } from '../../src/engine/decode/interpolate';
import { openSavedModel } from '../../src/engine/io/openModel';
import { ModelLoadError, type SavedModel } from '../../src/engine/io/store';
import { LstmModel } from '../../src/engine/lstm/lstm';
import { NgramModel } from '../../src/engine/ngram/ngram';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import { Vocab } from '../../src/engine/text/vocab';
import type { LstmHyper, ModelMeta } from '../../src/engine/types';

before(async () => {
  await initBackend();
});

const tokens = createTokenizer('whitespace').tokenize('the cat sat on the mat\nthe dog sat on the log\n'.repeat(4));
const vocab = Vocab.build(tokens);

function folder(metrics: ModelMeta['metrics'], opts: { ngramVocab?: number } = {}): SavedModel {
  const hyper: LstmHyper = { vocabSize: vocab.size, embedDim: 4, hiddenDim: 4, layers: 1, tied: true, dropout: 0.2 };
  const net = LstmModel.create(hyper, 3);
  const weights = net.weights();
  net.dispose();
  const ids = vocab.encode(tokens);
  const ngramVocab = opts.ngramVocab ?? vocab.size;
  const ngram = NgramModel.build(ids.map((id) => id % ngramVocab), ngramVocab, 3).serialize();
  const meta: ModelMeta = {
    format: 'wordlens-model', version: 1, kind: 'lstm', tokenizer: 'whitespace',
    hyper: { ...hyper }, metrics, corpus: {}, createdAt: new Date(0).toISOString(),
  };
  return { meta, vocab: vocab.toJSON(), weights, ngram };
}

test('the LSTM and the n-gram mix by the fitted λ; dispose frees every tensor', () => {
  const tensors = tf.memory().numTensors;
  const opened = openSavedModel('/m', folder({ lambda: 0.3 }));
  assert.ok(opened.lm instanceof InterpolatedModel);
  assert.equal((opened.lm as InterpolatedModel<unknown, unknown>).lambda, 0.3);
  assert.equal(opened.lambda, 0.3);
  assert.equal(opened.lm.logProbs(opened.lm.initialState()).length, vocab.size);
  opened.dispose();
  assert.equal(tf.memory().numTensors, tensors);
});

test('a missing or null λ mixes half and half (the CLI used to read null as 0: the n-gram alone)', () => {
  for (const metrics of [{ lambda: null }, {}, { lambda: 'x' }, { lambda: 1.5 }] as ModelMeta['metrics'][]) {
    const opened = openSavedModel('/m', folder(metrics));
    assert.equal(opened.lambda, 0.5, JSON.stringify(metrics));
    opened.dispose();
  }
});

test('λ = 1, or the LSTM alone asked for, serves the LSTM without the n-gram', () => {
  const full = openSavedModel('/m', folder({ lambda: 1 }));
  assert.equal(full.lm, full.lstm);
  assert.ok(full.ngram, 'the n-gram is still opened (eval reports it)');
  full.dispose();
  const alone = openSavedModel('/m', folder({ lambda: 0.3 }), { lstmOnly: true });
  assert.equal(alone.lm, alone.lstm);
  assert.equal(alone.ngram, undefined);
  assert.equal(alone.lambda, 1);
  alone.dispose();
});

test('an n-gram of another vocabulary fails as ModelLoadError and leaves no tensors', () => {
  const tensors = tf.memory().numTensors;
  const saved = folder({ lambda: 0.3 }, { ngramVocab: vocab.size - 1 });
  assert.throws(() => openSavedModel('/m', saved), (e: Error) => e instanceof ModelLoadError && /ngram\.bin has \d+ words but vocab\.json has/.test(e.message));
  assert.equal(tf.memory().numTensors, tensors);
});

test('an embedding-only folder has no LSTM; with an n-gram beside it, the n-gram predicts', () => {
  const saved = folder({});
  saved.meta = { ...saved.meta, kind: 'skipgram' };
  const opened = openSavedModel('/m', saved);
  assert.equal(opened.lstm, undefined);
  assert.equal(opened.lm, opened.ngram);
  assert.equal(opened.lambda, 0);
  const bare = openSavedModel('/m', { ...saved, ngram: undefined });
  assert.equal(bare.lm, undefined);
});
