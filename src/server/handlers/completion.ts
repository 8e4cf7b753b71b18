// textDocument/completion: the next-token candidates with their probabilities, for LSP
// clients without inline completion.
import { CompletionItemKind, type CompletionItem, type CompletionList, type CompletionParams } from 'vscode-languageserver/node';
import type { ServerContext } from '../context';
import { nextTokens, textBefore } from '../predict';
import { AT_POSITION, checkParams, guard } from '../requests';

export function registerCompletion(ctx: ServerContext): void {
  const { connection, documents, host, log } = ctx;
  const method = 'textDocument/completion';
  connection.onCompletion(
    guard(method, log, (raw: CompletionParams): CompletionList | null => {
      const params = checkParams<CompletionParams>(method, raw, AT_POSITION);
      const document = documents.get(params.textDocument.uri);
      const model = host.model;
      if (!document || !model?.lm) return null;
      const { position } = params;
      const { partial, tokens } = nextTokens(model, document.uri, textBefore(document, position), 20);
      const start = { line: position.line, character: Math.max(0, position.character - partial.length) };
      const items: CompletionItem[] = tokens.map((t, rank) => {
        const newText = partial + t.insertText;
        return {
          label: t.token,
          kind: CompletionItemKind.Text,
          detail: `p = ${t.prob.toFixed(3)}`,
          sortText: String(rank).padStart(3, '0'),
          filterText: newText,
          textEdit: { range: { start, end: position }, newText },
        };
      });
      // Incomplete: the candidates change with every character typed.
      return { isIncomplete: true, items };
    }),
  );
}
