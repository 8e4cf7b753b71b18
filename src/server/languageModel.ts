// Which next-token model a folder serves: the LSTM (with its n-gram when saved beside it),
// the n-gram alone, or none for vector-only folders.
import { LstmModel } from '../engine/lstm';
import type { NgramModel } from '../engine/ngram';
import { ModelLoadError } from '../engine/store';
import type { LanguageModel, LstmHyper, ModelMeta, NamedWeight } from '../engine/types';

export function buildLanguageModel(meta: ModelMeta, weights: NamedWeight[], ngram: NgramModel | undefined): LanguageModel | undefined {
  if (meta.kind !== 'lstm') return ngram;
  const h = meta.hyper;
  const hyper: LstmHyper = {
    vocabSize: Number(h.vocabSize),
    embedDim: Number(h.embedDim),
    hiddenDim: Number(h.hiddenDim),
    layers: Number(h.layers),
    tied: h.tied === true,
    dropout: typeof h.dropout === 'number' ? h.dropout : 0,
  };
  try {
    return LstmModel.fromWeights(hyper, weights);
  } catch (error) {
    throw new ModelLoadError(`the LSTM cannot be built from this folder: ${(error as Error).message}`);
  }
}
