// The saving half of a training run (pipeline.ts composes it with fit.ts): the model folder
// written atomically (LSTM weights, vocabulary, meta, n-gram) at each better checkpoint and
// at the end. A checkpoint leaves a complete, usable folder (λ a neutral 0.5 until fitted),
// so a crash or a cancel loses nothing; a resumed model is only replaced by a better one.
import type { BackendName } from '../kernels/backend';
import { MODEL_FORMAT_VERSION, readModelMeta, saveModel } from '../io/store';
import { encodeNgramFiles, type CountedFile } from '../io/ngramFiles';
import type { NgramModel } from '../ngram/ngram';
import type { TrainCheckpoint } from '../lstm/train';
import type { Vocab } from '../text/vocab';
import type { CacheSettings, LstmHyper, ModelMeta, NamedWeight, TokenizerKind, VocabJSON } from '../types';
import { NGRAM_ORDER } from './fit';
import type { PipelineEvent } from './contract';
import { isStopError } from '../stop';

/** What every save of one run writes besides the weights and the run's metrics. */
export interface FolderContent {
  tokenizer: TokenizerKind;
  hyper: LstmHyper;
  backend: BackendName;
  vocab: Vocab;
  ngram: NgramModel;
  /** The files the n-gram counted, each with its training ids (saved so edits replace them later). */
  ngramFiles: readonly CountedFile[];
  ngramPpl: number | null;
  cache: CacheSettings;
  corpus: Record<string, unknown>;
  /** Metrics every meta carries (a resumed model's origin). */
  metrics: ModelMeta['metrics'];
}

export class ModelFolderWriter {
  private readonly vocab: VocabJSON;
  private readonly ngramBytes: Uint8Array;
  private readonly ngramFilesBytes: Uint8Array;
  private savedPpl: number;
  private checkpointedAny = false;
  /** ms the last save took (0 before any): the budget's estimate of the final save. */
  lastSaveMs = 0;

  /** `resumedPpl`: the validation perplexity of the model being continued, which a checkpoint must beat. */
  /** `signal`: a save it stops rolls back (AbortError) unless complete; `onSaving` is called as each save starts. */
  static async open(
    outDir: string,
    content: FolderContent,
    resumedPpl: number | null,
    onEvent: (e: PipelineEvent) => void,
    stop: { signal?: AbortSignal; onSaving?: () => void } = {},
  ): Promise<ModelFolderWriter> {
    const hadModel = await readModelMeta(outDir).then(() => true, () => false);
    return new ModelFolderWriter(outDir, content, resumedPpl, onEvent, hadModel, stop);
  }

  private constructor(
    private readonly outDir: string,
    private readonly content: FolderContent,
    resumedPpl: number | null,
    private readonly onEvent: (e: PipelineEvent) => void,
    /** Whether the folder held a model before this run. */
    readonly hadModel: boolean,
    private readonly stop: { signal?: AbortSignal; onSaving?: () => void },
  ) {
    this.vocab = content.vocab.toJSON();
    this.ngramBytes = content.ngram.serialize();
    this.ngramFilesBytes = encodeNgramFiles(content.ngramFiles);
    this.savedPpl = resumedPpl ?? Infinity;
  }

  /** Whether this run has written a checkpoint. */
  get checkpointed(): boolean {
    return this.checkpointedAny;
  }

  /** Saves `c` when it beats what the folder holds; a failed save is a warning, not the end of training. */
  readonly checkpoint = async (c: TrainCheckpoint): Promise<void> => {
    const ppl = c.validPpl ?? Infinity;
    if (ppl >= this.savedPpl && this.savedPpl !== Infinity) return;
    try {
      await this.save(c.weights, this.meta({ status: 'training', step: c.step, valid_ppl_lstm: c.validPpl, lambda: 0.5 }));
      this.savedPpl = ppl;
      this.checkpointedAny = true;
      this.onEvent({ event: 'checkpoint', step: c.step, validPpl: c.validPpl });
    } catch (error) {
      // A stop rolled the save back: the folder holds what it held; training sees the stop next.
      if (isStopError(error)) return;
      // Not fatal: training goes on, and the final save reports a lasting problem.
      this.onEvent({ event: 'warning', message: `checkpoint not saved: ${(error as Error).message.split('\n')[0]}` });
    }
  };

  /** The run's final save, with its metrics and training curve. */
  saveFinal(weights: NamedWeight[], metrics: ModelMeta['metrics'], curve: ModelMeta['curve']): Promise<void> {
    return this.save(weights, this.meta(metrics, curve));
  }

  /** Bytes a save writes besides the weights (the n-gram and its files, the vocabulary's counts). */
  get fixedBytes(): number {
    return this.ngramBytes.length + this.ngramFilesBytes.length + 16 * this.vocab.words.length;
  }

  private async save(weights: NamedWeight[], meta: ModelMeta): Promise<void> {
    this.stop.onSaving?.();
    const started = Date.now();
    await saveModel(this.outDir, { meta, vocab: this.vocab, weights, ngram: this.ngramBytes, ngramFiles: this.ngramFilesBytes }, { signal: this.stop.signal });
    this.lastSaveMs = Date.now() - started;
  }

  private meta(metrics: ModelMeta['metrics'], curve?: ModelMeta['curve']): ModelMeta {
    const c = this.content;
    return {
      format: 'wordlens-model',
      version: MODEL_FORMAT_VERSION,
      kind: 'lstm',
      tokenizer: c.tokenizer,
      hyper: { ...c.hyper },
      metrics: { backend: c.backend, ngram_order: NGRAM_ORDER, valid_ppl_ngram: c.ngramPpl, ...c.metrics, ...metrics },
      corpus: c.corpus,
      cache: c.cache,
      ...(curve ? { curve } : {}),
      createdAt: new Date().toISOString(),
    };
  }
}
