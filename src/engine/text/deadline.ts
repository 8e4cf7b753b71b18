// A point in time after which a phase of a budgeted run takes no more work (the training
// budget is a wall-clock promise: reading and tokenizing stop at their share of it). The
// clock is injectable so tests can move time by hand.

export interface Deadline {
  /** ms on `now`'s clock. */
  at: number;
  now: () => number;
}

/** Whether `d` has passed (never, without one). */
export function pastDeadline(d: Deadline | undefined): boolean {
  return d !== undefined && d.now() >= d.at;
}
