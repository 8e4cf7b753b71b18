// A model folder turned into what the handlers use: tokenizer, vocab, a next-token model
// (LSTM, n-gram, or both interpolated) and the embedding index; plus the per-document
// prefix caches, which belong to one model and go away with it.
import * as path from 'node:path';
import { EmbeddingIndex } from '../engine/embeddings/neighbors';
import { readIvf } from '../engine/embeddings/ivfIndex';
import { NgramModel } from '../engine/ngram/ngram';
import { loadModel, ModelLoadError, type SavedModel } from '../engine/io/store';
import { createTokenizer } from '../engine/text/tokenizer';
import type { LanguageModel, ModelMeta, Tokenizer } from '../engine/types';
import { Vocab } from '../engine/text/vocab';
import type { ModelInfo } from '../protocol';
import { buildLanguageModel } from './languageModel';

export interface ServingModel {
  readonly info: ModelInfo;
  readonly meta: ModelMeta;
  readonly vocab: Vocab;
  readonly tokenizer: Tokenizer;
  /** Absent for vector-only models (neighbours and analogies still work). */
  readonly lm: LanguageModel | undefined;
  readonly embeddings: EmbeddingIndex;
  /** The prefix-state cache of one document (created on first use). */
  documentCache<C>(uri: string, create: () => C): C;
  forgetDocument(uri: string): void;
  /** Keeps the model alive for a request; call the returned function when it ends. */
  hold(): () => void;
  /** Frees the model once no request holds it (after a swap). */
  retire(): void;
  dispose(): void;
}

export async function loadServingModel(dir: string, log?: (message: string) => void): Promise<ServingModel> {
  const saved = await loadModel(dir);
  const model = assemble(path.resolve(dir), saved);
  // An imported large vocabulary comes with its approximate neighbour index.
  const ivf = await readIvf(dir, model.embeddings.size, model.embeddings.dim, log);
  if (ivf) model.embeddings.attachApproximate(ivf);
  return model;
}

/** Builds a serving model from a loaded (or freshly trained) folder's contents. */
export function assemble(dir: string, saved: SavedModel): ServingModel {
  const { meta } = saved;
  const vocab = Vocab.fromJSON(saved.vocab);
  const tokenizer = createTokenizer(meta.tokenizer);
  const embedding = saved.weights.find((w) => w.name === 'embedding/embeddings');
  if (!embedding || embedding.shape.length !== 2) throw new ModelLoadError(`${dir}: the model has no embedding matrix`);
  let ngram: NgramModel | undefined;
  if (saved.ngram) {
    try {
      ngram = NgramModel.deserialize(saved.ngram);
    } catch (error) {
      throw new ModelLoadError(`${path.join(dir, 'ngram.bin')}: ${(error as Error).message}`);
    }
    if (ngram.vocabSize !== vocab.size) {
      throw new ModelLoadError(`${path.join(dir, 'ngram.bin')} has ${ngram.vocabSize} words but vocab.json has ${vocab.size}`);
    }
  }
  const lm = buildLanguageModel(meta, saved.weights, ngram);
  const embeddings = new EmbeddingIndex(vocab.toJSON().words, embedding.values, embedding.shape[1]);
  const caches = new Map<string, unknown>();
  const ppl = meta.metrics?.valid_ppl;
  const info: ModelInfo = {
    modelPath: dir,
    kind: lm && ngram && meta.kind === 'lstm' ? 'lstm+ngram' : meta.kind,
    vocab: vocab.size,
    tokenizer: meta.tokenizer,
    validPpl: typeof ppl === 'number' ? ppl : null,
    hasEmbeddings: true,
    canComplete: lm !== undefined,
  };
  let disposed = false;
  let holders = 0;
  let retired = false;
  const model: ServingModel = {
    info,
    meta,
    vocab,
    tokenizer,
    lm,
    embeddings,
    documentCache<C>(uri: string, create: () => C): C {
      let cache = caches.get(uri) as C | undefined;
      if (cache === undefined) {
        cache = create();
        caches.set(uri, cache);
      }
      return cache;
    },
    forgetDocument(uri: string) {
      caches.delete(uri);
    },
    hold() {
      holders++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holders--;
        if (retired && holders === 0) model.dispose();
      };
    },
    retire() {
      retired = true;
      if (holders === 0) model.dispose();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      caches.clear();
      embeddings.dispose();
      (lm as { dispose?: () => void } | undefined)?.dispose?.();
    },
  };
  return model;
}
