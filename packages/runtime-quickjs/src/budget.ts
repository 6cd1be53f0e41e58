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

/**
 * CPU time guest code may use between two evals, in total: timer callbacks, promise jobs that
 * continue earlier work, settlements of calls it made, calls the host makes into it. Each of those
 * entries has an allowance of its own, so without a total, code that keeps re-arming itself (a
 * timer, or a loop awaiting a binding) would run forever after its eval ended.
 */
export class IdleAllowance {
  private usedMs = 0;
  private controller = new AbortController();

  /** Aborted, with the error to report, once the allowance is used up; a fresh one after `reset()`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get exhausted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Adds guest time; true when this charge used the allowance up. */
  charge(ms: number, limitMs: number, error: () => Error): boolean {
    if (this.exhausted) return false;
    this.usedMs += ms;
    if (this.usedMs <= limitMs) return false;
    this.controller.abort(error());
    return true;
  }

  /** An eval started: the allowance starts over. */
  reset(): void {
    this.usedMs = 0;
    if (this.exhausted) this.controller = new AbortController();
  }
}
