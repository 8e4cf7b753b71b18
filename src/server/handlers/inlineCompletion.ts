// textDocument/inlineCompletion (LSP 3.18): the model's most likely continuation at the
// cursor, greedy (or sampled with a temperature), single-line unless multi-line is on.
import type { InlineCompletionList, InlineCompletionParams, Position, Range } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ServerContext } from '../context';
import { completeText, textBefore } from '../predict';
import type { ServerSettings } from '../../protocol';
import type { ServingModel } from '../servingModel';
import { AT_POSITION, checkParams, guard, toSignal } from '../requests';
import type { LiveEdits } from '../liveEdits';

/** After the cursor only closing punctuation may follow on the line (else ghost text would clash). */
const REST_OF_LINE_OK = /^[\s)\]}'"`;,]*$/;

/** The last greedy completion per document, reused while the user types it. */
interface LastCompletion {
  model: ServingModel;
  /** The completion settings it was made with. */
  settings: ServerSettings['completion'];
  before: string;
  text: string;
}

export function registerInlineCompletion(ctx: ServerContext, liveEdits: LiveEdits): void {
  const { connection, documents, host, log } = ctx;
  const method = 'textDocument/inlineCompletion';
  const last = new Map<string, LastCompletion>();
  documents.onDidClose((e) => last.delete(e.document.uri));
  connection.languages.inlineCompletion.on(
    guard(method, log, async (raw: InlineCompletionParams, token): Promise<InlineCompletionList | null> => {
      const params = checkParams<InlineCompletionParams>(method, raw, AT_POSITION);
      const document = documents.get(params.textDocument.uri);
      // The document's latest edit is counted before completing in it (debounced otherwise).
      liveEdits.flush(params.textDocument.uri);
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
        const greedy = settings.temperature <= 0;
        // Greedy decoding is deterministic: after typing the start of the last completion,
        // the model would continue with the rest of it, so that is the answer.
        const previous = last.get(document.uri);
        if (greedy && !replaced && previous?.model === model && previous.settings === settings && before.startsWith(previous.before)) {
          const typed = before.slice(previous.before.length);
          if (typed.length < previous.text.length && previous.text.startsWith(typed)) {
            return { items: [{ insertText: previous.text.slice(typed.length), range: { start: position, end: position } }] };
          }
        }
        const result = await completeText(model, document.uri, before, {
          maxTokens: settings.maxTokens,
          multiline: settings.multiline,
          temperature: settings.temperature,
          jumpContextTokens: settings.jumpContextTokens,
          signal: toSignal(token),
        });
        if (token.isCancellationRequested || !result.text) return null;
        if (greedy && !replaced) last.set(document.uri, { model, settings, before, text: result.text });
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
