// Hogwild skip-gram: several worker threads run the SIMD sentence trainer on disjoint
// slices of each epoch, all updating the same vectors in one shared wasm memory without
// locks (as word2vec and gensim do; the updates are sparse, so collisions are rare and
// harmless). The learning rate follows the words done by all threads together.
import { parentPort, workerData } from 'node:worker_threads';
import { simdRowOps, trainSentence, type SentenceTrainer } from './sgnsSentence';
import { startWorker } from '../workers';
import { instantiateSharedSgnsKernels } from '../kernels/sgnsKernels';

export interface ThreadedRun {
  threads: number;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offsets in `memory`: syn1 starts at matrixBytes, each thread's neu1e after both matrices. */
  matrixBytes: number;
  vocabSize: number;
  dim: number;
  negative: number;
  window: number;
  ids: Int32Array;
  sentences: Int32Array;
  maxLen: number;
  trained: Uint8Array;
  keep: Float64Array;
  table: Int32Array;
  sigmoid: Float64Array;
  logSigmoid: Float64Array;
  alpha0: number;
  minAlpha: number;
  epochs: number;
  budgetSeconds: number;
  seed: number;
  progressMs: number;
  signal?: AbortSignal;
  onTick: (words: number, lossSum: number, lossPairs: number) => void;
}

/** Runs the threads to the end of the budget (or an abort); returns the corpus words processed. */
export async function trainThreaded(run: ThreadedRun): Promise<{ words: number; pairs: number; cancelled: boolean }> {
  const stats = new Float64Array(new SharedArrayBuffer(run.threads * 3 * 8)); // per thread: words, loss sum, pairs
  const flags = new Int32Array(new SharedArrayBuffer(4)); // [abort]
  const shared = <T extends Int32Array>(a: T): Int32Array => {
    const s = new Int32Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  const ids = shared(run.ids), table = shared(run.table);
  const sentenceCount = run.sentences.length / 2;
  const startMs = Date.now();
  const workers = Array.from({ length: run.threads }, (_, index) => startWorker('embeddings/skipgramWorker', {
    workerData: {
      index, threads: run.threads, module: run.module, memory: run.memory,
      matrixBytes: run.matrixBytes, neuOffset: 2 * run.matrixBytes + index * run.dim * 4,
      vocabSize: run.vocabSize, dim: run.dim, negative: run.negative, window: run.window,
      ids, sentences: run.sentences, maxLen: run.maxLen, trained: run.trained, keep: run.keep, table,
      sigmoid: run.sigmoid, logSigmoid: run.logSigmoid,
      first: 2 * Math.floor((sentenceCount * index) / run.threads),
      last: 2 * Math.floor((sentenceCount * (index + 1)) / run.threads),
      alpha0: run.alpha0, minAlpha: run.minAlpha, epochs: run.epochs, budgetSeconds: run.budgetSeconds,
      plannedWords: run.epochs * run.ids.length, startMs,
      seed: index === 0 ? run.seed : ((run.seed + Math.imul(index, 0x9e3779b9)) >>> 0) || 1,
      stats: stats.buffer, flags: flags.buffer,
    },
  }));
  let reported = [0, 0, 0];
  const tick = () => {
    const sum = [0, 0, 0];
    for (let t = 0; t < run.threads; t++) for (let k = 0; k < 3; k++) sum[k] += stats[t * 3 + k];
    run.onTick(sum[0], sum[1] - reported[1], sum[2] - reported[2]);
    reported = sum;
  };
  const abort = () => Atomics.store(flags, 0, 1);
  run.signal?.addEventListener('abort', abort);
  if (run.signal?.aborted) abort();
  const timer = setInterval(tick, run.progressMs);
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
      w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`skip-gram worker exited with code ${code}`))));
    })));
  } finally {
    clearInterval(timer);
    run.signal?.removeEventListener('abort', abort);
    abort(); // stops the others if one failed
    await Promise.all(workers.map((w) => w.terminate()));
  }
  tick();
  let words = 0, pairs = 0;
  for (let t = 0; t < run.threads; t++) { words += stats[t * 3]; pairs += stats[t * 3 + 2]; }
  return { words, pairs, cancelled: run.signal?.aborted ?? false };
}

/** A worker thread's body (skipgramWorker.ts). */
export function sgnsWorker(): void {
  const d = workerData;
  const kern = instantiateSharedSgnsKernels(d.module, d.memory);
  const buf = d.memory.buffer;
  const m: SentenceTrainer = {
    syn0: new Float32Array(buf, 0, d.vocabSize * d.dim), syn1: new Float32Array(buf, d.matrixBytes, d.vocabSize * d.dim),
    dim: d.dim, negative: d.negative, window: d.window, trained: d.trained, keep: d.keep, table: d.table,
    sigmoid: d.sigmoid, logSigmoid: d.logSigmoid, sentence: new Int32Array(d.maxLen),
    neu1e: new Float32Array(buf, d.neuOffset, d.dim), lossSum: 0, lossPairs: 0, length: 0,
  };
  const ops = simdRowOps(kern, m);
  const stats = new Float64Array(d.stats);
  const flags = new Int32Array(d.flags);
  const slot = d.index * 3;
  let rng: number = d.seed, alpha: number = d.alpha0, sinceAlpha = 0;
  outer:
  for (let epoch = 0; epoch < d.epochs; epoch++) {
    for (let s = d.first; s < d.last; s += 2) {
      if (sinceAlpha >= 10000 || s === d.first) {
        sinceAlpha = 0;
        let words = 0;
        for (let t = 0; t < d.threads; t++) words += stats[t * 3];
        const fraction = Math.max(words / d.plannedWords, (Date.now() - d.startMs) / 1000 / d.budgetSeconds);
        if (fraction >= 1 || Atomics.load(flags, 0)) break outer;
        alpha = Math.max(d.minAlpha, d.alpha0 - (d.alpha0 - d.minAlpha) * fraction);
      }
      const from = d.sentences[s], to = d.sentences[s + 1];
      rng = trainSentence(ops, m, d.ids, from, to, alpha, rng);
      stats[slot] += to - from;
      stats[slot + 1] += m.lossSum;
      stats[slot + 2] += m.lossPairs;
      m.lossSum = 0; m.lossPairs = 0;
      sinceAlpha += to - from;
    }
  }
  parentPort!.postMessage('done');
}
