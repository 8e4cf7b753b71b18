// textDocument/inlineCompletion (LSP 3.18): the model's most likely continuation at the
// cursor, greedy (or sampled with a temperature), single-line unless multi-line is on.
import type { InlineCompletionList, InlineCompletionParams, Position, Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ServerContext } from '../context';
import { completeText, textBefore } from '../predict';
import { checkParams, guard, toSignal } from '../requests';

/** After the cursor only closing punctuation may follow on the line (else ghost text would clash). */
const REST_OF_LINE_OK = /^[\s)\]}'"`;,]*$/;

export function registerInlineCompletion(ctx: ServerContext): void {
  const { connection, documents, host, log } = ctx;
  const method = 'textDocument/inlineCompletion';
  connection.languages.inlineCompletion.on(
    guard(method, log, async (raw: InlineCompletionParams, token): Promise<InlineCompletionList | null> => {
      const params = checkParams<InlineCompletionParams>(method, raw, { textDocument: 'textDocument', position: 'position' });
      const document = documents.get(params.textDocument.uri);
      return host.withModel(async (model) => {
        if (!document || !model?.lm) return null;
        const position = params.position;
        if (!REST_OF_LINE_OK.test(restOfLine(document, position))) return null;

        // With a suggestion selected in the suggest widget, complete as if it were accepted.
        const selected = params.context?.selectedCompletionInfo;
        const settings = ctx.settings().completion;
        const replaced = selected ? { range: selected.range, text: selected.text } : undefined;
        let before = textBefore(document, replaced ? replaced.range.start : position);
        if (replaced) before += replaced.text;
        const result = await completeText(model, document.uri, before, {
          maxTokens: settings.maxTokens,
          multiline: settings.multiline,
          temperature: settings.temperature,
          signal: toSignal(token),
        });
        if (token.isCancellationRequested || !result.text) return null;
        const insertText = replaced ? replaced.text + result.text : result.text;
        const range: Range = replaced ? replaced.range : { start: position, end: position };
        if (!insertText.trim() && !settings.multiline) return null;
        return { items: [{ insertText, range }] };
      });
    }),
  );
}

function restOfLine(document: TextDocument, position: Position): string {
  return document.getText({ start: position, end: { line: position.line, character: Number.MAX_SAFE_INTEGER } }).replace(/\r?\n$/, '');
}
