import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initBackend } from '../../src/engine/kernels/backend';
import { LstmModel } from '../../src/engine/lstm/lstm';
import { NgramModel } from '../../src/engine/ngram/ngram';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import type { LstmHyper, ModelMeta } from '../../src/engine/types';
import { Vocab } from '../../src/engine/text/vocab';
import { completeText, textBefore, warmUp } from '../../src/server/predict';
import { assemble, type ServingModel } from '../../src/server/servingModel';

before(async () => {
  await initBackend();
});

const TEXT = 'function add(a, b) {\n  return a + b;\n}\nconst total = add(1, 2);\n'.repeat(12);

/** A served LSTM + n-gram mixture over a small code vocabulary, as a model folder would give. */
function servedMixture(): ServingModel {
  const tokenizer = createTokenizer('code');
  const tokens = tokenizer.tokenize(TEXT);
  const vocab = Vocab.build(tokens);
  const hyper: LstmHyper = { vocabSize: vocab.size, embedDim: 8, hiddenDim: 8, layers: 1, tied: true, dropout: 0 };
  const net = LstmModel.create(hyper, 2);
  const weights = net.weights();
  net.dispose();
  const meta: ModelMeta = {
    format: 'wordlens-model',
    version: 1,
    kind: 'lstm',
    tokenizer: 'code',
    hyper: { ...hyper },
    metrics: { lambda: 0.3 },
    corpus: {},
    createdAt: new Date(0).toISOString(),
  };
  const ngram = NgramModel.build(vocab.encode(tokens), vocab.size, 4).serialize();
  return assemble('/nowhere', { meta, vocab: vocab.toJSON(), weights, ngram });
}

test('warmUp changes no completion, keeps no document state and leaves no tensors', async () => {
  const doc = TextDocument.create('file:///a.ts', 'typescript', 1, TEXT);
  const signal = new AbortController().signal;
  const opts = { maxTokens: 8, multiline: false, temperature: 0, signal };
  const positions = [3, 9, 20, 33].map((line) => ({ line, character: 2 }));
  const cold = servedMixture();
  const expected = await Promise.all(positions.map((p) => completeText(cold, 'file:///a.ts', textBefore(doc, p), opts)));
  assert.ok(expected.some((r) => r.text.length > 0), 'the fixture completes something');
  cold.dispose();

  const model = servedMixture();
  await warmUp(model);
  const tensors = tf.memory().numTensors;
  await warmUp(model);
  assert.equal(tf.memory().numTensors, tensors);
  let created = 0;
  model.documentCache('file:///probe', () => ++created);
  assert.equal(created, 1, 'warmUp made no document cache');
  for (let i = 0; i < positions.length; i++) {
    assert.deepEqual(await completeText(model, 'file:///a.ts', textBefore(doc, positions[i]), opts), expected[i]);
  }
  model.dispose();
});
