/**
 * A session's `memoryBytes` between heap checks. Measuring the heap walks it, so it runs only every
 * `intervalMs` of the session's CPU time, from the interrupt handler, which QuickJS reaches every
 * few thousand steps; a loop allocating megabytes per step would outrun that. So every growth of
 * the instance's linear memory while the session's code runs is counted against the session, and
 * growth past the limit since the last heap check is refused: the allocation fails at once with
 * QuickJS's out-of-memory error, and the heap is measured at the next interrupt point.
 */
export class MemoryGuard {
  private grownBytes = 0;
  private refused = false;
  private lastCheck = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly intervalMs: number,
  ) {}

  /** The session's code starts a new run (an eval, or an entry from the host outside one). */
  restart(): void {
    this.grownBytes = 0;
  }

  /** Asked from inside an allocation, so it must not call into the instance. */
  allow(bytes: number): boolean {
    if (this.grownBytes + bytes > this.limitBytes) {
      this.refused = true;
      return false;
    }
    this.grownBytes += bytes;
    return true;
  }

  /** Whether the heap should be measured now; when it should, the growth count starts over. */
  checkDue(now: number): boolean {
    if (!this.refused && now - this.lastCheck < this.intervalMs) return false;
    this.lastCheck = now;
    this.grownBytes = 0;
    this.refused = false;
    return true;
  }
}
