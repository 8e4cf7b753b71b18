// Open a model folder as the language model the CLI uses: the LSTM, mixed with the folder's
// Kneser-Ney n-gram by the λ fitted at training time (or the LSTM alone when asked).
import { initBackend } from '../engine/kernels/backend';
import { InterpolatedModel } from '../engine/decode/interpolate';
import { LstmModel } from '../engine/lstm/lstm';
import { NgramModel } from '../engine/ngram/ngram';
import { loadModel, ModelLoadError } from '../engine/io/store';
import { createTokenizer } from '../engine/text/tokenizer';
import type { LanguageModel, LstmHyper, ModelMeta, Tokenizer } from '../engine/types';
import { Vocab } from '../engine/text/vocab';
import { UserError } from './output';

export interface OpenLanguageModel {
  dir: string;
  meta: ModelMeta;
  vocab: Vocab;
  tokenizer: Tokenizer;
  lstm: LstmModel;
  ngram?: NgramModel;
  /** Weight of the LSTM in the mixture (1 when there is no n-gram or --lstm-only). */
  lambda: number;
  /** The model to use: the mixture, or the LSTM alone. */
  model: LanguageModel<unknown>;
  backend: string;
  dispose(): void;
}

export async function openLanguageModel(dir: string, opts: { lstmOnly?: boolean } = {}): Promise<OpenLanguageModel> {
  const backend = await initBackend();
  const saved = await loadModel(dir);
  const { meta } = saved;
  if (meta.kind !== 'lstm') {
    throw new UserError(`${dir} holds ${meta.kind} embeddings, not a language model; train one with 'wordlens train --model lstm'`);
  }
  let vocab: Vocab;
  try {
    vocab = Vocab.fromJSON(saved.vocab);
  } catch (err) {
    throw new ModelLoadError(`${dir}/vocab.json: ${(err as Error).message}`);
  }
  const hyper = meta.hyper as unknown as LstmHyper;
  let lstm: LstmModel;
  try {
    lstm = LstmModel.fromWeights({ ...hyper, dropout: 0 }, saved.weights);
  } catch (err) {
    throw new ModelLoadError(`${dir}: ${(err as Error).message}`);
  }
  let ngram: NgramModel | undefined;
  if (saved.ngram && !opts.lstmOnly) {
    try {
      ngram = NgramModel.deserialize(saved.ngram);
    } catch (err) {
      lstm.dispose();
      throw new ModelLoadError(`${dir}/ngram.bin: ${(err as Error).message}`);
    }
    if (ngram.vocabSize !== vocab.size) {
      lstm.dispose();
      throw new ModelLoadError(`${dir}/ngram.bin was built for ${ngram.vocabSize} words, the vocabulary has ${vocab.size}`);
    }
  }
  const fitted = Number(meta.metrics.lambda);
  const lambda = ngram ? (Number.isFinite(fitted) && fitted >= 0 && fitted <= 1 ? fitted : 0.5) : 1;
  const model: LanguageModel<unknown> = ngram && lambda < 1 ? new InterpolatedModel(lstm, ngram, lambda) : lstm;
  return {
    dir,
    meta,
    vocab,
    tokenizer: createTokenizer(meta.tokenizer),
    lstm,
    ngram,
    lambda,
    model,
    backend,
    dispose: () => lstm.dispose(),
  };
}
