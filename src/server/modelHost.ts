// Holds the model that serves requests, swaps in a new one atomically (a request in flight
// keeps the model it started with), keeps one prefix cache per open document, and publishes
// the server's status. Knows nothing of LSP messages beyond the status shape.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recoverFolder } from '../engine/io/atomic';
import { initBackend, type BackendName } from '../engine/kernels/backend';
import type { ServerState, ServerStatusParams } from '../protocol';
import type { LiveFile } from '../engine/ngram/liveNgram';
import { loadServingModel, type ServingModel } from './servingModel';
import { warmUp } from './predict';

export interface ModelHostOptions {
  log(message: string): void;
  onStatus(status: ServerStatusParams): void;
}

/** Sub-folder of the storage folder where the trained model lives. */
export const MODEL_FOLDER = 'model';

export class ModelHost {
  private serving: ServingModel | undefined;
  private state: ServerState = 'none';
  private message: string | undefined;
  private training: { progress: number; ppl?: number } | undefined;
  private backend: string | undefined;
  private backendPreference: BackendName | undefined;
  /** Bumped on every load so a slow, older load cannot replace a newer model. */
  private loadGeneration = 0;
  private stopJob: (() => void) | undefined;

  constructor(private readonly options: ModelHostOptions) {}

  /** The model serving now (undefined before one is loaded). Take it once per request. */
  get model(): ServingModel | undefined {
    return this.serving;
  }

  /**
   * Runs `fn` with the serving model held, so a swap during an awaited request cannot free
   * the model under it. Synchronous handlers can read `model` directly.
   */
  async withModel<R>(fn: (model: ServingModel | undefined) => Promise<R>): Promise<R> {
    const model = this.serving;
    const release = model?.hold();
    try {
      return await fn(model);
    } finally {
      release?.();
    }
  }

  setBackendPreference(name: '' | BackendName): void {
    this.backendPreference = name || undefined;
  }

  async ensureBackend(): Promise<string> {
    this.backend ??= await initBackend(this.backendPreference);
    return this.backend;
  }

  defaultModelDir(storagePath: string | undefined): string | undefined {
    return storagePath ? path.join(storagePath, MODEL_FOLDER) : undefined;
  }

  /** Loads the start-up model; a missing storage model is normal (state none), not an error. */
  async loadAtStart(dir: string, explicit: boolean): Promise<void> {
    // A save killed between its two renames leaves the folder missing and the complete new
    // version beside it: recover before deciding there is no model.
    if (!explicit) await recoverFolder(dir).catch(() => undefined);
    if (!explicit && !fs.existsSync(path.join(dir, 'meta.json'))) {
      this.options.log(`no model in ${dir} yet`);
      this.publishStatus();
      return;
    }
    try {
      await this.load(dir);
    } catch {
      // load() already set the error state and logged why.
    }
  }

  /**
   * Loads a model folder and swaps it in; on failure the previous model keeps serving.
   * `files`: the training files its n-gram counted, when this server trained it (live learning).
   */
  async load(dir: string, files?: readonly LiveFile[]): Promise<ServingModel> {
    const generation = ++this.loadGeneration;
    const started = Date.now();
    this.options.log(`loading model from ${dir}`);
    try {
      await this.ensureBackend();
      const next = await loadServingModel(dir, files, this.options.log);
      // The first completion would otherwise pay for wasm kernel set-up (~300 ms measured).
      await warmUp(next).catch((e) => this.options.log(`warm-up skipped: ${e instanceof Error ? e.message : String(e)}`));
      if (generation !== this.loadGeneration) {
        next.dispose();
        throw new Error('superseded by a newer load');
      }
      this.swap(next);
      this.options.log(`model loaded from ${dir} in ${Date.now() - started} ms (V=${next.info.vocab}, backend ${this.backend})`);
      return next;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log(`could not load ${dir}: ${message}`);
      if (!this.serving && !this.training) this.setState('error', message);
      else this.publishStatus();
      throw error;
    }
  }

  /** Replaces the serving model; the old one is released once requests holding it finish. */
  swap(next: ServingModel): void {
    const previous = this.serving;
    this.serving = next;
    if (!this.training) this.setState('ready', undefined);
    else this.publishStatus();
    // Requests still running on the old model hold it; its tensors are freed when they end.
    if (previous && previous !== next) previous.retire();
  }

  /**
   * Serves a model built in memory (the n-gram of a training run that has just started) unless
   * one already serves: a model the user had keeps serving until the new one is saved.
   */
  serveIfNone(next: ServingModel): boolean {
    if (this.serving) {
      next.dispose();
      return false;
    }
    this.loadGeneration++; // a slower load started before cannot replace it
    this.swap(next);
    this.options.log(`serving the n-gram (V=${next.info.vocab}) while the LSTM trains`);
    return true;
  }

  forgetDocument(uri: string): void {
    this.serving?.forgetDocument(uri);
  }

  /** Marks a job as running; `stop` ends it at shutdown. Throws if one already runs. */
  beginTraining(stop: () => void): void {
    if (this.training) throw new Error('a training job is already running');
    this.stopJob = stop;
    this.training = { progress: 0 };
    this.setState('training', 'training started');
  }

  reportTraining(progress: number, ppl: number | undefined, message: string): void {
    if (!this.training) return;
    this.training = { progress, ppl: ppl ?? this.training.ppl };
    this.setState('training', message);
  }

  endTraining(outcome: 'done' | 'cancelled' | 'failed', message?: string): void {
    this.training = undefined;
    this.stopJob = undefined;
    if (outcome === 'failed' && !this.serving) this.setState('error', message);
    else this.setState(this.serving ? 'ready' : 'none', message);
  }

  get isTraining(): boolean {
    return this.training !== undefined;
  }

  status(): ServerStatusParams {
    const model = this.serving;
    const status: ServerStatusParams = { state: this.state };
    if (this.message) status.message = this.message;
    if (model) {
      status.vocab = model.info.vocab;
      status.modelPath = model.info.modelPath;
      status.canComplete = model.info.canComplete;
      status.serving = model.serving;
      if (model.info.validPpl !== null) status.ppl = model.info.validPpl;
      if (typeof model.info.validPplLstm === 'number') status.pplLstm = model.info.validPplLstm;
      if (typeof model.info.validPplNgram === 'number') status.pplNgram = model.info.validPplNgram;
    }
    if (this.training) {
      status.progress = this.training.progress;
      if (this.training.ppl !== undefined) status.ppl = this.training.ppl;
    }
    if (this.backend) status.backend = this.backend;
    return status;
  }

  publishStatus(): void {
    this.options.onStatus(this.status());
  }

  private setState(state: ServerState, message: string | undefined): void {
    this.state = state;
    this.message = message;
    this.publishStatus();
  }

  dispose(): void {
    this.stopJob?.();
    this.serving?.dispose();
    this.serving = undefined;
  }
}
