// A model folder opened for prediction: tokenizer, vocabulary, the LSTM, the n-gram saved
// beside it, and the next-token model they make (the LSTM mixed with the n-gram by the λ
// fitted at training, meta.metrics.lambda). The CLI and the server both open folders here,
// so they predict with the same model.
import * as path from 'node:path';
import { InterpolatedModel } from '../decode/interpolate';
import { LstmModel } from '../lstm/lstm';
import { NgramModel } from '../ngram/ngram';
import { createTokenizer } from '../text/tokenizer';
import { Vocab } from '../text/vocab';
import type { LanguageModel, LstmHyper, ModelMeta, Tokenizer } from '../types';
import { FILES, loadModel, ModelLoadError, type SavedModel } from './store';

export interface OpenedModel {
  /** The folder, resolved. */
  readonly dir: string;
  readonly meta: ModelMeta;
  readonly vocab: Vocab;
  readonly tokenizer: Tokenizer;
  /** Absent for embedding-only folders (skip-gram, imported vectors). */
  readonly lstm: LstmModel | undefined;
  /** Absent when the folder has none, or when the LSTM alone was asked for. */
  readonly ngram: NgramModel | undefined;
  /** Weight of the LSTM in the mixture: 1 without an n-gram, 0 without an LSTM. */
  readonly lambda: number;
  /** The next-token model: the mixture, the LSTM or the n-gram alone, or none (vectors only). */
  readonly lm: LanguageModel | undefined;
  /** Frees the LSTM's tensors. */
  dispose(): void;
}

export interface OpenModelOptions {
  /** Leave the n-gram out (`wordlens eval --lstm-only`). */
  lstmOnly?: boolean;
}

/** λ when meta.json has no usable fitted one (a folder saved before the fit, or edited). */
const DEFAULT_LAMBDA = 0.5;

/** Loads (validated) and opens a model folder. Throws `ModelLoadError` with a one-line message. */
export async function openModel(dir: string, options: OpenModelOptions = {}): Promise<OpenedModel> {
  return openSavedModel(dir, await loadModel(dir), options);
}

/** Opens a loaded (or freshly trained) folder's contents. */
export function openSavedModel(dir: string, saved: SavedModel, options: OpenModelOptions = {}): OpenedModel {
  dir = path.resolve(dir);
  const { meta } = saved;
  let vocab: Vocab;
  try {
    vocab = Vocab.fromJSON(saved.vocab);
  } catch (error) {
    throw new ModelLoadError(`${path.join(dir, FILES.vocab)}: ${(error as Error).message}`);
  }
  // The n-gram first: it holds no tensors, so a bad one leaves nothing to free.
  const ngram = saved.ngram && !options.lstmOnly ? openNgram(dir, saved.ngram, vocab.size) : undefined;
  const lstm = meta.kind === 'lstm' ? openLstm(dir, meta, saved) : undefined;
  const lambda = !lstm ? 0 : !ngram ? 1 : fittedLambda(meta);
  // λ = 1 gives the n-gram no weight: the LSTM alone skips its per-token work.
  const lm = lstm && ngram && lambda < 1 ? new InterpolatedModel(lstm, ngram, lambda) : (lstm ?? ngram);
  return {
    dir,
    meta,
    vocab,
    tokenizer: createTokenizer(meta.tokenizer),
    lstm,
    ngram,
    lambda,
    lm,
    dispose: () => lstm?.dispose(),
  };
}

function openNgram(dir: string, bytes: Uint8Array, vocabSize: number): NgramModel {
  const file = path.join(dir, FILES.ngram);
  let ngram: NgramModel;
  try {
    ngram = NgramModel.deserialize(bytes);
  } catch (error) {
    throw new ModelLoadError(`${file}: ${(error as Error).message}`);
  }
  if (ngram.vocabSize !== vocabSize) {
    throw new ModelLoadError(`${file} has ${ngram.vocabSize} words but ${FILES.vocab} has ${vocabSize}`);
  }
  return ngram;
}

function openLstm(dir: string, meta: ModelMeta, saved: SavedModel): LstmModel {
  const h = meta.hyper;
  const hyper: LstmHyper = {
    vocabSize: Number(h.vocabSize),
    embedDim: Number(h.embedDim),
    hiddenDim: Number(h.hiddenDim),
    layers: Number(h.layers),
    tied: h.tied === true,
    dropout: 0, // only training drops out: a saved rate has no say here
  };
  try {
    return LstmModel.fromWeights(hyper, saved.weights);
  } catch (error) {
    throw new ModelLoadError(`${dir}: the LSTM cannot be built from this folder: ${(error as Error).message}`);
  }
}

function fittedLambda(meta: ModelMeta): number {
  const lambda = meta.metrics?.lambda;
  return typeof lambda === 'number' && lambda >= 0 && lambda <= 1 ? lambda : DEFAULT_LAMBDA;
}
