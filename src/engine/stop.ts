// Cooperative cancellation for long work. Every long loop polls `stopRequested` (cheap), async
// or not. An AbortSignal's `aborted` only changes when its thread runs an event, which a
// synchronous loop never lets happen; so a worker's signal can also be linked to a flag in
// shared memory that the starting thread raises, and polling reads that flag directly.

/** Shared memory a stop is raised in: one Int32, 0 = run, 1 = stop. */
export type StopFlag = Int32Array;

const linked = new WeakMap<AbortSignal, { controller: AbortController; flag: StopFlag }>();

export function createStopFlag(): StopFlag {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Raise the flag (from any thread); threads polling a linked signal see it at their next poll. */
export function raiseStopFlag(flag: StopFlag): void {
  Atomics.store(flag, 0, 1);
}

/** Makes `controller.signal` count as aborted as soon as `flag` is raised, even inside a synchronous loop. */
export function linkStopFlag(controller: AbortController, flag: StopFlag): void {
  linked.set(controller.signal, { controller, flag });
}

/** Whether the work should stop now. Cheap enough for inner loops every few thousand iterations. */
export function stopRequested(signal: AbortSignal | undefined): boolean {
  if (!signal) return false;
  if (signal.aborted) return true;
  const link = linked.get(signal);
  if (link && Atomics.load(link.flag, 0) === 1) {
    link.controller.abort(); // so listeners and later checks agree
    return true;
  }
  return false;
}

/** Throws the signal's AbortError (name 'AbortError') when a stop was requested. */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (stopRequested(signal)) signal!.throwIfAborted();
}

/** True for the error a stopped piece of work throws. */
export function isStopError(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'AbortError';
}

/**
 * A checker for a hot synchronous loop: call it every iteration, it polls once per `every`
 * calls and throws the AbortError then. Choose `every` so that many iterations take well
 * under 250 ms.
 */
export function stopChecker(signal: AbortSignal | undefined, every = 4096): () => void {
  if (!signal) return () => undefined;
  let n = 0;
  return () => {
    if (++n >= every) {
      n = 0;
      throwIfStopped(signal);
    }
  };
}
