// The worker-thread side of a multi-threaded fused training step: a second instance of the
// kernels over the trainer's shared memory runs a FusedReplica (fusedReplica.ts) on its share of
// the streams each time the main thread bumps the control word, and reports back through it
// (Atomics wait/notify: no message passing per step). Runs as source text (eval worker), so
// it is self-contained: the FusedReplica class is passed in as source too.
import { Worker } from 'node:worker_threads';
import { FusedReplica, type ReplicaLayout } from './fusedReplica';

/** Control words (Int32 at `ctl` in the shared memory) and the float64 result after them. */
export const CTL = { gen: 0, done: 1, op: 2, steps: 3, samples: 4, rows: 5, error: 6, ready: 7, bytes: 48, result: 32 } as const;
export const OP = { stop: 0, train: 1, evaluate: 2, resetTrain: 3, resetEval: 4 } as const;

/** Starts a worker running a replica with `layout` over `memory`; `ctl` is the control block's
 *  address. The worker is ready once c[CTL.ready] has counted it (see whenReady). */
export function startReplicaWorker(module: WebAssembly.Module, memory: WebAssembly.Memory, layout: ReplicaLayout, ctl: number): Worker {
  const source = `var __name = (f) => f;\n(${replicaWorkerMain.toString()})(${FusedReplica.toString()});`;
  // Plain JavaScript: no loader hooks (tsx's --import) needed, nor the startup they cost.
  const worker = new Worker(source, { eval: true, execArgv: [], workerData: { module, memory, layout, ctl, CTL, OP } });
  worker.unref(); // an idle replica never keeps the process alive
  return worker;
}

/** Blocks until c[index] reaches `value`; throws after `ms` (a worker that died never answers). */
export function waitFor(c: Int32Array, index: number, value: number, ms: number, what: string): void {
  const until = Date.now() + ms;
  for (;;) {
    const now = Atomics.load(c, index);
    if (now === value) return;
    if (Date.now() > until) throw new Error(`fused trainer: the worker thread did not ${what} within ${ms / 1000} s`);
    Atomics.wait(c, index, now, 100);
  }
}

/** The worker's loop (runs as source text: only its arguments and Node built-ins in scope). */
function replicaWorkerMain(Replica: typeof FusedReplica): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { module, memory, layout, ctl, CTL: C, OP: O } = workerData as {
    module: WebAssembly.Module; memory: WebAssembly.Memory; layout: ReplicaLayout; ctl: number; CTL: typeof CTL; OP: typeof OP;
  };
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const replica = new Replica(instance.exports as never, memory, layout);
  const c = new Int32Array(memory.buffer, ctl, C.bytes / 4);
  const result = new Float64Array(memory.buffer, ctl + C.result, 1);
  let gen = Atomics.load(c, C.gen);
  Atomics.add(c, C.ready, 1);
  Atomics.notify(c, C.ready);
  for (;;) {
    Atomics.wait(c, C.gen, gen);
    gen = Atomics.load(c, C.gen);
    const op = c[C.op];
    if (op === O.stop) break;
    try {
      if (op === O.train) result[0] = replica.trainStep(c[C.steps], c[C.samples], c[C.rows]);
      else if (op === O.evaluate) result[0] = replica.evalStep(c[C.steps]);
      else if (op === O.resetTrain) replica.resetState(layout.train);
      else if (op === O.resetEval) replica.resetState(layout.evaluation!);
    } catch {
      c[C.error] = 1;
    }
    Atomics.store(c, C.done, gen);
    Atomics.notify(c, C.done);
  }
}
