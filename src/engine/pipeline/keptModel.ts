// What a stopped training run leaves in its model folder, for the result a user reads: the
// last complete model (saves are atomic), whether this run wrote it, and how far it got.
import { readModelMeta } from '../io/store';
import type { KeptModel } from '../types';

/** The model now in `dir` (null when there is none); `runStartedAt` tells this run's saves from older ones. */
export async function keptModel(dir: string, runStartedAt: Date): Promise<KeptModel | null> {
  const meta = await readModelMeta(dir).catch(() => undefined);
  if (!meta) return null;
  const step = meta.metrics.step;
  const ppl = meta.metrics.valid_ppl ?? meta.metrics.valid_ppl_lstm;
  return {
    dir,
    createdAt: meta.createdAt,
    fromThisRun: Date.parse(meta.createdAt) >= runStartedAt.getTime(),
    status: typeof meta.metrics.status === 'string' ? meta.metrics.status : 'done',
    step: typeof step === 'number' ? step : null,
    validPpl: typeof ppl === 'number' ? ppl : null,
  };
}

/** One line for a person: which model a stopped run left, e.g. "kept this run's checkpoint of step 120 (ppl 180)". */
export function describeKept(kept: KeptModel | null): string {
  if (!kept) return 'no model was saved';
  const ppl = kept.validPpl === null ? '' : `, validation perplexity ${Math.round(kept.validPpl)}`;
  if (!kept.fromThisRun) return `kept the previous model (saved ${kept.createdAt}${ppl})`;
  return `kept this run's last checkpoint${kept.step === null ? '' : ` (step ${kept.step}${ppl})`}`;
}
