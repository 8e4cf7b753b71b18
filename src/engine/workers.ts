// Starts the engine's worker threads, the same way for all of them: from the bundles, the
// entry's own bundle beside the running one (esbuild.mjs bundles every src/engine/**/*Worker.ts
// as dist/<name>.js); from source (tests, tsx), the entry's .ts file through tsx's require hook.
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The worker entries, as paths below src/engine without `.ts`. */
export type WorkerEntry =
  | 'pipeline/pipelineWorker'
  | 'projection/projectionWorker'
  | 'projection/umapLayoutWorker'
  | 'embeddings/skipgramWorker'
  | 'ngram/ngramBuildWorker';

export function startWorker(entry: WorkerEntry, options: WorkerOptions): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, `${path.basename(entry)}.js`), options);
  // Node 20 workers ignore `--import tsx` in execArgv: the worker registers tsx itself.
  // createRequire keeps esbuild from resolving tsx (a dev dependency) into a bundle.
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  const file = path.join(__dirname, `${entry}.ts`);
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { ...options, eval: true });
}
