// wordlens/train and wordlens/cancelTraining: one training job at a time, in a worker
// thread, reported through $/progress and the status notification. Serve at once, improve in
// place: with no model serving, the run's n-gram serves as soon as it is built (seconds); a
// checkpoint whose LSTM alone beats the n-gram on validation is loaded and swapped in (only
// better checkpoints are saved, so each swap is an improvement), and the final mixture at the
// end. A model that served before the run keeps serving until one of those replaces it.
import * as path from 'node:path';
import { LSPErrorCodes, ResponseError, type ProgressToken } from 'vscode-languageserver/node';
import type { LiveFile } from '../../engine/ngram/liveNgram';
import type { NgramSnapshot, PipelineEvent, PipelinePhase, PipelineRequest } from '../../engine/pipeline/pipeline';
import { startPipelineJob, type PipelineJob } from '../../engine/pipeline/pipelineJob';
import { CancelTrainingRequest, TrainRequest, type KeptModelInfo, type ServerSettings, type TrainParams, type TrainResult } from '../../protocol';
import { describeKept } from '../../engine/pipeline/keptModel';
import type { KeptModel } from '../../engine/types';
import type { ServerContext } from '../context';
import { MODEL_FOLDER } from '../modelHost';
import { invalidParams, onCheckedRequest, UserError } from '../requests';
import { assembleNgram } from '../servingModel';

/** Embedding (= hidden) width per model size; medium is the engine's tuned default. */
export const MODEL_DIMS: Record<ServerSettings['modelSize'], number> = { small: 128, medium: 200, large: 320 };

export interface TrainingControl {
  /** window/workDoneProgress/cancel for the running training's progress token; false if it is not that. */
  cancelProgress(token: ProgressToken): boolean;
}

/** `beforeTraining`: stops a continued training running in the background (liveTraining.ts). */
export function registerTrain(ctx: ServerContext, beforeTraining: () => void = () => undefined): TrainingControl {
  const { connection, host, log } = ctx;
  let job: PipelineJob | undefined;
  let jobProgressToken: ProgressToken | undefined;

  onCheckedRequest(connection, log, TrainRequest, {
    roots: 'string[]?',
    include: 'string[]?',
    exclude: 'string[]?',
    tokenizer: 'string?',
    modelSize: 'string?',
    budgetMinutes: 'number?',
    outDir: 'string?',
    epochs: 'number?',
    dim: 'number?',
    resume: 'boolean?',
  }, async (params, token): Promise<TrainResult> => {
    const request = pipelineRequest(ctx, params);
    if (job) throw new ResponseError(LSPErrorCodes.RequestFailed, 'Training is already running; cancel it first.');
    beforeTraining();

    jobProgressToken = params.workDoneToken;
    const progress = connection.languages.attachWorkDoneProgress(params);
    progress.begin('Wordlens: training', 0, 'reading the workspace…', true);
    log(`training on ${request.roots.join(', ')} into ${request.outDir}`);
    let lastPpl: number | undefined;
    let ngramPpl = Infinity;
    let files: readonly LiveFile[] = [];
    const modelDir = path.resolve(request.outDir);
    const onNgram = (snapshot: NgramSnapshot) => {
      files = snapshot.files.map((f) => ({ id: f.path, ids: f.ids }));
      try {
        host.serveIfNone(assembleNgram(modelDir, snapshot));
      } catch (error) {
        log(`the n-gram could not serve: ${(error as Error).message}`);
      }
    };
    let lastFraction = 0;
    const onEvent = (e: PipelineEvent) => {
      if (e.event === 'ngram') ngramPpl = e.validPpl ?? Infinity;
      // A checkpoint is saved only when better than the last one; it serves once its LSTM alone beats the n-gram.
      if (e.event === 'checkpoint' && e.validPpl !== null && e.validPpl < ngramPpl) {
        log(`checkpoint at step ${e.step}: LSTM ppl ${e.validPpl.toFixed(1)} < n-gram ${ngramPpl.toFixed(1)}: swapping it in`);
        host.load(modelDir, files).catch(() => undefined);
      }
      const line = describe(e, lastPpl);
      if ('validPpl' in e && typeof e.validPpl === 'number') lastPpl = e.validPpl;
      if (e.event === 'progress') {
        lastFraction = e.fraction;
        progress.report(Math.min(99, Math.floor(e.fraction * 100)), line);
        host.reportTraining(e.fraction, lastPpl, line);
      } else {
        progress.report(line);
        const late = e.event === 'interpolation' || e.event === 'fitting' || (e.event === 'phase' && ['final-validation', 'fit'].includes(e.phase));
        host.reportTraining(late ? 1 : lastFraction, lastPpl, line);
        log(line);
      }
    };
    const started = startPipelineJob(request, onEvent, { lowPriority: ctx.settings().trainingLowPriority }, onNgram);
    job = started;
    host.beginTraining(() => started.terminate());
    const cancelListener = token.onCancellationRequested(() => started.cancel());
    try {
      const result = await started.done;
      const modelPath = modelDir;
      if (!result.cancelled) {
        await host.load(modelPath, files);
        host.endTraining('done');
      } else if (result.kept?.fromThisRun) {
        await host.load(modelPath, files);
        host.endTraining('cancelled', `training stopped; ${describeKept(result.kept)} is in use`);
      } else {
        host.endTraining('cancelled', `training stopped before a model was ready; ${result.kept ? 'the previous model stays' : 'no model yet'}`);
      }
      log(`training ${result.cancelled ? 'stopped' : 'done'}: V=${result.vocab}, ${result.tokens} tokens, ${result.seconds.toFixed(1)} s, ppl ${result.valid_ppl ?? 'n/a'}`);
      return {
        cancelled: result.cancelled === true,
        modelPath,
        vocab: result.vocab,
        tokens: result.tokens,
        seconds: result.seconds,
        validPpl: result.valid_ppl,
        backend: result.backend,
        ...(result.cancelled ? { kept: keptInfo(result.kept ?? null), stoppedIn: result.stoppedIn, ...(result.forced ? { forced: true } : {}) } : {}),
      };
    } catch (error) {
      const message = (error as Error).message;
      const aborted = (error as Error).name === 'AbortError';
      host.endTraining(aborted ? 'cancelled' : 'failed', aborted ? 'training cancelled' : message);
      if (aborted) {
        return { cancelled: true, modelPath: request.outDir, vocab: 0, tokens: 0, seconds: 0, validPpl: null, backend: '' };
      }
      // The pipeline's own errors (nothing to train on, too few tokens) are for the user.
      if (['PipelineError', 'ModelLoadError'].includes((error as Error).name)) throw new UserError(message);
      throw error;
    } finally {
      cancelListener.dispose();
      progress.done();
      job = undefined;
      jobProgressToken = undefined;
    }
  });

  connection.onRequest(CancelTrainingRequest, () => {
    if (!job) return { cancelled: false };
    log('cancelling training');
    job.cancel();
    return { cancelled: true };
  });

  return {
    cancelProgress(token) {
      if (!job || jobProgressToken === undefined || token !== jobProgressToken) return false;
      log('cancelling training (progress cancelled by the client)');
      job.cancel();
      return true;
    },
  };
}

function keptInfo(kept: KeptModel | null): KeptModelInfo | null {
  if (!kept) return null;
  const { createdAt, fromThisRun, status, step, validPpl } = kept;
  return { createdAt, fromThisRun, status, step, validPpl };
}

function pipelineRequest(ctx: ServerContext, params: TrainParams): PipelineRequest {
  const settings = ctx.settings();
  const method = TrainRequest.method;
  const tokenizer = params.tokenizer ?? settings.tokenizer;
  if (tokenizer !== 'code' && tokenizer !== 'whitespace') throw invalidParams(method, '"tokenizer" must be "code" or "whitespace"');
  const size = params.modelSize ?? settings.modelSize;
  if (!(size in MODEL_DIMS)) throw invalidParams(method, '"modelSize" must be "small", "medium" or "large"');
  const minutes = params.budgetMinutes ?? settings.trainingBudgetMinutes;
  if (!(minutes > 0)) throw invalidParams(method, '"budgetMinutes" must be above 0');
  if (params.epochs !== undefined && !(Number.isInteger(params.epochs) && params.epochs >= 1)) {
    throw invalidParams(method, '"epochs" must be a positive integer');
  }
  if (params.dim !== undefined && !(Number.isInteger(params.dim) && params.dim >= 1 && params.dim <= 2048)) {
    throw invalidParams(method, '"dim" must be an integer from 1 to 2048');
  }
  const roots = params.roots ?? ctx.workspaceRoots();
  if (roots.length === 0) throw new UserError('Nothing to train on: open a folder (or pass "roots").');
  const storage = ctx.init().storagePath;
  const outDir = params.outDir ?? (storage ? path.join(storage, MODEL_FOLDER) : undefined);
  if (!outDir) throw new UserError('No folder to save the model in: start the server with a storagePath, or pass "outDir".');
  return {
    roots: roots.map((r) => path.resolve(r)),
    include: params.include ?? settings.include,
    exclude: params.exclude ?? settings.exclude,
    tokenizer,
    outDir: path.resolve(outDir),
    minutes,
    epochs: params.epochs,
    dim: params.dim ?? MODEL_DIMS[size as ServerSettings['modelSize']],
    backend: settings.backend || undefined,
    resume: params.resume,
  };
}

/** One line per event for the progress UI and the log: "37% · ppl 180 · ETA 2m10s". */
export function describe(e: PipelineEvent, ppl: number | undefined): string {
  switch (e.event) {
    case 'corpus':
      return `read ${e.files} files: ${e.tokens.toLocaleString('en-US')} tokens, vocabulary ${e.vocab.toLocaleString('en-US')} (skipped: ${e.skipped})`;
    case 'ngram':
      return `n-gram ready${e.validPpl === null ? '' : ` · ppl ${Math.round(e.validPpl)}`}`;
    case 'progress': {
      const parts = [`${Math.floor(e.fraction * 100)}%`];
      const p = e.validPpl ?? ppl;
      if (p !== undefined) parts.push(`ppl ${Math.round(p)}`);
      parts.push(`ETA ${eta(e.etaSeconds)}`);
      return parts.join(' · ');
    }
    case 'checkpoint':
      return `checkpoint saved (step ${e.step})`;
    case 'fitting':
      return 'mixing LSTM and n-gram on the validation text…';
    case 'interpolation':
      return `mixed LSTM and n-gram: ppl ${Math.round(e.validPpl)} (λ = ${e.lambda.toFixed(2)})`;
    case 'warning':
      return e.message;
    case 'phase':
      return PHASE_LINES[e.phase];
  }
}

/** The progress line as each phase starts (the integration test cancels on the final one's). */
export const PHASE_LINES: Record<PipelinePhase, string> = {
  read: 'reading the workspace…',
  tokenize: 'tokenizing…',
  ngram: 'building the n-gram…',
  train: 'training…',
  validate: 'validating…',
  save: 'saving a checkpoint…',
  'final-validation': 'final validation…',
  fit: 'mixing LSTM and n-gram on the validation text…',
};

function eta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
