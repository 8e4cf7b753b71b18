// wordlens/generate: text after a position, streamed as partial results while it is made.
import { generate, StopRules } from '../../engine/decode/generate';
import { GenerateChunkProgress, GenerateRequest, type GenerateResult } from '../../protocol';
import type { ServerContext } from '../context';
import { Continuation, prefixState, textBefore } from '../predict';
import { AT_POSITION, intParam, onCheckedRequest, openDocument, toSignal, UserError } from '../requests';

export function registerGenerate(ctx: ServerContext): void {
  const { connection, documents, host, log } = ctx;
  onCheckedRequest(connection, log, GenerateRequest, {
    ...AT_POSITION,
    maxTokens: 'number?',
    temperature: 'number?',
    topK: 'number?',
    topP: 'number?',
    singleLine: 'boolean?',
  }, async (params, token): Promise<GenerateResult> => {
    const document = openDocument(documents, params.textDocument.uri);
    return host.withModel(async (model) => {
      if (!model?.lm) throw new UserError('No model that can generate text is loaded: train or load one first.');
      const before = textBefore(document, params.position);
      const { state, partial, firstAllow } = prefixState(model, document.uri, before);
      const progress = connection.languages.attachPartialResultProgress(GenerateChunkProgress, params);
      const out = new Continuation(model.tokenizer.kind, partial, before);
      let count = 0;
      try {
        for await (const t of generate(model.lm, state, {
          maxTokens: intParam(params.maxTokens, 100, 1, 2000),
          temperature: params.temperature ?? 0.8,
          topK: params.topK,
          topP: params.topP,
          stop: new StopRules(model.vocab, params.singleLine !== true, partial.length),
          firstAllow,
          signal: toSignal(token),
        })) {
          const chunk = out.push(model.vocab.word(t.id));
          count++;
          if (chunk) progress?.report({ text: chunk });
        }
      } catch (error) {
        // Cancelled: answer with what was generated so far (already streamed to the client).
        if (!token.isCancellationRequested) throw error;
        return { text: out.text, tokens: count, cancelled: true };
      }
      return { text: out.text, tokens: count, cancelled: false };
    });
  });
}
