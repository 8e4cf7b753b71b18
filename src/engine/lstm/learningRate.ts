// The learning rate over a training run: constant, then decayed linearly to 10% over the
// rest of the budget (budget-aware annealing), times the anchor's quartering on a plateau.
export class LearningRateSchedule {
  private plateau = 1;

  /** `decayFrom`: the fraction of the budget where the decay starts. */
  constructor(
    private readonly lr0: number,
    private readonly decayFrom: number,
  ) {}

  /** The rate at `fraction` (0..1) of the budget spent. */
  at(fraction: number): number {
    const { decayFrom } = this;
    const decay = fraction <= decayFrom ? 1 : 1 - 0.9 * Math.min(1, (fraction - decayFrom) / (1 - decayFrom));
    return this.lr0 * this.plateau * decay;
  }

  /** Validation did not improve at an epoch's end: a quarter of the rate from now on. */
  plateaued(): void {
    this.plateau /= 4;
  }
}
