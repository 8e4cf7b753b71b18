// Keystrokes saved by completions: a user types each file character by character and,
// whenever the suggestion shown is a prefix of what they are about to type, accepts it with
// Tab (one keystroke). The text before the cursor is the server's window (predict.ts).
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { textBefore } from '../../src/server/predict';

/** Returns the suggestion at the end of `before` ('' for none). */
export type Completer = (fileIndex: number, before: string) => Promise<string>;

export interface TypingTarget {
  text: string;
  /** First offset the user types (text before it is already in the file). */
  start: number;
  /** Characters to type from `start`. */
  chars: number;
}

export interface TypingResult {
  /** Characters typed in the simulation (= keystrokes without completions). */
  chars: number;
  /** Keystrokes with completions (typed characters + Tab presses). */
  keystrokes: number;
  accepted: number;
  acceptedChars: number;
  /** Suggestions shown (non-blank) and not accepted. */
  rejected: number;
  calls: number;
  msPerCall: number;
  /** 1 - keystrokes / chars. */
  saved: number;
}

export async function simulateTyping(targets: TypingTarget[], completer: Completer): Promise<TypingResult> {
  let chars = 0;
  let keystrokes = 0;
  let accepted = 0;
  let acceptedChars = 0;
  let rejected = 0;
  let calls = 0;
  let ms = 0;
  for (let f = 0; f < targets.length; f++) {
    const { text, start } = targets[f];
    const end = Math.min(text.length, start + targets[f].chars);
    const doc = TextDocument.create(`file:///typing/${f}.ts`, 'typescript', 1, text);
    let i = start;
    while (i < end) {
      const t0 = performance.now();
      const suggestion = await completer(f, textBefore(doc, doc.positionAt(i)));
      ms += performance.now() - t0;
      calls++;
      // The server shows no blank suggestion (handlers/inlineCompletion.ts).
      const shown = suggestion.trim() !== '';
      const advance = shown && text.startsWith(suggestion, i) ? Math.min(suggestion.length, end - i) : 0;
      if (advance > 0 && advance === suggestion.length) {
        keystrokes++;
        accepted++;
        acceptedChars += advance;
        i += advance;
      } else {
        if (shown) rejected++;
        keystrokes++;
        i++;
      }
    }
    chars += end - start;
  }
  return { chars, keystrokes, accepted, acceptedChars, rejected, calls, msPerCall: ms / Math.max(1, calls), saved: 1 - keystrokes / Math.max(1, chars) };
}
