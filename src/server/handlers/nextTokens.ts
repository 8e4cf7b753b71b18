// wordlens/nextTokens: the model's top-k next tokens at a position, with probabilities.
import { NextTokensRequest, type NextTokensParams, type NextTokensResult } from '../../protocol';
import type { ServerContext } from '../context';
import { nextTokens, textBefore } from '../predict';
import { checkParams, guard, intParam, UserError } from '../requests';

export function registerNextTokens(ctx: ServerContext): void {
  const { connection, documents, host, log } = ctx;
  connection.onRequest(
    NextTokensRequest,
    guard(NextTokensRequest.method, log, (raw: NextTokensParams): NextTokensResult => {
      const params = checkParams<NextTokensParams>(NextTokensRequest.method, raw, {
        textDocument: 'textDocument',
        position: 'position',
        k: 'number?',
      });
      const document = documents.get(params.textDocument.uri);
      if (!document) throw new UserError(`${params.textDocument.uri} is not open (send textDocument/didOpen first).`);
      const model = host.model;
      if (!model?.lm) return { partial: '', tokens: [] };
      return nextTokens(model, document.uri, textBefore(document, params.position), intParam(params.k, 10, 1, 200));
    }),
  );
}
