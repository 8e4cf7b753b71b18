// How trainLstm spends a wall-clock budget so that the whole run keeps its promise: the loop
// ends early enough to leave the final validation and the caller's reserve (λ fit, save) inside
// the budget, validation passes use at most a share of it (10%), and the validation subsample
// is sized from the measured full-softmax rate. Pure arithmetic on milliseconds: the loop feeds
// it measured times, tests feed it an injected clock.

export interface TrainBudgetOptions {
  /** The loop's whole budget in ms, its final validation included. */
  budgetMs: number;
  /** Share of the budget validation passes during training may use (default 0.1). */
  validShare?: number;
  /** Passes the share is sized for: one pass may take validShare / passes of the budget (default 3). */
  passes?: number;
  /** Fewest validation tokens worth scoring (default 200; fewer when there are fewer). */
  minTokens?: number;
  /** ms the caller needs after the loop returns, given the full-softmax rate and the sample size. */
  reserveAfterMs?: (tokensPerMs: number, sampleTokens: number) => number;
}

export class TrainBudget {
  readonly budgetMs: number;
  private readonly share: number;
  private readonly passes: number;
  private readonly minTokens: number;
  private readonly reserveAfter: (tokensPerMs: number, sampleTokens: number) => number;
  /** Full-softmax validation tokens per ms; NaN until measured. */
  private rate = NaN;
  private sample = 0;
  private spentMs = 0;
  private stepMs = 0;

  constructor(opts: TrainBudgetOptions) {
    this.budgetMs = opts.budgetMs;
    this.share = opts.validShare ?? 0.1;
    this.passes = opts.passes ?? 3;
    this.minTokens = opts.minTokens ?? 200;
    this.reserveAfter = opts.reserveAfterMs ?? (() => 0);
  }

  /** Whether the budget is finite (an epochs-only run validates everything, unhurried). */
  get bounded(): boolean {
    return Number.isFinite(this.budgetMs);
  }

  /** Records a timed full-softmax pass (the probe or a validation); `validation` counts it against the share. */
  measured(tokens: number, ms: number, validation: boolean): void {
    if (tokens > 0) this.rate = tokens / Math.max(ms, 1e-3);
    if (validation) this.spentMs += ms;
  }

  /** Records the time of a training step (the loop stops before a step would overrun). */
  stepTook(ms: number): void {
    this.stepMs = this.stepMs === 0 ? ms : 0.8 * this.stepMs + 0.2 * ms;
  }

  /** Validation tokens to score in each pass, of `available`: what one pass's share of the budget allows (all of them when `all`). */
  sampleTokens(available: number, all = false): number {
    if (all || !this.bounded || !(this.rate > 0)) return (this.sample = available);
    const fits = Math.floor((this.rate * this.budgetMs * this.share) / this.passes);
    return (this.sample = Math.min(available, Math.max(this.minTokens, fits)));
  }

  /** Estimated ms of one validation pass over the sample. */
  passMs(): number {
    return this.rate > 0 ? this.sample / this.rate : 0;
  }

  /** ms reserved at the end of the budget: the final validation and what the caller does after the loop. */
  reserveMs(): number {
    return this.passMs() + this.reserveAfter(this.rate > 0 ? this.rate : 0, this.sample);
  }

  /** When (ms from the loop's start) the loop must stop stepping. */
  loopEndMs(): number {
    return this.bounded ? this.budgetMs - this.reserveMs() : Infinity;
  }

  /** The measured full-softmax rate (tokens per ms; NaN before any pass). */
  get tokensPerMs(): number {
    return this.rate;
  }

  /** Whether the loop stops before another step (always lets one step run, so a model is trained at all). */
  shouldStop(elapsedMs: number, stepsDone: number): boolean {
    if (stepsDone === 0) return false;
    return elapsedMs + this.stepMs >= this.loopEndMs();
  }

  /** Whether a validation during training fits: within the share, and before the loop's end. */
  mayValidate(elapsedMs: number): boolean {
    if (!this.bounded) return true;
    const pass = this.passMs();
    return this.spentMs + pass <= this.share * this.budgetMs && elapsedMs + pass < this.loopEndMs();
  }

  /** ms of validation during training so far. */
  get validationMs(): number {
    return this.spentMs;
  }
}
