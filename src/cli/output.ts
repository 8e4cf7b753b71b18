// How the CLI talks: human lines by default; with --json, one JSON object per line on
// stdout, the last one being the result. Errors are one line on stderr.
import { ModelLoadError } from '../engine/io/store';

/** A mistake the user can fix (bad input, missing file, unknown word): one line, exit 1. */
export class UserError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A malformed command line: exit 2, like most Unix tools. */
export class UsageError extends UserError {
  override readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class Output {
  /** A progress line is being redrawn in place on a terminal (no newline yet). */
  private redrawing = false;

  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  /**
   * A progress event: a JSON line, or a human line on stderr (stdout stays the result). On a
   * terminal, repeated `progress` events redraw one line instead of scrolling.
   */
  progress(event: object, human: string): void {
    if (this.json) {
      this.stdout.write(JSON.stringify(event) + '\n');
    } else if (isTransient(event) && (this.stderr as { isTTY?: boolean }).isTTY) {
      this.stderr.write(`\r\x1b[K${human}`);
      this.redrawing = true;
    } else {
      this.note(human);
    }
  }

  /** A note for humans only (skipped with --json, whose lines are all events). */
  note(human: string): void {
    if (this.json) return;
    this.endRedraw();
    this.stderr.write(human + '\n');
  }

  private endRedraw(): void {
    if (this.redrawing) this.stderr.write('\n');
    this.redrawing = false;
  }

  /** Text streamed to stdout as it is produced (humans only; --json gets it in the result). */
  stream(text: string): void {
    if (this.json || !text) return;
    this.endRedraw();
    this.stdout.write(text);
  }

  /** The final result: the last JSON line, or human text on stdout. */
  result(value: object, human: string): void {
    if (!this.json) this.endRedraw();
    this.stdout.write(this.json ? JSON.stringify(value) + '\n' : human.endsWith('\n') ? human : human + '\n');
  }
}

/** Plain progress ticks are redrawn; milestones (e.g. a validation result) stay on screen. */
function isTransient(event: object): boolean {
  const e = event as { event?: string; validPpl?: number };
  return e.event === 'progress' && e.validPpl === undefined;
}

/** Errors whose message is meant for the user as it is. Plain `Error`s from the engine are
 *  its bad-input reports; TypeError & co. are bugs. */
function isUserFacing(err: unknown): err is Error {
  if (err instanceof UserError || err instanceof ModelLoadError) return true;
  const code = (err as NodeJS.ErrnoException)?.code;
  const internalCode = typeof code === 'string' && (code.startsWith('ERR_') || code === 'MODULE_NOT_FOUND');
  return err instanceof Error && err.constructor === Error && !internalCode;
}

/** The one stderr line for an error, and the exit code. */
export function describeError(err: unknown, debug: boolean): { text: string; exitCode: number } {
  const exitCode = err instanceof UserError ? err.exitCode : 1;
  const message = firstLine(err instanceof Error ? err.message : String(err));
  if (debug) return { text: `wordlens: ${err instanceof Error ? (err.stack ?? message) : message}`, exitCode };
  if (isUserFacing(err)) return { text: `wordlens: ${message}`, exitCode };
  return { text: `wordlens: internal error: ${message} (run with WORDLENS_DEBUG=1 for details)`, exitCode };
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return line.trim();
}

/** Numbers for humans: a few significant digits, no exponent for ordinary values. */
export function fmt(n: number | null | undefined, digits = 4): string {
  if (n === null || n === undefined || Number.isNaN(n)) return 'n/a';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Number(n.toPrecision(digits)).toString();
}
