// Open a model folder's embedding matrix as a searchable index (any model kind has one).
import { initBackend } from '../engine/kernels/backend';
import { EmbeddingIndex } from '../engine/embeddings/neighbors';
import { readIvf } from '../engine/embeddings/ivfIndex';
import { loadModel } from '../engine/io/store';
import type { ModelMeta } from '../engine/types';
import { UserError } from './output';

export interface OpenEmbeddings {
  meta: ModelMeta;
  words: string[];
  matrix: Float32Array;
  dim: number;
  index: EmbeddingIndex;
  backend: string;
}

export async function openEmbeddings(dir: string): Promise<OpenEmbeddings> {
  const backend = await initBackend();
  const model = await loadModel(dir);
  const emb = model.weights.find((w) => w.name === 'embedding/embeddings')!;
  const words = model.vocab.words;
  const dim = emb.shape[1];
  const index = new EmbeddingIndex(words, emb.values, dim);
  const warn = (problem: string) => process.stderr.write(`warning: ${problem}\n`);
  const ivf = await readIvf(dir, words.length, dim, warn);
  if (ivf) index.attachApproximate(ivf, warn);
  return { meta: model.meta, words, matrix: emb.values, dim, index, backend };
}

/** A word must be in the vocabulary; suggests the case variant when only that is. */
export function requireWord(e: OpenEmbeddings, word: string): void {
  if (e.index.idOf(word) !== undefined) return;
  const lower = word.toLowerCase();
  const variant = e.words.find((w) => w.toLowerCase() === lower);
  const hint = variant ? `; did you mean "${variant}"?` : '';
  throw new UserError(`"${word}" is not in the model's vocabulary (${e.words.length.toLocaleString('en-US')} words)${hint}`);
}
