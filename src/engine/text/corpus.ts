// Reads the text files under given paths: honours excludes, include globs and .gitignore;
// skips binary, minified and huge files with a counted reason; decodes UTF-8 tolerantly.
// Never throws for a file that is odd, unreadable, or changes while it is read.
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { compileGlobs } from './glob';
import { type Gitignore, inheritedGitignore } from './gitignore';
import { throwIfStopped } from '../stop';
import { pastDeadline, type Deadline } from './deadline';

/**
 * Why a file is not in the corpus. 'invalid-utf8' is the exception: such files are kept
 * (bad bytes become U+FFFD) and only counted, and listed in `repaired` rather than `skipped`.
 */
export type SkipReason =
  | 'binary' | 'minified' | 'too-large' | 'excluded' | 'gitignored' | 'unreadable' | 'vanished' | 'changed' | 'link-outside' | 'invalid-utf8';

export const SKIP_REASONS: readonly SkipReason[] = [
  'binary', 'minified', 'too-large', 'excluded', 'gitignored', 'unreadable', 'vanished', 'changed', 'link-outside', 'invalid-utf8',
];

/** Folders never worth reading; pass `exclude` to replace (spread these to extend). */
export const DEFAULT_EXCLUDES: readonly string[] = ['.git', 'node_modules'];

export interface CorpusOptions {
  /** Globs (relative to each root) a file must match to be read; default every file. */
  include?: string[];
  /** Globs for files and folders to skip, counted as 'excluded'. Default DEFAULT_EXCLUDES. */
  exclude?: string[];
  /** Files larger than this are skipped unread (default 1 MiB). */
  maxFileBytes?: number;
  /** Stop reading once the corpus would exceed this many bytes (`stoppedAt` says so). */
  maxTotalBytes?: number;
  /** Stop after this many files (`stoppedAt` says so). */
  maxFiles?: number;
  /** Stop reading more files at this time, one file at least (`stoppedAt` says so): a time budget's share. */
  deadline?: Deadline;
  /** Honour .gitignore files and .git/info/exclude (default true). Explicit file roots are always read. */
  respectGitignore?: boolean;
  signal?: AbortSignal;
  onProgress?: (filesRead: number) => void;
}

export interface CorpusFile {
  path: string;
  text: string;
}

export interface Corpus {
  /** In walk order: roots as given, each folder's entries sorted by name. */
  files: CorpusFile[];
  /** Files and folders left out (an excluded or gitignored folder is one entry). */
  skipped: { path: string; reason: SkipReason }[];
  counts: Record<SkipReason, number>;
  /** Files kept although they held invalid UTF-8 (decoded with U+FFFD). */
  repaired: string[];
  /** UTF-8 bytes of the files read. */
  bytes: number;
  /** Set when a maxFiles / maxTotalBytes limit or the deadline ended the walk early. */
  stoppedAt?: 'maxFiles' | 'maxTotalBytes' | 'deadline';
}

const MIB = 1024 * 1024;
/** Bytes inspected for the binary test (as git and ripgrep do). */
const SNIFF_BYTES = 8 * 1024;
/** Bytes inspected for the minified test, so a huge minified file is never read whole. */
const HEAD_BYTES = 64 * 1024;
const MINIFIABLE = new Set(['.js', '.mjs', '.cjs', '.css', '.json', '.map', '.svg', '.html', '.htm', '.xml']);

type Verdict = { ok: true; text: string; bytes: number; repaired: boolean } | { ok: false; reason: SkipReason };

/** NUL in the first 8 KiB, or more than 10% control bytes other than tab/newline/CR/FF/VT/ESC. */
export function looksBinary(head: Uint8Array): boolean {
  const n = Math.min(head.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i];
    if (b === 0) return true;
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 11 && b !== 27) || b === 0x7f) control++;
  }
  return n > 0 && control / n > 0.1;
}

/**
 * Machine-made one-liners: `*.min.*` and source maps by name; for web/data formats, a line
 * over 5,000 characters or an average line over 300 in the first 64 KiB.
 */
export function looksMinified(name: string, head: string): boolean {
  const ext = path.extname(name).toLowerCase();
  if (/\.min\.[^.]+$/i.test(name) || ext === '.map') return true;
  if (!MINIFIABLE.has(ext)) return false;
  const text = stripInlineSourceMaps(head);
  const lines = text.split('\n');
  const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
  return longest > 5000 || (text.length > 2048 && text.length / lines.length > 300);
}

/**
 * Compiled JS/CSS often ends with an inline source map: one base64 line of 100k+ characters.
 * It is not text to learn from, and it made ordinary compiled files look minified.
 */
function stripInlineSourceMaps(text: string): string {
  return text.replace(/^[ \t]*(?:\/\/|\/\*)[#@] sourceMappingURL=data:[^\n]*\n?/gm, '');
}

/** Tolerant UTF-8: U+FFFD for bad bytes; `invalid` counts them (a real U+FFFD in the file is not counted). */
export function decodeUtf8(bytes: Uint8Array): { text: string; invalid: number } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), invalid: 0 };
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    let replaced = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) replaced++;
    let genuine = 0;
    for (let i = 0; i + 2 < bytes.length; i++) {
      if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) genuine++;
    }
    return { text, invalid: Math.max(1, replaced - genuine) };
  }
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Reads one file defensively: size first, then a head to classify, then the rest. */
async function readTextFile(file: string, maxFileBytes: number): Promise<Verdict> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    return { ok: false, reason: errCode(e) === 'ENOENT' ? 'vanished' : 'unreadable' };
  }
  try {
    const before = await handle.stat();
    if (!before.isFile()) return { ok: false, reason: 'unreadable' };
    if (before.size > maxFileBytes) return { ok: false, reason: 'too-large' };
    const head = Buffer.alloc(Math.min(before.size, HEAD_BYTES));
    const { bytesRead: headRead } = await handle.read(head, 0, head.length, 0);
    const headBytes = head.subarray(0, headRead);
    if (looksBinary(headBytes)) return { ok: false, reason: 'binary' };
    if (looksMinified(file, new TextDecoder('utf-8').decode(headBytes))) return { ok: false, reason: 'minified' };
    // Read one byte past the size seen, so growth while reading is noticed.
    const all = Buffer.alloc(before.size + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(all, total, all.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total === all.length) break;
    }
    const after = await handle.stat();
    if (total !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      return { ok: false, reason: 'changed' };
    }
    const bytes = all.subarray(0, total);
    const decoded = decodeUtf8(bytes);
    const invalid = decoded.invalid;
    const text = stripInlineSourceMaps(decoded.text);
    // The head test sees 64 KiB; a giant line later in the file (a bundled blob) is caught here.
    if (looksMinified(file, text)) return { ok: false, reason: 'minified' };
    // Mostly undecodable text is some other encoding or binary: not worth learning from.
    if (invalid > 0 && invalid > text.length * 0.3) return { ok: false, reason: 'binary' };
    return { ok: true, text, bytes: total, repaired: invalid > 0 };
  } catch (e) {
    return { ok: false, reason: errCode(e) === 'ENOENT' ? 'vanished' : 'unreadable' };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * "3 binary, 1 minified" — the non-zero skip counts, for messages such as an empty-corpus
 * error. Files kept with invalid UTF-8 were read, not skipped: they follow as
 * "; 1 repaired (invalid UTF-8)".
 */
export function summarizeSkipped(counts: Record<SkipReason, number>): string {
  const parts = SKIP_REASONS.filter((r) => r !== 'invalid-utf8' && counts[r] > 0).map((r) => `${counts[r]} ${r}`);
  const skipped = parts.length > 0 ? parts.join(', ') : 'none';
  const repaired = counts['invalid-utf8'];
  return repaired > 0 ? `${skipped}; ${repaired} repaired (invalid UTF-8)` : skipped;
}

class LimitReached extends Error {
  constructor(readonly limit: NonNullable<Corpus['stoppedAt']>) {
    super(limit);
  }
}

/** Walks `roots` (files or folders) and returns their text files. Rejects only for a missing root or an abort. */
export async function readCorpus(roots: string[], opts: CorpusOptions = {}): Promise<Corpus> {
  const maxFileBytes = opts.maxFileBytes ?? MIB;
  const maxTotalBytes = opts.maxTotalBytes ?? Infinity;
  const maxFiles = opts.maxFiles ?? Infinity;
  const respectGitignore = opts.respectGitignore ?? true;
  const excluded = compileGlobs(opts.exclude ?? DEFAULT_EXCLUDES);
  const included = opts.include && opts.include.length > 0 ? compileGlobs(opts.include) : () => true;
  const signal = opts.signal;
  for (const [name, v] of [['maxFileBytes', maxFileBytes], ['maxTotalBytes', maxTotalBytes], ['maxFiles', maxFiles]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  }
  const seen = new Set<string>(); // overlapping roots read each file once

  const corpus: Corpus = {
    files: [], skipped: [], repaired: [], bytes: 0,
    counts: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
  };
  const skip = (p: string, reason: SkipReason) => {
    corpus.skipped.push({ path: p, reason });
    corpus.counts[reason]++;
  };

  const visitFile = async (shown: string, abs: string) => {
    throwIfStopped(signal);
    if (seen.has(abs)) return;
    seen.add(abs);
    if (corpus.files.length >= maxFiles) throw new LimitReached('maxFiles');
    if (corpus.files.length > 0 && pastDeadline(opts.deadline)) throw new LimitReached('deadline');
    const v = await readTextFile(abs, maxFileBytes);
    if (!v.ok) return skip(shown, v.reason);
    if (corpus.bytes + v.bytes > maxTotalBytes) throw new LimitReached('maxTotalBytes');
    corpus.files.push({ path: shown, text: v.text });
    corpus.bytes += v.bytes;
    if (v.repaired) {
      corpus.repaired.push(shown);
      corpus.counts['invalid-utf8']++;
    }
    opts.onProgress?.(corpus.files.length);
  };

  /** Real path of the folder being walked: links must stay inside it. */
  let rootReal = '';
  const walk = async (shownDir: string, absDir: string, rel: string, gi: Gitignore | undefined) => {
    throwIfStopped(signal);
    let entries: Dirent[];
    try {
      entries = await fs.readdir(absDir, { withFileTypes: true });
    } catch (e) {
      return skip(shownDir, errCode(e) === 'ENOENT' ? 'vanished' : 'unreadable');
    }
    if (gi && entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
      const text = await fs.readFile(path.join(absDir, '.gitignore'), 'utf8').catch(() => '');
      gi = gi.with(absDir, text);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      throwIfStopped(signal); // a folder of thousands of links stats each one
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const shown = path.join(shownDir, entry.name);
      const abs = path.join(absDir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let outside = false;
      if (entry.isSymbolicLink()) {
        // Follow links to files inside the root; never links to folders (no cycles) nor to
        // files elsewhere (training reads the workspace, not what a link points at).
        const st = await fs.stat(abs).catch(() => undefined);
        isFile = st?.isFile() ?? false;
        isDir = false;
        if (isFile) {
          const target = await fs.realpath(abs).catch(() => '');
          const relative = path.relative(rootReal, target);
          outside = target === '' || relative.startsWith('..') || path.isAbsolute(relative);
        }
      }
      if (!isDir && !isFile) continue; // sockets, fifos, devices, dangling links
      if (outside) {
        skip(shown, 'link-outside');
        continue;
      }
      if (excluded(childRel)) {
        skip(shown, 'excluded');
      } else if (gi?.ignores(abs, isDir)) {
        skip(shown, 'gitignored');
      } else if (isDir) {
        await walk(shown, abs, childRel, gi);
      } else if (included(childRel)) {
        await visitFile(shown, abs);
      }
    }
  };

  try {
    for (const root of roots) {
      const abs = path.resolve(root);
      const st = await fs.stat(abs).catch((e: unknown) => {
        if (errCode(e) === 'ENOENT') throw new Error(`Path not found: ${root}`);
        throw new Error(`Cannot read ${root}: ${(e as Error).message}`);
      });
      if (st.isDirectory()) {
        rootReal = await fs.realpath(abs);
        await walk(root, abs, '', respectGitignore ? await inheritedGitignore(abs) : undefined);
      } else {
        await visitFile(root, abs); // an explicitly named file is read whatever the globs say
      }
    }
  } catch (e) {
    if (!(e instanceof LimitReached)) throw e;
    corpus.stoppedAt = e.limit;
  }
  return corpus;
}
