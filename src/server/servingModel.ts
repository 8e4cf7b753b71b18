// A model as the handlers use it: the opened folder (engine/io/openModel.ts: tokenizer, vocab,
// LSTM, n-gram), or the n-gram alone while the LSTM still trains, with what only a server
// needs: the embedding index (absent until there are embeddings to show), live learning from
// edits (liveLearning.ts), the per-document prefix caches, which belong to one model and go
// away with it, and the holds that keep a swapped-out model alive until its last request ends.
import * as path from 'node:path';
import { EmbeddingIndex } from '../engine/embeddings/neighbors';
import { readIvf } from '../engine/embeddings/ivfIndex';
import { openSavedModel } from '../engine/io/openModel';
import { FILES, loadModel, ModelLoadError, type SavedModel } from '../engine/io/store';
import { decodeNgramFiles } from '../engine/io/ngramFiles';
import { NgramModel } from '../engine/ngram/ngram';
import type { LiveFile } from '../engine/ngram/liveNgram';
import type { NgramSnapshot } from '../engine/pipeline/contract';
import { createTokenizer } from '../engine/text/tokenizer';
import { Vocab } from '../engine/text/vocab';
import type { LanguageModel, ModelMeta, Tokenizer } from '../engine/types';
import type { ModelInfo } from '../protocol';
import { LiveLearning } from './liveLearning';
import { UserError } from './requests';

/** What serves: the n-gram alone (the LSTM still training), the LSTM with it, or vectors only. */
export type Serving = 'n-gram' | 'LSTM + n-gram' | 'LSTM' | 'vectors';

export interface ServingModel {
  readonly info: ModelInfo;
  readonly meta: ModelMeta;
  readonly vocab: Vocab;
  readonly tokenizer: Tokenizer;
  readonly serving: Serving;
  /** The next-token model; absent for vector-only models (neighbours and analogies still work). */
  readonly lm: LanguageModel | undefined;
  /** Absent while only the n-gram serves: `noEmbeddings` says why. */
  readonly embeddings: EmbeddingIndex | undefined;
  readonly noEmbeddings: string | undefined;
  /** Learning from edits (absent without a next-token model). */
  readonly live: LiveLearning | undefined;
  /** Training files the live n-gram counted (handed on to the next model of the same run). */
  readonly files: readonly LiveFile[];
  /** The prefix-state cache of one document (created on first use). */
  documentCache<C>(uri: string, create: () => C): C;
  forgetDocument(uri: string): void;
  /** Keeps the model alive for a request; call the returned function when it ends. */
  hold(): () => void;
  /** Frees the model once no request holds it (after a swap). */
  retire(): void;
  dispose(): void;
}

/** Why hover and the map have nothing while the n-gram serves alone. */
export const NO_EMBEDDINGS_YET = 'No embeddings yet: the n-gram serves completions while the LSTM trains; neighbours and the map come with its first checkpoint.';

/** The model's embeddings, or a UserError saying why there are none yet. */
export function embeddingsOf(model: ServingModel): EmbeddingIndex {
  if (!model.embeddings) throw new UserError(model.noEmbeddings ?? 'This model has no embeddings.');
  return model.embeddings;
}

/**
 * `files`: the training files the folder's n-gram counted, when the caller knows them (the run
 * that saved it); otherwise the folder's own record of them, if it has one.
 */
export async function loadServingModel(dir: string, files: readonly LiveFile[] = [], log?: (message: string) => void): Promise<ServingModel> {
  const saved = await loadModel(dir);
  const model = assemble(dir, saved, files.length ? files : countedFiles(dir, saved, log));
  // An imported large vocabulary comes with its approximate neighbour index.
  const ivf = model.embeddings ? await readIvf(dir, model.embeddings.size, model.embeddings.dim, log) : undefined;
  if (ivf) model.embeddings!.attachApproximate(ivf, log);
  return model;
}

/** The folder's record of the files its n-gram counted; none (edits then add to the counts) when absent or damaged. */
function countedFiles(dir: string, saved: SavedModel, log?: (message: string) => void): LiveFile[] {
  if (!saved.ngramFiles) return [];
  try {
    return decodeNgramFiles(saved.ngramFiles, saved.vocab.words.length).map((f) => ({ id: f.path, ids: f.ids }));
  } catch (error) {
    log?.(`${path.join(dir, FILES.ngramFiles)} is damaged (${(error as Error).message}): edits will add to the n-gram's counts instead of replacing the files' old text`);
    return [];
  }
}

const numberOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Builds a serving model from a loaded (or freshly trained) folder's contents. */
export function assemble(dir: string, saved: SavedModel, files: readonly LiveFile[] = []): ServingModel {
  const embedding = saved.weights.find((w) => w.name === 'embedding/embeddings');
  if (!embedding || embedding.shape.length !== 2) throw new ModelLoadError(`${path.resolve(dir)}: the model has no embedding matrix`);
  const opened = openSavedModel(dir, saved);
  const { meta, vocab, tokenizer } = opened;
  const embeddings = new EmbeddingIndex(vocab.toJSON().words, embedding.values, embedding.shape[1]);
  const live = opened.lm
    ? new LiveLearning({ ngram: opened.ngram, files, lstm: opened.lstm, lambda: opened.lambda, cache: meta.cache, vocab, tokenizer })
    : undefined;
  const ppl = meta.metrics?.valid_ppl;
  const serving: Serving = opened.lstm && opened.ngram && opened.lambda < 1 ? 'LSTM + n-gram' : opened.lstm ? 'LSTM' : opened.ngram ? 'n-gram' : 'vectors';
  return wrap({
    info: {
      modelPath: opened.dir,
      kind: opened.lstm && opened.ngram ? 'lstm+ngram' : meta.kind,
      vocab: vocab.size,
      tokenizer: meta.tokenizer,
      validPpl: typeof ppl === 'number' ? ppl : null,
      validPplLstm: numberOrNull(meta.metrics?.valid_ppl_lstm),
      validPplNgram: numberOrNull(meta.metrics?.valid_ppl_ngram),
      hasEmbeddings: true,
      canComplete: opened.lm !== undefined,
    },
    meta,
    vocab,
    tokenizer,
    serving,
    embeddings,
    live,
    files,
    free: () => {
      embeddings.dispose();
      opened.dispose();
    },
  });
}

/** The n-gram half of a training run that is still going (no tensors, no embeddings). */
export function assembleNgram(outDir: string, snapshot: NgramSnapshot): ServingModel {
  const vocab = Vocab.fromJSON(snapshot.vocab);
  const tokenizer = createTokenizer(snapshot.tokenizer);
  const ngram = NgramModel.deserialize(snapshot.ngram);
  const files = snapshot.files.map((f) => ({ id: f.path, ids: f.ids }));
  const live = new LiveLearning({ ngram, files, lstm: undefined, lambda: 0, cache: snapshot.cache, vocab, tokenizer });
  const meta: ModelMeta = {
    format: 'wordlens-model',
    version: 1,
    kind: 'lstm',
    tokenizer: snapshot.tokenizer,
    hyper: { vocabSize: vocab.size },
    metrics: { valid_ppl: snapshot.validPpl },
    corpus: {},
    cache: snapshot.cache,
    createdAt: new Date().toISOString(),
  };
  return wrap({
    info: {
      modelPath: path.resolve(outDir),
      kind: 'ngram',
      vocab: vocab.size,
      tokenizer: snapshot.tokenizer,
      validPpl: snapshot.validPpl,
      validPplLstm: null,
      validPplNgram: snapshot.validPpl,
      hasEmbeddings: false,
      canComplete: true,
    },
    meta,
    vocab,
    tokenizer,
    serving: 'n-gram',
    embeddings: undefined,
    live,
    files,
    free: () => undefined,
  });
}

interface Parts {
  info: ModelInfo;
  meta: ModelMeta;
  vocab: Vocab;
  tokenizer: Tokenizer;
  serving: Serving;
  embeddings: EmbeddingIndex | undefined;
  live: LiveLearning | undefined;
  files: readonly LiveFile[];
  free(): void;
}

/** The caches and holds every serving model has. */
function wrap(parts: Parts): ServingModel {
  const caches = new Map<string, unknown>();
  let disposed = false;
  let holders = 0;
  let retired = false;
  const model: ServingModel = {
    info: parts.info,
    meta: parts.meta,
    vocab: parts.vocab,
    tokenizer: parts.tokenizer,
    serving: parts.serving,
    get lm() {
      return parts.live?.lm;
    },
    embeddings: parts.embeddings,
    noEmbeddings: parts.embeddings ? undefined : NO_EMBEDDINGS_YET,
    live: parts.live,
    files: parts.files,
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
      parts.free();
    },
  };
  return model;
}
