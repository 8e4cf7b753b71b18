// wordlens/nextTokens: the model's top-k next tokens at a position, with probabilities.
import { NextTokensRequest, type NextTokensResult } from '../../protocol';
import type { ServerContext } from '../context';
import { nextTokens, textBefore } from '../predict';
import { AT_POSITION, intParam, onCheckedRequest, openDocument } from '../requests';

export function registerNextTokens(ctx: ServerContext): void {
  const { connection, documents, host, log } = ctx;
  onCheckedRequest(connection, log, NextTokensRequest, {
    ...AT_POSITION,
    k: 'number?',
  }, (params): NextTokensResult => {
    const document = openDocument(documents, params.textDocument.uri);
    const model = host.model;
    if (!model?.lm) return { partial: '', tokens: [] };
    return nextTokens(model, document.uri, textBefore(document, params.position), intParam(params.k, 10, 1, 200));
  });
}
