// Projects an embedding matrix in a worker thread so neither the server's main thread nor any
// UI thread waits on it: PCA first (a picture at once), then UMAP frames every few epochs,
// and the final picture cached per model. This file is both the caller's API
// (`projectEmbeddings`) and, when started as a worker, the worker itself.
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import { initBackend, type BackendName } from '../kernels/backend';
import { pca, umapProject } from './projection';
import { ProjectionCache, type ProjectionKey } from './projectionCache';
import { startWorker } from '../workers';

export interface ProjectionJob {
  /** Row-major [n, dim] embedding matrix. */
  matrix: Float32Array;
  n: number;
  dim: number;
  method: 'pca' | 'umap';
  dims: 2 | 3;
  /** UMAP epochs (default as umap-js: 500 up to 2,500 points, down to 200 above 7,500). */
  epochs?: number;
  seed?: number;
  /** Send a UMAP frame every this many epochs (default: about 20 frames in all). */
  every?: number;
  backend?: BackendName;
}

export interface ProjectionFrame {
  stage: 'pca' | 'umap';
  epoch: number;
  epochs: number;
  dims: number;
  coords: Float32Array;
  /** True when the picture came from the cache. */
  cached: boolean;
}

export interface ProjectOptions {
  onFrame?: (frame: ProjectionFrame) => void;
  signal?: AbortSignal;
  /** Where finished projections are kept, and the model's identity (folder + createdAt). */
  cache?: { cache: ProjectionCache; modelPath: string; createdAt: string };
}

/** umap-js's choice: small maps get more epochs (they are cheap). */
function defaultEpochs(n: number): number {
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}
const DEFAULT_SEED = 42;
const UMAP_NEIGHBORS = 15;

type WorkerJob = Required<Omit<ProjectionJob, 'backend'>> & { backend?: BackendName };

type WorkerMessage =
  | { type: 'frame'; stage: 'pca' | 'umap'; epoch: number; epochs: number; dims: number; coords: Float32Array }
  | { type: 'done' }
  | { type: 'error'; message: string; name: string };

/** The worker runs this file (bundled alone as dist/projectionWorker.js); the guard at the end starts it. */
function startProjectionWorker(job: WorkerJob): Worker {
  return startWorker('projection/projectionWorker', { workerData: { wordlensProjection: true, job } });
}

/**
 * Projects `job.matrix` to 2 or 3 dimensions. Frames arrive in order (PCA, then UMAP by epoch);
 * the promise resolves with the last one. A cache hit yields one cached frame and no work.
 * Aborting terminates the worker at once and rejects with an AbortError.
 */
export async function projectEmbeddings(job: ProjectionJob, options: ProjectOptions = {}): Promise<ProjectionFrame> {
  const epochs = job.method === 'umap' ? (job.epochs ?? defaultEpochs(job.n)) : 0;
  const seed = job.seed ?? DEFAULT_SEED;
  if (job.matrix.length !== job.n * job.dim) throw new Error(`projection: matrix has ${job.matrix.length} values, expected ${job.n} × ${job.dim}`);
  options.signal?.throwIfAborted();
  const key: ProjectionKey | undefined = options.cache && {
    modelPath: options.cache.modelPath,
    createdAt: options.cache.createdAt,
    n: job.n,
    dim: job.dim,
    method: job.method,
    dims: job.dims,
    epochs,
    seed,
  };
  if (key && options.cache) {
    const coords = await options.cache.cache.get(key);
    if (coords) {
      const frame: ProjectionFrame = { stage: job.method, epoch: epochs, epochs, dims: job.dims, coords, cached: true };
      options.onFrame?.(frame);
      return frame;
    }
  }
  const last = await runWorker({ ...job, epochs, seed, every: job.every ?? Math.max(1, Math.round(epochs / 20)) }, options);
  if (key && options.cache && last.stage === job.method) await options.cache.cache.put(key, last.coords);
  return last;
}

function runWorker(job: WorkerJob, options: ProjectOptions): Promise<ProjectionFrame> {
  return new Promise((resolve, reject) => {
    const worker = startProjectionWorker(job);
    let last: ProjectionFrame | undefined;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (error) reject(error);
      else if (last) resolve(last);
      else reject(new Error('projection worker finished without a picture'));
    };
    const onAbort = () => {
      const error = new Error('projection cancelled');
      error.name = 'AbortError';
      finish(error);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (settled) return;
      if (message.type === 'frame') {
        last = { stage: message.stage, epoch: message.epoch, epochs: message.epochs, dims: message.dims, coords: message.coords, cached: false };
        try {
          options.onFrame?.(last);
        } catch (error) {
          finish(error as Error);
        }
      } else if (message.type === 'done') finish();
      else {
        const error = new Error(message.message);
        error.name = message.name;
        finish(error);
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(code === 0 ? undefined : new Error(`projection worker exited with code ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------
// The worker side

async function workerMain(job: WorkerJob): Promise<void> {
  const port = parentPort!;
  const post = (stage: 'pca' | 'umap', epoch: number, epochs: number, coords: Float32Array) => {
    const copy = Float32Array.from(coords); // the caller may reuse its buffer; send our own
    port.postMessage({ type: 'frame', stage, epoch, epochs, dims: job.dims, coords: copy } satisfies WorkerMessage, [copy.buffer]);
  };
  await initBackend(job.backend);
  const first = pca(job.matrix, job.n, job.dim, job.dims);
  // UMAP needs more points than neighbours; a tiny vocabulary keeps its PCA picture (epochs 0 = final).
  const umap = job.method === 'umap' && job.n > UMAP_NEIGHBORS;
  post('pca', 0, umap ? job.epochs : 0, first.coords);
  if (umap) {
    const result = await umapProject(job.matrix, job.n, job.dim, {
      nComponents: job.dims,
      nNeighbors: UMAP_NEIGHBORS,
      nEpochs: job.epochs,
      seed: job.seed,
      init: first,
      reportEvery: job.every,
      onEpoch: (coords, epoch, total) => {
        if (epoch < total) post('umap', epoch, total, coords);
      },
    });
    post('umap', result.epochs, result.epochs, result.coords);
  }
  port.postMessage({ type: 'done' } satisfies WorkerMessage);
}

if (!isMainThread && (workerData as { wordlensProjection?: boolean } | null)?.wordlensProjection) {
  workerMain((workerData as { job: WorkerJob }).job).catch((error: Error) => {
    parentPort!.postMessage({ type: 'error', message: error.message, name: error.name } satisfies WorkerMessage);
  });
}
