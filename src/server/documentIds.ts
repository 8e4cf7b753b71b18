// The token ids of a document being edited, kept up to date from its previous text: a
// completion counts the document's latest edit first (liveEdits.ts), and tokenizing and
// encoding a 2,000-line file for a one-character edit cost ~5 ms of the ~8 ms a request took
// after a jump. With the code tokenizer only the lines around the change are tokenized again.
//
// Why that gives exactly tokenize(text): the code tokenizer starts a token at every line
// break ("\r", or "\n" not after "\r": codeTokenizer.ts's newline + indent token), no token
// spans one, and the tokens of the text between two breaks depend only on that text (a
// scan's look-ahead past it sees a break or the end, which it treats alike). So the text
// from the last break before the change to the first break after it is tokenized alone and
// spliced in between the unchanged tokens. Other tokenizers are read in full.
import type { Tokenizer } from '../engine/types';

interface Encoder {
  id(word: string): number;
}

export class DocumentIds {
  private text = '';
  /** Nothing read yet: the first update is a change whatever its text. */
  private empty = true;
  /** Offset of each token in `text`. */
  private starts = new Int32Array(0);
  private ids = new Int32Array(0);

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly vocab: Encoder,
  ) {}

  /**
   * The ids of tokenizer.tokenize(text), and whether they differ from the last call's (always
   * on the first call); a fresh array when they do, never mutated later.
   */
  update(text: string): { ids: Int32Array; changed: boolean } {
    const first = this.empty;
    this.empty = false;
    if (text === this.text) return { ids: this.ids, changed: first };
    const old = this.text;
    this.text = text;
    const previous = this.ids;
    if (this.tokenizer.kind !== 'code') {
      this.ids = Int32Array.from(this.tokenizer.tokenize(text), (t) => this.vocab.id(t));
    } else this.splice(old, text);
    return { ids: this.ids, changed: first || !sameIds(previous, this.ids) };
  }

  private splice(old: string, text: string): void {
    const shorter = Math.min(old.length, text.length);
    let a = 0;
    while (a < shorter && old.charCodeAt(a) === text.charCodeAt(a)) a++;
    let b = 0;
    while (b < shorter - a && old.charCodeAt(old.length - 1 - b) === text.charCodeAt(text.length - 1 - b)) b++;
    // Breaks before `a` are breaks in both texts, as are breaks past the start of the common suffix.
    let from = a - 1;
    while (from > 0 && !isBreak(old, from)) from--;
    from = Math.max(0, from);
    let to = old.length - b + 1;
    while (to < old.length && !isBreak(old, to)) to++;
    to = Math.min(to, old.length);
    const delta = text.length - old.length;
    const first = tokenAt(this.starts, from);
    const last = to === old.length ? this.starts.length : tokenAt(this.starts, to);
    const middle = this.tokenizer.tokenize(text.slice(from, to + delta));
    const n = first + middle.length + (this.starts.length - last);
    const starts = new Int32Array(n);
    const ids = new Int32Array(n);
    starts.set(this.starts.subarray(0, first));
    ids.set(this.ids.subarray(0, first));
    let at = from;
    for (let k = 0; k < middle.length; k++) {
      starts[first + k] = at;
      ids[first + k] = this.vocab.id(middle[k]);
      at += middle[k].length;
    }
    const tail = first + middle.length;
    ids.set(this.ids.subarray(last), tail);
    for (let k = last; k < this.starts.length; k++) starts[tail + k - last] = this.starts[k] + delta;
    this.starts = starts;
    this.ids = ids;
  }
}

/** Whether a code token starts at line break `i` (0 < i < text.length): "\r", or "\n" not ending "\r\n". */
function isBreak(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 13 || (c === 10 && text.charCodeAt(i - 1) !== 13);
}

/** Index of the token starting at `offset` (one does: offset is a break or 0). */
function tokenAt(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
