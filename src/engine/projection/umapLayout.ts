// UMAP's layout optimisation (SGD with negative sampling), umap-js 1.4's optimizeLayoutStep
// on flat typed arrays instead of arrays of arrays: same update rule and edge schedule; x^b
// by a float32-bits approximation and negatives from an inlined PRNG (both for speed).
// With threads > 1 the edges are split between this thread and helper worker threads that
// update the same shared coordinates without locks, in step epoch by epoch (Hogwild, as
// umap-learn does when parallel): faster, but no longer bit-for-bit reproducible.
// The coordinates the epochs move are float32, as umap-learn keeps them (arithmetic stays in
// doubles): at 1M points 8 MB instead of 16 MB, which the cache and the TLB still cover where
// every negative sample is a random read (docs/benchmarks.md).
// In 2-D the epochs run in a WebAssembly kernel (kernels/umapEdges.ts) over arrays in its
// shared memory; edges2d below stays as the reference and the fallback.
import { workerData, type Worker } from 'node:worker_threads';
import { startWorker } from '../workers';
import { createUmapEdgesModule, instantiateUmapEdges, UMAP_MEMORY_BASE, type Edges2d } from '../kernels/umapEdges';
import type { FuzzyGraph } from './umapGraph';

export interface LayoutParams {
  a: number;
  b: number;
  nEpochs: number;
  learningRate?: number;
  repulsionStrength?: number;
  negativeSampleRate?: number;
  /** Threads running the epochs, this one included (default 1: deterministic). */
  threads?: number;
  /** 'wasm' (default; 2-D only, JS where it cannot load) or 'js' (the reference loop). */
  kernel?: 'wasm' | 'js';
}

/** What an epoch reads and writes; typed arrays, so they can live in shared memory. */
interface EdgeState {
  head: Int32Array; // the point moved (umap-js: head = column)
  tail: Int32Array;
  epochsPerSample: Float64Array;
  epochOfNextSample: Float64Array;
  epochsPerNegativeSample: Float64Array;
  epochOfNextNegativeSample: Float64Array;
  y: Float32Array;
  dim: number;
  a: number;
  b: number;
  gamma: number;
}

/** The epoch code; helper threads (umapLayoutWorker.ts) run the same. */
function layoutKernels() {
  const CLIP = 4;
  const TWO_TO_MINUS_32 = 2.3283064365386963e-10;
  const clip = (x: number): number => (x > CLIP ? CLIP : x < -CLIP ? -CLIP : x);
  // x^b is ~75% of an epoch's time with Math.exp(b * Math.log(x)) (Math.pow is slower still).
  // fastPow reads log2 from the float32 bits of x plus a polynomial in the mantissa, and builds
  // 2^y the same way: relative error < 2e-5 (tested), ~2x faster; far below SGD's own noise.
  const f32 = new Float32Array(1);
  const i32 = new Int32Array(f32.buffer);
  // Least-squares fits on [0, 1): log2(1 + m) = m * L(m), 2^f = E(f).
  const L0 = 1.442683251951833, L1 = -0.7204423704995792, L2 = 0.46930168755813895, L3 = -0.30338966822676294, L4 = 0.14643361538616242, L5 = -0.03459521143223881;
  const E0 = 0.9999998957624473, E1 = 0.6931546200329586, E2 = 0.2401407698777535, E3 = 0.05586328321523444, E4 = 0.008946214066462345, E5 = 0.001895107520282873;

  /** x^b for x > 0 and 0 < b <= 2 (relative error < 2e-5). */
  function fastPow(x: number, b: number): number {
    f32[0] = x;
    const bits = i32[0];
    const m = (bits & 0x7fffff) * 1.1920928955078125e-7;
    const y = b * ((bits >> 23) - 127 + m * (L0 + m * (L1 + m * (L2 + m * (L3 + m * (L4 + m * L5))))));
    const k = Math.floor(y);
    // Outside float32's normal exponents (or x itself outside them): the exact path.
    if (k < -125 || k > 126 || x < 1e-37 || x > 1e37) return Math.exp(b * Math.log(x));
    const f = y - k;
    i32[0] = (k + 127) << 23;
    return f32[0] * (E0 + f * (E1 + f * (E2 + f * (E3 + f * (E4 + f * E5)))));
  }

  /** Edges [from, to) of epoch n in 2-D (unrolled: ~2x faster than the loop over dims);
   *  returns the PRNG state. */
  function edges2d(s: EdgeState, from: number, to: number, n: number, alpha: number, rng: number, yNeg: Float32Array): number {
    const { head, tail, y, a, b, gamma } = s;
    const { epochsPerSample, epochOfNextSample, epochsPerNegativeSample, epochOfNextNegativeSample } = s;
    const nVertices = y.length / 2;
    const twoAB = 2 * a * b, twoGammaB = 2 * gamma * b;
    for (let i = from; i < to; i++) {
      if (epochOfNextSample[i] > n) continue;
      const cur = head[i] * 2;
      const oth = tail[i] * 2;
      let cx = y[cur], cy = y[cur + 1];
      const dx = cx - y[oth], dy = cy - y[oth + 1];
      const d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const pb = fastPow(d2, b);
        const coeff = (-twoAB * (pb / d2)) / (a * pb + 1);
        const gx = clip(coeff * dx) * alpha, gy = clip(coeff * dy) * alpha;
        cx += gx;
        cy += gy;
        y[oth] -= gx;
        y[oth + 1] -= gy;
      }
      epochOfNextSample[i] += epochsPerSample[i];
      const nNeg = Math.floor((n - epochOfNextNegativeSample[i]) / epochsPerNegativeSample[i]);
      // The repulsions are measured from the position before them (px, py), not after each
      // one: the draws are then independent and overlap in the CPU instead of chaining.
      const px = cx, py = cy;
      for (let p = 0; p < nNeg; p++) {
        rng ^= rng << 13;
        rng ^= rng >>> 17;
        rng ^= rng << 5;
        const k = Math.floor((rng >>> 0) * TWO_TO_MINUS_32 * nVertices);
        if (k === head[i]) continue; // itself (its position is held in cx, cy)
        const o = k * 2;
        const ex = px - yNeg[o], ey = py - yNeg[o + 1];
        const e2 = ex * ex + ey * ey;
        if (e2 > 0) {
          const rc = twoGammaB / ((0.001 + e2) * (a * fastPow(e2, b) + 1));
          cx += clip(rc * ex) * alpha;
          cy += clip(rc * ey) * alpha;
        } else {
          cx += CLIP * alpha;
          cy += CLIP * alpha;
        }
      }
      y[cur] = cx;
      y[cur + 1] = cy;
      epochOfNextNegativeSample[i] += nNeg * epochsPerNegativeSample[i];
    }
    return rng;
  }

  function edgesAnyDim(s: EdgeState, from: number, to: number, n: number, alpha: number, rng: number, yNeg: Float32Array): number {
    const { head, tail, y, dim, a, b, gamma } = s;
    const { epochsPerSample, epochOfNextSample, epochsPerNegativeSample, epochOfNextNegativeSample } = s;
    const nVertices = y.length / dim;
    for (let i = from; i < to; i++) {
      if (epochOfNextSample[i] > n) continue;
      const cur = head[i] * dim;
      const oth = tail[i] * dim;
      let d2 = 0;
      for (let d = 0; d < dim; d++) d2 += (y[cur + d] - y[oth + d]) ** 2;
      let coeff = 0;
      if (d2 > 0) {
        const pb = fastPow(d2, b);
        coeff = (-2 * a * b * (pb / d2)) / (a * pb + 1);
      }
      for (let d = 0; d < dim; d++) {
        const g = clip(coeff * (y[cur + d] - y[oth + d]));
        y[cur + d] += g * alpha;
        y[oth + d] -= g * alpha;
      }
      epochOfNextSample[i] += epochsPerSample[i];
      const nNeg = Math.floor((n - epochOfNextNegativeSample[i]) / epochsPerNegativeSample[i]);
      for (let p = 0; p < nNeg; p++) {
        rng ^= rng << 13;
        rng ^= rng >>> 17;
        rng ^= rng << 5;
        const k = Math.floor((rng >>> 0) * TWO_TO_MINUS_32 * nVertices);
        const o = k * dim;
        if (k === head[i]) continue;
        let e2 = 0;
        for (let d = 0; d < dim; d++) e2 += (y[cur + d] - yNeg[o + d]) ** 2;
        let rc = 0;
        if (e2 > 0) rc = (2 * gamma * b) / ((0.001 + e2) * (a * fastPow(e2, b) + 1));
        for (let d = 0; d < dim; d++) {
          const g = rc > 0 ? clip(rc * (y[cur + d] - yNeg[o + d])) : CLIP;
          y[cur + d] += g * alpha;
        }
      }
      epochOfNextNegativeSample[i] += nNeg * epochsPerNegativeSample[i];
    }
    return rng;
  }

  return {
    fastPow,
    edges2d,
    edges: (s: EdgeState, from: number, to: number, n: number, alpha: number, rng: number, yNeg: Float32Array) =>
      (s.dim === 2 ? edges2d : edgesAnyDim)(s, from, to, n, alpha, rng, yNeg),
  };
}

const kernels = layoutKernels();
export const fastPow = kernels.fastPow;

/** Typed arrays carved one after another from a buffer (8-byte aligned). */
function arena(buffer: ArrayBufferLike, start: number) {
  let at = start;
  const take = (bytes: number) => {
    const offset = at;
    at += Math.ceil(bytes / 8) * 8;
    return offset;
  };
  return {
    f64: (n: number) => new Float64Array(buffer, take(n * 8), n),
    f32: (n: number) => new Float32Array(buffer, take(n * 4), n),
    i32: (n: number) => new Int32Array(buffer, take(n * 4), n),
  };
}

/** Typed arrays each in a buffer of its own (shared when threads will read them). */
function separate(shared: boolean) {
  const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return { f64: (n: number) => new Float64Array(buffer(n * 8)), f32: (n: number) => new Float32Array(buffer(n * 4)), i32: (n: number) => new Int32Array(buffer(n * 4)) };
}

/** The epoch loop over `state`: the wasm kernel when the state lives in its memory. */
function edgeRunner(wasm: Edges2d | undefined) {
  if (!wasm) return kernels.edges;
  return (s: EdgeState, from: number, to: number, n: number, alpha: number, rng: number, yNeg: Float32Array): number =>
    wasm(
      s.head.byteOffset, s.tail.byteOffset, s.epochsPerSample.byteOffset, s.epochOfNextSample.byteOffset,
      s.epochsPerNegativeSample.byteOffset, s.epochOfNextNegativeSample.byteOffset, s.y.byteOffset, yNeg.byteOffset,
      s.y.length / 2, from, to, n, alpha, rng, s.a, s.b, s.gamma,
    );
}

// Shared control words: [epochs started, helpers finished, stop]; and [epoch, alpha].
const GO = 0, DONE = 1, STOP = 2;

export class UmapLayout {
  epoch = 0;
  readonly nEpochs: number;
  private readonly state: EdgeState;
  private readonly initialAlpha: number;
  private alpha: number;
  // Negative samples draw from an inlined xorshift32 (seeded from `random`): a closure call per
  // draw cost ~12% of an epoch.
  private rngState: number;
  private readonly helpers: Worker[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(12));
  private readonly epochParams = new Float64Array(new SharedArrayBuffer(16));
  /** Edges [0, ownEdges) run on this thread; the rest are split among the helpers. */
  private readonly ownEdges: number;
  /** With threads: this thread's copy of the coordinates as the epoch began, which the
   *  repulsions read. Reading the shared array there, where the other threads keep writing,
   *  stalls every thread on cache-line transfers (2 threads were only ~1.25x faster). */
  private readonly snapshot: Float32Array | undefined;
  private readonly runEdges: ReturnType<typeof edgeRunner>;
  /** Whether the epochs run in the wasm kernel (over a copy of the coordinates in its memory). */
  readonly wasm: boolean;

  /** `embedding` (n x dim, row-major) receives the coordinates after every step. Call dispose()
   *  when done (it stops the helper threads). */
  constructor(graph: FuzzyGraph, readonly embedding: Float64Array, readonly dim: number, params: LayoutParams, random: () => number) {
    this.nEpochs = params.nEpochs;
    this.initialAlpha = this.alpha = params.learningRate ?? 1;
    this.rngState = ((random() * 4294967296) | 0) || 1;
    const negativeRate = params.negativeSampleRate ?? 5;
    const threads = Math.max(1, Math.floor(params.threads ?? 1));
    // Edges too weak to be sampled even once in nEpochs are dropped, as umap-js does.
    let max = 0;
    for (const w of graph.weights) if (w > max) max = w;
    const points = embedding.length;
    const keep: number[] = [];
    for (let e = 0; e < graph.weights.length; e++) if (graph.weights[e] > 0 && graph.weights[e] >= max / this.nEpochs) keep.push(e);
    const m = keep.length;
    // Coordinates, a snapshot a thread, head and tail, the four epoch arrays.
    const bytes = Math.ceil(points / 2) * 8 * (1 + (threads > 1 ? threads : 0)) + 2 * Math.ceil(m / 2) * 8 + 4 * m * 8;
    const wasm = dim === 2 && params.kernel !== 'js' ? createUmapEdgesModule(bytes) : undefined;
    this.wasm = wasm !== undefined;
    const alloc = wasm ? arena(wasm.memory.buffer, UMAP_MEMORY_BASE) : separate(threads > 1);
    const y = alloc.f32(points);
    y.set(embedding);
    this.snapshot = threads > 1 ? alloc.f32(points) : undefined;
    const head = alloc.i32(m);
    const tail = alloc.i32(m);
    const epochsPerSample = alloc.f64(m);
    keep.forEach((e, i) => {
      // Threads split the edges in ranges, and the edges are sorted by row: with the row as the
      // point moved, each thread moves its own points (the graph is symmetric, so every pair
      // is still sampled both ways).
      head[i] = threads > 1 ? graph.rows[e] : graph.cols[e];
      tail[i] = threads > 1 ? graph.cols[e] : graph.rows[e];
      epochsPerSample[i] = this.nEpochs / ((graph.weights[e] / max) * this.nEpochs);
    });
    const copy = (a: Float64Array, f: (x: number) => number) => {
      const out = alloc.f64(a.length);
      for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
      return out;
    };
    const epochsPerNegativeSample = copy(epochsPerSample, (e) => e / negativeRate);
    this.state = {
      head, tail, epochsPerSample, epochOfNextSample: copy(epochsPerSample, (e) => e),
      epochsPerNegativeSample, epochOfNextNegativeSample: copy(epochsPerNegativeSample, (e) => e),
      y, dim, a: params.a, b: params.b, gamma: params.repulsionStrength ?? 1,
    };
    this.ownEdges = threads === 1 ? m : Math.floor(m / threads);
    this.runEdges = edgeRunner(wasm && instantiateUmapEdges(wasm.module, wasm.memory));
    for (let t = 1; t < threads; t++) {
      const from = Math.floor((m * t) / threads), to = Math.floor((m * (t + 1)) / threads);
      const seed = ((this.rngState + Math.imul(t, 0x9e3779b9)) | 0) || 1;
      const worker = startWorker('projection/umapLayoutWorker', {
        workerData: { state: this.state, from, to, seed, control: this.control, epochParams: this.epochParams, wasm, snapshot: wasm && alloc.f32(points) },
      });
      worker.unref(); // never keeps the process alive; dispose() stops it
      this.helpers.push(worker);
    }
  }

  get done(): boolean {
    return this.epoch >= this.nEpochs;
  }

  /** Runs one epoch (on every thread, waiting for all). */
  step(): void {
    if (this.done) return;
    const { control } = this;
    if (this.helpers.length) {
      this.epochParams[0] = this.epoch;
      this.epochParams[1] = this.alpha;
      Atomics.store(control, DONE, 0);
      Atomics.add(control, GO, 1);
      Atomics.notify(control, GO);
    }
    const { y } = this.state;
    let yNeg = y;
    if (this.snapshot) {
      this.snapshot.set(y);
      yNeg = this.snapshot;
    }
    this.rngState = this.runEdges(this.state, 0, this.ownEdges, this.epoch, this.alpha, this.rngState, yNeg);
    for (let done = Atomics.load(control, DONE); done < this.helpers.length; done = Atomics.load(control, DONE)) Atomics.wait(control, DONE, done);
    this.embedding.set(y);
    this.alpha = this.initialAlpha * (1 - this.epoch / this.nEpochs);
    this.epoch++;
  }

  /** Stops the helper threads (if any). */
  dispose(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GO, 1);
    Atomics.notify(this.control, GO);
    for (const w of this.helpers.splice(0)) void w.terminate();
  }
}

/** A helper thread's body (umapLayoutWorker.ts): runs its edges for each epoch the main thread starts. */
export function layoutHelper(): void {
  const d = workerData;
  const edges = edgeRunner(d.wasm && instantiateUmapEdges(d.wasm.module, d.wasm.memory));
  const control: Int32Array = d.control;
  const params: Float64Array = d.epochParams;
  // The wasm kernel reads the snapshot from its memory; the JS loop from anywhere.
  const snapshot: Float32Array = d.wasm ? d.snapshot : new Float32Array(d.state.y.length);
  let rng: number = d.seed;
  let seen = 0;
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (Atomics.load(control, 2)) return;
    snapshot.set(d.state.y);
    rng = edges(d.state, d.from, d.to, params[0], params[1], rng, snapshot);
    Atomics.add(control, 1, 1);
    Atomics.notify(control, 1);
  }
}
