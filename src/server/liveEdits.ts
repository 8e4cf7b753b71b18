// Learning from edits: a changed document's tokens replace its old contribution to the served
// n-gram's counts (debounced while typing, at once on save and before a completion in that
// document, so the next completion always reflects the edit); an opened or saved document joins
// the recent-files cache (the document cache itself sees only the window before the cursor).
// A newly swapped-in model re-reads the open documents and those edited so far, and the
// counts' overlay is compacted when the editor has been idle for a while.
import { fileURLToPath } from 'node:url';
import type { ServerContext } from './context';
import type { LiveTrainingPolicy } from './liveTraining';
import type { ServingModel } from './servingModel';

/** Typing pauses this long before a document's edit is counted (a completion counts it at once). */
const DEBOUNCE_MS = 300;
/** The overlay is folded into a new base (a rebuild of the n-gram) after this long without edits. */
const COMPACT_IDLE_MS = 10_000;

export interface LiveEdits {
  /** Counts the document's pending edit now (before completing in it). */
  flush(uri: string): void;
  /** Milliseconds each absorbed edit took (the latest last; for debug stats and tests). */
  readonly absorbMs: readonly number[];
}

/** The n-gram's id for a document: its path, as the training files were counted, else the URI. */
function fileId(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

/** `policy` hears of every absorbed change (continued training waits for enough of it). */
export function registerLiveEdits(ctx: ServerContext, policy?: LiveTrainingPolicy): LiveEdits {
  const { documents, host, log } = ctx;
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** Documents changed in this session: a model swapped in later re-reads them. */
  const edited = new Set<string>();
  let absorbedBy: ServingModel | undefined;
  let compactTimer: ReturnType<typeof setTimeout> | undefined;
  const absorbMs: number[] = [];

  const absorb = (model: ServingModel, uri: string) => {
    const document = documents.get(uri);
    if (!document || !model.live) return;
    const { ms, changed } = model.live.absorb(fileId(uri), document.getText());
    absorbMs.push(ms);
    policy?.noteEdit(changed);
    if (absorbMs.length > 1000) absorbMs.splice(0, absorbMs.length - 1000);
  };

  /** The serving model, with every edited document counted in it. */
  const current = (): ServingModel | undefined => {
    const model = host.model;
    if (model && model !== absorbedBy) {
      absorbedBy = model;
      for (const document of documents.all()) model.live?.addRecent(document.getText());
      for (const uri of edited) absorb(model, uri);
    }
    return model;
  };

  const scheduleCompaction = () => {
    if (compactTimer) clearTimeout(compactTimer);
    compactTimer = setTimeout(() => {
      compactTimer = undefined;
      const model = host.model;
      const t0 = Date.now();
      model?.live?.compactIfNeeded().then(
        (done) => done && log(`live n-gram compacted in ${Date.now() - t0} ms (in a worker thread)`),
        (error: Error) => log(`live n-gram compaction failed (the overlay keeps serving): ${error.message}`),
      );
    }, COMPACT_IDLE_MS);
    compactTimer.unref?.();
  };

  const absorbNow = (uri: string) => {
    const timer = pending.get(uri);
    if (timer !== undefined) clearTimeout(timer);
    pending.delete(uri);
    const model = current();
    if (model) absorb(model, uri);
    scheduleCompaction();
  };
  const flush = (uri: string) => {
    if (pending.has(uri)) absorbNow(uri);
  };

  // didOpen also fires onDidChangeContent: an opened file is what training read, nothing to count yet.
  const opening = new Set<string>();
  documents.onDidOpen((e) => {
    opening.add(e.document.uri);
    const before = absorbedBy;
    const model = current(); // a model new to these documents reads them all, this one included
    if (model && model === before) model.live?.addRecent(e.document.getText());
  });
  documents.onDidChangeContent((e) => {
    const uri = e.document.uri;
    if (opening.delete(uri)) return;
    edited.add(uri);
    const previous = pending.get(uri);
    if (previous !== undefined) clearTimeout(previous);
    pending.set(uri, setTimeout(() => flush(uri), DEBOUNCE_MS));
  });

  documents.onDidSave((e) => {
    if (edited.has(e.document.uri)) absorbNow(e.document.uri);
    host.model?.live?.addRecent(e.document.getText());
  });

  documents.onDidClose((e) => {
    flush(e.document.uri); // the last edit counts before the text goes away
    edited.delete(e.document.uri);
    opening.delete(e.document.uri);
  });

  return {
    flush: (uri) => {
      current();
      flush(uri);
    },
    absorbMs,
  };
}
