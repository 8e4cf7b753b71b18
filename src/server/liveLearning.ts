// What the serving model learns while the user edits: the n-gram's counts follow the
// documents (a file's old contribution removed, the new one added: engine/ngram/liveNgram.ts)
// and the cache mixture (the document being edited + recently saved files, open vocabulary:
// engine/decode/cacheMixture.ts) completes identifiers the training never saw. Owned by one
// serving model; the next-token model `lm` is rebuilt only when the counts are compacted.
import { performance } from 'node:perf_hooks';
import { CacheMixture } from '../engine/decode/cacheMixture';
import { InterpolatedModel } from '../engine/decode/interpolate';
import { concatFiles, LiveNgramModel, type LiveFile } from '../engine/ngram/liveNgram';
import { buildNgramInWorker } from '../engine/ngram/ngramBuildWorker';
import { LiveNgramView } from '../engine/ngram/liveView';
import { DocumentIds } from './documentIds';
import type { NgramModel } from '../engine/ngram/ngram';
import type { Vocab } from '../engine/text/vocab';
import type { CacheSettings, LanguageModel, Tokenizer } from '../engine/types';

export interface LiveParts {
  /** Absent: no n-gram to keep up to date (the LSTM alone serves). */
  ngram: NgramModel | undefined;
  /** The training files the n-gram counted, in stream order (empty when unknown: edited files then add to the counts). */
  files: readonly LiveFile[];
  /** The LSTM side of the mixture, if any, and its weight. */
  lstm: LanguageModel | undefined;
  lambda: number;
  /** Absent in folders trained before the cache weights were fitted: no cache then. */
  cache: CacheSettings | undefined;
  vocab: Vocab;
  tokenizer: Tokenizer;
}

/** Recently saved files' tokens the recent cache keeps. */
const RECENT_TOKENS = 50_000;
/** Edited documents whose tokens are kept for re-reading only what an edit changed. */
const KEPT_DOCUMENTS = 16;

export class LiveLearning {
  private live: LiveNgramModel | undefined;
  private compacting = false;
  private model: LanguageModel | undefined;
  readonly mixture: CacheMixture | undefined;
  readonly minTokenProb: number;
  /** The latest ids of the documents absorbed most recently (oldest first). */
  private readonly documents = new Map<string, DocumentIds>();

  constructor(private readonly parts: LiveParts) {
    this.live = parts.ngram ? LiveNgramModel.over(parts.ngram, parts.files) : undefined;
    this.model = this.compose();
    this.mixture = parts.cache ? CacheMixture.create(parts.cache.weights, parts.cache.order) : undefined;
    this.minTokenProb = parts.cache?.minTokenProb ?? 0;
  }

  /** The next-token model: the LSTM mixed with the live n-gram, or either alone. */
  get lm(): LanguageModel | undefined {
    return this.model;
  }

  /** Counts changes so far (states read before a change are re-read, see LiveNgramView). */
  get version(): number {
    return this.live?.version ?? 0;
  }

  /** Replaces a file's contribution to the counts by `text`'s: the milliseconds it took, and the n-gram occurrences removed + added. */
  absorb(fileId: string, text: string): { ms: number; changed: number } {
    const t0 = performance.now();
    if (!this.live) return { ms: performance.now() - t0, changed: 0 };
    const { ids, changed } = this.idsOf(fileId, text);
    const update = changed ? this.live.update(fileId, ids) : undefined;
    return { ms: performance.now() - t0, changed: update ? update.added + update.removed : 0 };
  }

  /** The ids of a document's text (re-reading only what changed since its last absorb), and whether the n-gram has yet to see them. */
  private idsOf(fileId: string, text: string): { ids: Int32Array; changed: boolean } {
    let doc = this.documents.get(fileId);
    if (doc) this.documents.delete(fileId);
    this.documents.set(fileId, (doc ??= new DocumentIds(this.parts.tokenizer, this.parts.vocab)));
    if (this.documents.size > KEPT_DOCUMENTS) this.documents.delete(this.documents.keys().next().value as string);
    return doc.update(text);
  }

  /** A saved file joins the recent-files cache. */
  addRecent(text: string): void {
    this.mixture?.recent.addSegment(this.parts.tokenizer.tokenize(text), RECENT_TOKENS);
  }

  /**
   * Folds the overlay into a new base when it has grown: the rebuild runs in a worker thread
   * (seconds on a large workspace), edits absorbed meanwhile are re-applied to the result.
   * True when it compacted.
   */
  async compactIfNeeded(): Promise<boolean> {
    const live = this.live;
    if (!live?.needsCompaction() || this.compacting) return false;
    this.compacting = true;
    try {
      const snapshot = live.snapshotFiles();
      const base = await buildNgramInWorker(concatFiles(snapshot), live.vocabSize, live.order);
      this.live = this.live!.rebasedOnto(base, snapshot);
      // A new model object: the prefix caches start afresh (they are keyed by model).
      this.model = this.compose();
      return true;
    } finally {
      this.compacting = false;
    }
  }

  private compose(): LanguageModel | undefined {
    const { lstm, lambda } = this.parts;
    const ngram = this.live ? new LiveNgramView(this.live) : undefined;
    if (lstm && ngram && lambda < 1) return new InterpolatedModel(lstm, ngram, lambda) as LanguageModel;
    return lstm ?? ngram;
  }
}
