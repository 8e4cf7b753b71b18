// Wordlens's extensions to the Language Server Protocol, in one place.
// The client and the server both import this file, so the wire cannot drift between them
// (cf. rust-analyzer's lsp_ext.ts, vscode-eslint's customMessages.ts). Standard LSP messages
// (inlineCompletion, completion, hover, $/progress, $/cancelRequest) are not repeated here.
import {
  NotificationType,
  NotificationType0,
  ProgressType,
  RequestType,
  RequestType0,
  type PartialResultParams,
  type TextDocumentPositionParams,
  type WorkDoneProgressParams,
} from 'vscode-languageserver-protocol';
import type { CurvePoint, Metric, TokenizerKind } from './engine/types';

// Engine types that travel as they are (types only: nothing of the engine is loaded).
export type { CurvePoint, Metric };

// ---------------------------------------------------------------------------------------
// Start-up and settings

/** The `wordlens.*` settings the server acts on; sent at start and on every change. */
export interface ServerSettings {
  /** Globs of files to read when training (relative to each workspace folder). */
  include: string[];
  exclude: string[];
  tokenizer: TokenizerKind;
  /** Preset of the LSTM's size. */
  modelSize: 'small' | 'medium' | 'large';
  trainingBudgetMinutes: number;
  /**
   * Train at a low OS priority (nice 10 on the training thread; Linux): other programs come
   * first, and a busy machine gets less training done within the budget.
   */
  trainingLowPriority: boolean;
  completion: {
    maxTokens: number;
    temperature: number;
    multiline: boolean;
    /**
     * After a jump (no cached model state near the cursor) the model reads at most this many
     * tokens before it; 0 reads the whole window. Fewer tokens: a faster first completion, less context.
     */
    jumpContextTokens: number;
  };
  /** TF.js backend override; empty = automatic (tensorflow → wasm → cpu). */
  backend: '' | 'tensorflow' | 'wasm' | 'cpu';
  /**
   * Continued training of the workspace's LSTM in the background when enough has changed and
   * the editor is idle, within `minutesPerHour` of training per rolling hour.
   */
  liveTraining: { enabled: boolean; minutesPerHour: number };
}

/** Default of completion.jumpContextTokens (docs/benchmarks.md, "Jumps"). */
export const JUMP_CONTEXT_TOKENS = 64;

export const defaultSettings: ServerSettings = {
  include: ['**/*'],
  exclude: ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/out/**'],
  tokenizer: 'code',
  modelSize: 'small',
  trainingBudgetMinutes: 5,
  trainingLowPriority: true,
  completion: { maxTokens: 8, temperature: 0, multiline: false, jumpContextTokens: JUMP_CONTEXT_TOKENS },
  backend: '',
  liveTraining: { enabled: true, minutesPerHour: 5 },
};

/** `initialize` → `initializationOptions`. Every field is optional. */
export interface InitializationOptions {
  /** Load this model folder at start (benchmarks and other editors rely on this). */
  modelPath?: string;
  /**
   * Where trained models are kept (VS Code: `ExtensionContext.storageUri`). Without
   * `modelPath`, the server loads the model found here, if any, and trains into it.
   */
  storagePath?: string;
  settings?: Partial<ServerSettings>;
  /**
   * Which standard providers the server advertises. Clients with their own UI for a
   * feature (the Wordlens extension has its own inline provider and hover) switch it off
   * and call the same request themselves. Default: all on.
   */
  providers?: { inlineCompletion?: boolean; completion?: boolean; hover?: boolean };
  /**
   * False in an untrusted workspace (VS Code's Restricted Mode): the server then refuses to
   * load model or vector files from inside the workspace folders (symlinks resolved), as the
   * client does. Default true: clients without Workspace Trust are not restricted.
   */
  workspaceTrusted?: boolean;
}

/** Client → server when the user trusts the workspace (trust is never withdrawn in a session). */
export const WorkspaceTrustedNotification = new NotificationType0('wordlens/workspaceTrusted');

/** Why a model or vector file inside an untrusted workspace is not loaded, and what to do. */
export function restrictedModeMessage(what: string): string {
  return (
    `Wordlens does not load ${what} from the workspace folder in Restricted Mode: files in an untrusted ` +
    'folder could have been crafted to attack the parser. Trust this workspace to load it, or pick a copy outside the folder.'
  );
}

// ---------------------------------------------------------------------------------------
// Health

export type ServerState = 'none' | 'training' | 'ready' | 'error';

export interface ServerStatusParams {
  /** none: no model yet; training: a job runs (a previous model may still serve); ready; error. */
  state: ServerState;
  /** Human-readable detail (the error's message, or what is happening). */
  message?: string;
  /** Vocabulary size of the model that serves completions, when one is loaded. */
  vocab?: number;
  /** Validation perplexity of the serving model, or the latest one seen while training. */
  ppl?: number;
  /** Validation perplexities of the serving model's parts alone: its LSTM and its n-gram. */
  pplLstm?: number;
  pplNgram?: number;
  /** 0..1 of the training budget, while training. */
  progress?: number;
  /** Folder of the model that serves completions. */
  modelPath?: string;
  /** False when the loaded model cannot complete (imported word vectors: map, neighbours and analogies only). */
  canComplete?: boolean;
  /** TF.js backend the server runs on. */
  backend?: string;
  /**
   * What serves completions: `n-gram` (while the LSTM of a first training still trains),
   * `LSTM + n-gram`, `LSTM`, or `vectors` (no completions). Absent without a model.
   */
  serving?: 'n-gram' | 'LSTM + n-gram' | 'LSTM' | 'vectors';
}

/** Server → client whenever the state changes, and once after `initialized`. */
export const ServerStatusNotification = new NotificationType<ServerStatusParams>('wordlens/serverStatus');

/** The current status, on demand (same shape as the notification). */
export const ServerStatusRequest = new RequestType0<ServerStatusParams, void>('wordlens/status');

// ---------------------------------------------------------------------------------------
// Training

export interface TrainParams extends WorkDoneProgressParams {
  /** Folders to read (file-system paths). Default: the workspace folders. */
  roots?: string[];
  /** Overrides of the settings for this run. */
  include?: string[];
  exclude?: string[];
  tokenizer?: ServerSettings['tokenizer'];
  modelSize?: ServerSettings['modelSize'];
  budgetMinutes?: number;
  /** Stop after this many passes over the text even within the budget (tests, quick runs). */
  epochs?: number;
  /** Embedding (= hidden) width; overrides `modelSize`. */
  dim?: number;
  /** Where to save the model. Default: `storagePath`/model. */
  outDir?: string;
  /**
   * Continue training the LSTM saved in outDir (its tokenizer, vocabulary and size win over
   * the options above); only a better model replaces it. For picking up after a cancel.
   */
  resume?: boolean;
}

export interface TrainResult {
  /** True when cancelled: the run stopped within moments, in whatever phase, keeping what was saved (see `kept`). */
  cancelled: boolean;
  modelPath: string;
  vocab: number;
  tokens: number;
  seconds: number;
  validPpl: number | null;
  backend: string;
  /**
   * When cancelled: the complete model left in `modelPath` (this run's last checkpoint, or the
   * model from before the run), null when there is none. That model serves completions.
   */
  kept?: KeptModelInfo | null;
  /** When cancelled: the phase the stop was seen in (read, tokenize, ngram, train, validate, save, final-validation, fit). */
  stoppedIn?: string;
  /** When cancelled: the run did not stop by itself within moments and its worker was ended (the folder still holds the last complete model). */
  forced?: boolean;
}

export interface KeptModelInfo {
  createdAt: string;
  fromThisRun: boolean;
  status: string;
  step: number | null;
  validPpl: number | null;
}

/**
 * Train on the workspace's text in a worker thread. With a `workDoneToken`, `$/progress`
 * reports begin / report (percentage, message with ppl and ETA) / end. Completions keep
 * coming from the previous model until the new one is saved, then it is swapped in.
 * Cancel with `$/cancelRequest`, `window/workDoneProgress/cancel` of its `workDoneToken` (the
 * progress's cancel button), or {@link CancelTrainingRequest}. One job at a time:
 * a second request while one runs fails with `RequestFailed`.
 */
export const TrainRequest = new RequestType<TrainParams, TrainResult, void>('wordlens/train');

/** Stop the running training job (no-op when none runs). */
export const CancelTrainingRequest = new RequestType0<{ cancelled: boolean }, void>('wordlens/cancelTraining');

// ---------------------------------------------------------------------------------------
// Models

export interface ModelInfo {
  modelPath: string;
  kind: string;
  vocab: number;
  tokenizer: string;
  validPpl: number | null;
  /** The LSTM's and the n-gram's own validation perplexities, when the model folder records them. */
  validPplLstm?: number | null;
  validPplNgram?: number | null;
  /** Has an embedding matrix (neighbours, analogies, the map). */
  hasEmbeddings: boolean;
  /** Can predict next tokens (completions, generation). */
  canComplete: boolean;
}

export interface LoadModelParams {
  /** A model folder (model.json + shard + vocab.json + meta.json [+ ngram.bin]). */
  path: string;
}

/** Load a model folder and serve from it. A bad folder fails with a clear message; the previous model keeps serving. */
export const LoadModelRequest = new RequestType<LoadModelParams, ModelInfo, void>('wordlens/loadModel');

export interface SaveModelParams {
  /** Destination folder; written atomically (temp folder + rename). */
  path: string;
}

/** Copy the serving model to another folder. */
export const SaveModelRequest = new RequestType<SaveModelParams, { path: string }, void>('wordlens/saveModel');

export interface ImportVectorsParams extends WorkDoneProgressParams {
  /** word2vec (text/binary), GloVe, fastText .vec or TSV file. */
  path: string;
}

/**
 * Load word vectors for neighbours/analogies/the map (they cannot complete). The file is
 * streamed into the storage folder's `imported-vectors` model folder; progress goes to the
 * `workDoneToken`'s `$/progress`, or to a progress the server creates when none is given
 * (its cancel, or `$/cancelRequest`, stops the import and keeps the previous folder).
 */
export const ImportVectorsRequest = new RequestType<ImportVectorsParams, ModelInfo, void>('wordlens/importVectors');

export interface ExportEmbeddingsParams {
  path: string;
  format: 'word2vec' | 'tsv';
}

/** Write the serving model's embedding matrix to a file. */
export const ExportEmbeddingsRequest = new RequestType<ExportEmbeddingsParams, { path: string; words: number }, void>(
  'wordlens/exportEmbeddings',
);

// ---------------------------------------------------------------------------------------
// Embeddings

export interface Neighbor {
  word: string;
  /** Cosine similarity, or negative euclidean distance (higher is closer either way). */
  score: number;
}

export interface NeighborsParams {
  word: string;
  k?: number;
  metric?: Metric;
}

export interface NeighborsResult {
  word: string;
  /** False when the word is not in the vocabulary (then `neighbors` is empty). */
  known: boolean;
  neighbors: Neighbor[];
}

/** The k nearest words to `word` in embedding space. */
export const NeighborsRequest = new RequestType<NeighborsParams, NeighborsResult, void>('wordlens/neighbors');

export interface AnalogyParams {
  /** a − b + c, e.g. king − man + woman. */
  a: string;
  b: string;
  c: string;
  k?: number;
}

export interface AnalogyResult {
  /** Words of the query missing from the vocabulary (then `results` is empty). */
  unknown: string[];
  results: Neighbor[];
}

export const AnalogyRequest = new RequestType<AnalogyParams, AnalogyResult, void>('wordlens/analogy');

export interface ProjectionParams {
  method: 'pca' | 'umap';
  /** Dimensions of the picture. */
  dims?: 2 | 3;
}

export interface ProjectionResult {
  words: string[];
  counts: number[];
  /** Row-major, `dims` numbers per word; empty when `coordsBase64` carries them. */
  coords: number[];
  /** The same coordinates as little-endian float32, base64: sent instead of `coords` when the
   *  request asked for `binary` or the map has 250,000 words or more (see ProjectionFrame). */
  coordsBase64?: string;
  dims: number;
}

/** Projected embedding matrix for the map (the map's webview is issue 4). */
export const ProjectionRequest = new RequestType<ProjectionParams, ProjectionResult, void>('wordlens/projection');

// ---------------------------------------------------------------------------------------
// Prediction at a position

export interface NextTokensParams extends TextDocumentPositionParams {
  k?: number;
}

export interface TokenProbability {
  token: string;
  /** What inserting the token adds after the cursor (the rest of a partial word). */
  insertText: string;
  prob: number;
}

export interface NextTokensResult {
  /** The incomplete word before the cursor that candidates must continue. */
  partial: string;
  tokens: TokenProbability[];
}

/** The model's top-k next tokens at a position. */
export const NextTokensRequest = new RequestType<NextTokensParams, NextTokensResult, void>('wordlens/nextTokens');

export interface GenerateParams extends TextDocumentPositionParams, PartialResultParams {
  maxTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  /** Stop at the end of the line. */
  singleLine?: boolean;
}

/** One streamed piece of generated text, sent as `$/progress` on the `partialResultToken`. */
export interface GenerateChunk {
  text: string;
}

export const GenerateChunkProgress = new ProgressType<GenerateChunk>();

export interface GenerateResult {
  /** The whole generated text (the concatenation of the chunks). */
  text: string;
  tokens: number;
  cancelled: boolean;
}

/**
 * Generate text after a position. With a `partialResultToken` the text streams as
 * {@link GenerateChunk}s while it is produced; the final result repeats the whole text.
 * Cancellable with `$/cancelRequest` (the result then holds what was generated so far).
 */
export const GenerateRequest = new RequestType<GenerateParams, GenerateResult, void>('wordlens/generate');

// ---------------------------------------------------------------------------------------
// The embedding map (issue 4): the projection streamed while UMAP refines it

/**
 * {@link ProjectionRequest} params as the map sends them. With a `token`, the server sends
 * {@link ProjectionProgressNotification}s carrying that token: the PCA picture at once, then
 * UMAP every few epochs; the request's result is the final picture. Cancellable.
 */
export interface ProjectionStreamParams extends ProjectionParams {
  token?: string;
  /** Coordinates as `coordsBase64` (float32) instead of JSON numbers. Large maps (250,000
   *  words or more) always get them so, and their intermediate UMAP frames at most every 2 s. */
  binary?: boolean;
  /** UMAP epochs (default as umap-js: 500 for small maps down to 200 above 7,500 words). */
  epochs?: number;
}

export interface ProjectionFrame {
  token: string;
  stage: 'pca' | 'umap';
  /** UMAP epochs done and planned (0 / planned for the PCA frame). */
  epoch: number;
  epochs: number;
  dims: number;
  /** Row-major, `dims` numbers per vocabulary entry (in vocab order), in [-1, 1]; empty when
   *  `coordsBase64` carries them. */
  coords: number[];
  /**
   * The same coordinates as little-endian float32 bytes in base64 (8 bytes a 2-D point, about a
   * third of the JSON, nothing to parse): present when the request set `binary` or the map has
   * 250,000 words or more. The client forwards it to the webview as is (mapMessages.ts's frame
   * `coordsBase64`, decoded there).
   */
  coordsBase64?: string;
  /** True when the picture came from the projection cache (nothing was recomputed). */
  cached: boolean;
}

export const ProjectionProgressNotification = new NotificationType<ProjectionFrame>('wordlens/projectionProgress');

export interface MapInfoResult {
  modelPath: string;
  kind: string;
  tokenizer: string;
  /** Readable labels (displayToken) in vocab order. */
  words: string[];
  counts: number[];
  /** tokenKind of each entry: identifier, keyword, number, punctuation, string, whitespace, word, special. */
  kinds: string[];
  facts: MapFacts;
  curve: CurvePoint[];
}

/** The model's facts the map lists. */
export interface MapFacts {
  vocab: number;
  dim: number;
  tokens: number | null;
  backend: string | null;
  validPpl: number | null;
  createdAt: string;
}

/** What the map shows besides coordinates: labels, counts, kinds, the training curve, facts. */
export const MapInfoRequest = new RequestType0<MapInfoResult, void>('wordlens/mapInfo');

// ---------------------------------------------------------------------------------------
// Diagnostics

export interface DebugStatsResult {
  /** Process id of the server (tests kill it to check crash recovery). */
  pid: number;
  /** Resident set size of the server process, bytes (`process.memoryUsage().rss`). */
  rss: number;
  /** V8 heap in use, bytes. */
  heapUsed: number;
  /** Live TF.js tensors (`tf.memory().numTensors`); a number that keeps growing is a leak. */
  numTensors: number;
  /** Bytes held by TF.js tensors. */
  numBytes: number;
  /** Documents the server holds in sync. */
  documents: number;
}

/** Process and TF.js memory figures, for leak tests and bug reports. Cheap; no side effects. */
export const DebugStatsRequest = new RequestType0<DebugStatsResult, void>('wordlens/debugStats');
