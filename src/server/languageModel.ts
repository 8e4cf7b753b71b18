// Which next-token model a folder serves: the LSTM mixed with the n-gram saved beside it
// (weight λ fitted at training, meta.metrics.lambda), the LSTM or n-gram alone, or none
// for vector-only folders.
import { InterpolatedModel } from '../engine/decode/interpolate';
import { LstmModel } from '../engine/lstm/lstm';
import type { NgramModel } from '../engine/ngram/ngram';
import { ModelLoadError } from '../engine/io/store';
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
  let lstm: LstmModel;
  try {
    lstm = LstmModel.fromWeights(hyper, weights);
  } catch (error) {
    throw new ModelLoadError(`the LSTM cannot be built from this folder: ${(error as Error).message}`);
  }
  if (!ngram) return lstm;
  const lambda = meta.metrics?.lambda;
  const mixed = new InterpolatedModel(lstm, ngram, typeof lambda === 'number' && lambda >= 0 && lambda <= 1 ? lambda : 0.5);
  // Disposing the mixture frees the LSTM's tensors.
  return Object.assign(mixed, { dispose: () => lstm.dispose() });
}
