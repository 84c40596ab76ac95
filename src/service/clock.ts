/**
 * Wall-clock time as the daemons see it: injected, so that tests of retry pauses,
 * fee bumps and pruning advance time by calling `advance` instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, as `Date.now()`. */
  now(): number;
}

/** The machine's clock. */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** A clock that moves only when told to (tests). */
export class ManualClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}

  now(): number {
    return this.ms;
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.ms += ms;
  }
}
