// Best-on-validation bookkeeping of a training run: keeps a copy of the weights that scored
// best, hands every validated state to onCheckpoint, and says which weights to end with.
import type { NamedWeight } from '../types';

/** A validated state of training, handed to TrainOptions.onCheckpoint. */
export interface TrainCheckpoint {
  weights: NamedWeight[];
  step: number;
  validPpl: number | null;
}

export class BestCheckpoint {
  private best: { ppl: number; weights: NamedWeight[] } | null = null;

  constructor(
    private readonly onCheckpoint: ((c: TrainCheckpoint) => Promise<void> | void) | undefined,
    private lastValidPpl: number | null = null,
  ) {}

  /** Perplexity of the best weights so far; null before the first validation. */
  get bestPpl(): number | null {
    return this.best ? this.best.ppl : null;
  }

  /** Records a validation of the current weights at `step`; resolves to whether they are the best so far. */
  async validated(ppl: number, step: number, weights: () => NamedWeight[]): Promise<boolean> {
    const improved = !this.best || ppl < this.best.ppl;
    if (improved) this.best = { ppl, weights: weights() };
    this.lastValidPpl = ppl;
    await this.onCheckpoint?.({ weights: weights(), step, validPpl: ppl });
    return improved;
  }

  /**
   * The weights to end training with: the best ones when they beat the last validated ones
   * (those may have started to overfit) or after a cancel; undefined to keep the current ones.
   */
  weightsToKeep(cancelled: boolean): NamedWeight[] | undefined {
    if (!this.best) return undefined;
    if (this.best.ppl < (this.lastValidPpl ?? Infinity) || cancelled) return this.best.weights;
    return undefined;
  }
}
