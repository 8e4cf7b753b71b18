// Small model folders the server tests make themselves: a vocabulary and a Kneser-Ney
// n-gram from a fixture text, and an embedding with a planted neighbourhood.
import { NgramModel } from '../../src/engine/ngram/ngram';
import { saveModel } from '../../src/engine/io/store';
import { createTokenizer } from '../../src/engine/text/tokenizer';
import type { ModelMeta } from '../../src/engine/types';
import { Vocab } from '../../src/engine/text/vocab';

/** Repetitive code, so the n-gram has confident continuations to complete with. */
export const FIXTURE_TEXT = Array.from(
  { length: 30 },
  (_, i) =>
    `function add${i % 3}(left: number, right: number): number {\n` +
    `  const total = left + right;\n` +
    `  console.log("total", total);\n` +
    `  return total;\n` +
    `}\n`,
).join('\n');

export const EMBED_DIM = 8;

/** Writes a `vectors` model with an n-gram beside it; `near` words get almost the same vector. */
export async function writeFixtureModel(dir: string, near: [string, string] = [' number', ' total']): Promise<{ vocab: Vocab }> {
  const tokenizer = createTokenizer('code');
  const tokens = tokenizer.tokenize(FIXTURE_TEXT);
  const vocab = Vocab.build(tokens);
  const ngram = NgramModel.build(vocab.encode(tokens), vocab.size, 4);
  const values = new Float32Array(vocab.size * EMBED_DIM);
  // Deterministic, well-spread vectors: row i is a one-hot-ish pattern.
  for (let i = 0; i < vocab.size; i++) {
    for (let d = 0; d < EMBED_DIM; d++) values[i * EMBED_DIM + d] = Math.sin(i * 7.3 + d * 1.9);
  }
  const [a, b] = near.map((w) => {
    if (!vocab.has(w)) throw new Error(`fixture: ${JSON.stringify(w)} is not in the vocabulary`);
    return vocab.id(w);
  });
  for (let d = 0; d < EMBED_DIM; d++) values[b * EMBED_DIM + d] = values[a * EMBED_DIM + d] * 1.01 + 0.001;
  const meta: ModelMeta = {
    format: 'wordlens-model',
    version: 1,
    kind: 'vectors',
    tokenizer: 'code',
    hyper: { vocabSize: vocab.size, embedDim: EMBED_DIM },
    metrics: { valid_ppl: 3.5, valid_ppl_lstm: 4.25, valid_ppl_ngram: 5.5 },
    corpus: { files: 1, tokens: tokens.length },
    createdAt: new Date(0).toISOString(),
  };
  await saveModel(dir, {
    meta,
    vocab: vocab.toJSON(),
    weights: [{ name: 'embedding/embeddings', shape: [vocab.size, EMBED_DIM], values }],
    ngram: ngram.serialize(),
  });
  return { vocab };
}
