// Open a model folder as the language model the CLI uses (engine/io/openModel.ts: the LSTM
// mixed with the folder's n-gram by the fitted λ, or the LSTM alone when asked); the CLI
// refuses embedding-only folders, which have nothing to predict with.
import { initBackend } from '../engine/kernels/backend';
import type { LstmModel } from '../engine/lstm/lstm';
import { openModel, type OpenedModel } from '../engine/io/openModel';
import type { LanguageModel } from '../engine/types';
import { UserError } from './output';

export interface OpenLanguageModel extends Omit<OpenedModel, 'lstm' | 'lm'> {
  readonly lstm: LstmModel;
  /** The model to use: the mixture, or the LSTM alone. */
  readonly model: LanguageModel;
  readonly backend: string;
}

export async function openLanguageModel(dir: string, opts: { lstmOnly?: boolean } = {}): Promise<OpenLanguageModel> {
  const backend = await initBackend();
  const { lstm, lm, ...rest } = await openModel(dir, opts);
  if (!lstm || !lm) {
    rest.dispose();
    throw new UserError(`${dir} holds ${rest.meta.kind} embeddings, not a language model; train one with 'wordlens train --model lstm'`);
  }
  return { ...rest, lstm, model: lm, backend };
}
