// A model folder as the handlers use it: the opened model (engine/io/openModel.ts: tokenizer,
// vocab, the next-token model) with the embedding index and what only a server needs: the
// per-document prefix caches, which belong to one model and go away with it, and the holds
// that keep a swapped-out model alive until its last request ends.
import * as path from 'node:path';
import { EmbeddingIndex } from '../engine/embeddings/neighbors';
import { openSavedModel } from '../engine/io/openModel';
import { loadModel, ModelLoadError, type SavedModel } from '../engine/io/store';
import type { Vocab } from '../engine/text/vocab';
import type { LanguageModel, ModelMeta, Tokenizer } from '../engine/types';
import type { ModelInfo } from '../protocol';

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

export async function loadServingModel(dir: string): Promise<ServingModel> {
  return assemble(dir, await loadModel(dir));
}

/** Builds a serving model from a loaded (or freshly trained) folder's contents. */
export function assemble(dir: string, saved: SavedModel): ServingModel {
  const embedding = saved.weights.find((w) => w.name === 'embedding/embeddings');
  if (!embedding || embedding.shape.length !== 2) throw new ModelLoadError(`${path.resolve(dir)}: the model has no embedding matrix`);
  const opened = openSavedModel(dir, saved);
  const { meta, vocab, tokenizer, lm } = opened;
  const embeddings = new EmbeddingIndex(vocab.toJSON().words, embedding.values, embedding.shape[1]);
  const caches = new Map<string, unknown>();
  const ppl = meta.metrics?.valid_ppl;
  const numberOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const info: ModelInfo = {
    modelPath: opened.dir,
    kind: opened.lstm && opened.ngram ? 'lstm+ngram' : meta.kind,
    vocab: vocab.size,
    tokenizer: meta.tokenizer,
    validPpl: typeof ppl === 'number' ? ppl : null,
    validPplLstm: numberOrNull(meta.metrics?.valid_ppl_lstm),
    validPplNgram: numberOrNull(meta.metrics?.valid_ppl_ngram),
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
      opened.dispose();
    },
  };
  return model;
}
