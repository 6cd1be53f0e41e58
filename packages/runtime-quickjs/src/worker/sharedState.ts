/**
 * Memory one worker shares with the thread that supervises it. The worker publishes when guest
 * code runs and until when it may run; the supervisor asks for cancels. Both work while the other
 * thread is busy, which is the point: a loop in guest code never reads a message.
 */
export class SharedState {
  /** [0] deadline (epoch ms) of the guest code running now, 0 when none runs. */
  private readonly clock: Float64Array;
  /** [0] local id of the session running now, [1] entries so far, [2 + slot] eval to cancel per session slot. */
  private readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.clock = new Float64Array(buffer, 0, 1);
    this.words = new Int32Array(buffer, 8);
  }

  static create(slots: number): SharedState {
    return new SharedState(new SharedArrayBuffer(8 + 4 * (2 + slots)));
  }

  // ----- written by the worker -----

  entered(sessionId: number, budgetMs: number): void {
    this.clock[0] = Date.now() + budgetMs;
    Atomics.store(this.words, 0, sessionId);
    Atomics.add(this.words, 1, 1);
  }

  left(): void {
    this.clock[0] = 0;
  }

  cancelRequested(slot: number, evalId: number): boolean {
    return Atomics.load(this.words, 2 + slot) === evalId;
  }

  // ----- written by the supervisor -----

  requestCancel(slot: number, evalId: number): void {
    Atomics.store(this.words, 2 + slot, evalId);
  }

  clearCancel(slot: number): void {
    Atomics.store(this.words, 2 + slot, 0);
  }

  /** What runs now: the session, the entry's sequence number, and until when it may run. */
  running(): { sessionId: number; entry: number; deadline: number } | undefined {
    const deadline = this.clock[0]!;
    if (deadline === 0) return undefined;
    return { sessionId: Atomics.load(this.words, 0), entry: Atomics.load(this.words, 1), deadline };
  }
}
