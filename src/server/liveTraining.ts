// The LSTM keeps up: when enough text has changed since the model was trained and the editor
// has been idle for a while, the server continues training (the pipeline's resume) on the
// workspace as it now is, at low priority, within wordlens.liveTraining.minutesPerHour of
// training per rolling hour. The result is swapped in only when its validation perplexity is
// better than the serving model's. LiveTrainingPolicy decides (pure, clock injected, tested);
// startLiveTraining runs the timer and the job.
import * as path from 'node:path';
import type { PipelineJob } from '../engine/pipeline/pipelineJob';
import { startPipelineJob } from '../engine/pipeline/pipelineJob';
import type { ServerContext } from './context';
import { MODEL_FOLDER } from './modelHost';

/** Changed n-gram occurrences (LiveNgramModel.update's added + removed) that make a run worth it: about 400 tokens. */
export const MIN_CHANGED = 2_000;
/** The editor is idle after this long without an edit. */
export const IDLE_MS = 30_000;
/** No run shorter than this (the budget left in the hour must allow it). */
export const MIN_RUN_MINUTES = 0.5;
/** Nor longer than this at once: the next changes get their turn. */
export const MAX_RUN_MINUTES = 2;
const HOUR_MS = 3_600_000;

export interface LiveTrainingSettings {
  enabled: boolean;
  minutesPerHour: number;
}

export class LiveTrainingPolicy {
  private changed = 0;
  private lastEdit = -Infinity;
  /** Runs in the last hour: [start, end] in ms. */
  private runs: [number, number][] = [];

  constructor(private readonly now: () => number) {}

  /** An edit was absorbed: `changed` n-gram occurrences removed + added. */
  noteEdit(changed: number): void {
    this.changed += changed;
    this.lastEdit = this.now();
  }

  /** Minutes of training left in the rolling hour. */
  minutesLeft(settings: LiveTrainingSettings): number {
    const t = this.now();
    this.runs = this.runs.filter(([, end]) => end > t - HOUR_MS);
    const spent = this.runs.reduce((ms, [start, end]) => ms + (end - Math.max(start, t - HOUR_MS)), 0);
    return Math.max(0, settings.minutesPerHour - spent / 60_000);
  }

  /** The budget of a run to start now, or why not. */
  decide(settings: LiveTrainingSettings, busy: boolean): { start: true; minutes: number } | { start: false; why: string } {
    if (!settings.enabled) return { start: false, why: 'off (wordlens.liveTraining.enabled)' };
    if (busy) return { start: false, why: 'a training job is running' };
    if (this.changed < MIN_CHANGED) return { start: false, why: `not enough change (${this.changed} < ${MIN_CHANGED})` };
    if (this.now() - this.lastEdit < IDLE_MS) return { start: false, why: 'the editor is not idle' };
    const left = this.minutesLeft(settings);
    if (left < MIN_RUN_MINUTES) return { start: false, why: `the hour's budget is spent (${left.toFixed(2)} min left)` };
    return { start: true, minutes: Math.min(left, MAX_RUN_MINUTES) };
  }

  /** A run started: the changes so far are its to learn. */
  started(): number {
    this.changed = 0;
    return this.now();
  }

  /** A run that started at `start` ended now (its time counts against the budget). */
  ended(start: number): void {
    this.runs.push([start, this.now()]);
  }
}

/** Swap in a continued model only when it is better on validation than what serves. */
export function isImprovement(validPpl: number | null, servingPpl: number | null): boolean {
  return validPpl !== null && Number.isFinite(validPpl) && (servingPpl === null || validPpl < servingPpl);
}

export interface LiveTrainer {
  policy: LiveTrainingPolicy;
  /** Stops a running continued training (the user asked for a full one, or shutdown). */
  cancel(): void;
  readonly running: boolean;
  dispose(): void;
}

/** Checks the policy every `checkEveryMs` and runs continued training when it says so. */
export function startLiveTraining(ctx: ServerContext, checkEveryMs = 10_000): LiveTrainer {
  const { host, log } = ctx;
  const policy = new LiveTrainingPolicy(() => Date.now());
  let job: PipelineJob | undefined;
  const check = () => {
    const model = host.model;
    const storage = ctx.init().storagePath;
    // Only the workspace's own trained LSTM is continued (not a folder loaded by hand).
    if (!model || model.serving !== 'LSTM + n-gram' || !storage || model.info.modelPath !== path.resolve(storage, MODEL_FOLDER)) return;
    const settings = ctx.settings().liveTraining;
    const decision = policy.decide(settings, job !== undefined || host.isTraining);
    if (!decision.start) return;
    const startedAt = policy.started();
    const outDir = model.info.modelPath;
    log(`continued training for ${decision.minutes.toFixed(1)} min on the changed workspace (live training)`);
    const s = ctx.settings();
    const run = startPipelineJob(
      { roots: ctx.workspaceRoots(), include: s.include, exclude: s.exclude, tokenizer: model.meta.tokenizer, outDir, minutes: decision.minutes, resume: true },
      () => undefined,
      { lowPriority: true },
    );
    job = run;
    run.done
      .then(async (result) => {
        const serving = host.model?.info.validPpl ?? null;
        if (result.saved && isImprovement(result.valid_ppl, serving)) {
          log(`live training improved validation ppl ${serving ?? 'n/a'} -> ${result.valid_ppl}: swapping it in`);
          await host.load(outDir, host.model?.files);
        } else log(`live training kept the serving model (ppl ${result.valid_ppl ?? 'n/a'} vs ${serving ?? 'n/a'})`);
      })
      .catch((error: Error) => log(`live training failed: ${error.message}`))
      .finally(() => {
        policy.ended(startedAt);
        job = undefined;
      });
  };
  const timer = setInterval(check, checkEveryMs);
  timer.unref?.();
  return {
    policy,
    cancel: () => job?.cancel(),
    get running() {
      return job !== undefined;
    },
    dispose: () => {
      clearInterval(timer);
      job?.terminate();
    },
  };
}
