/** A monotonic clock in milliseconds. Injectable so tests can drive the budget deterministically. */
export type Clock = () => number;

/**
 * CPU time spent running guest code. Time accrues only between `resume()` and `pause()`, which
 * bracket every entry into the interpreter, so time spent waiting on bindings is never counted.
 * Entries nest (guest → host → guest), hence the depth counter.
 */
export class CpuBudget {
  private usedMs = 0;
  private runningSince = 0;
  private depth = 0;
  limitMs: number;

  constructor(
    limitMs: number,
    private readonly clock: Clock,
  ) {
    this.limitMs = limitMs;
  }

  /** Starts a fresh allowance (a new eval, or a call into the guest while no eval runs). */
  reset(limitMs = this.limitMs): void {
    this.limitMs = limitMs;
    this.usedMs = 0;
    if (this.depth > 0) this.runningSince = this.clock();
  }

  get running(): boolean {
    return this.depth > 0;
  }

  resume(): void {
    if (this.depth++ === 0) this.runningSince = this.clock();
  }

  pause(): void {
    if (--this.depth === 0) this.usedMs += this.clock() - this.runningSince;
  }

  elapsedMs(): number {
    return this.depth > 0 ? this.usedMs + (this.clock() - this.runningSince) : this.usedMs;
  }

  exceeded(): boolean {
    return this.elapsedMs() > this.limitMs;
  }
}
