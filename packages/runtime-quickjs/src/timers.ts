import type { QuickJSHandle } from 'quickjs-emscripten-core';

/** Timers one session may have pending at once. */
export const MAX_PENDING_TIMERS = 1000;
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Entry {
  callback: QuickJSHandle;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The guest's `setTimeout`: host timers that only ever call back into this session, hold their
 * callback handle until they fire or are cleared, and are all cleared with the VM.
 *
 * Timers are what lets guest code keep running after its eval ended, each callback with a CPU
 * allowance of its own. So the CPU time guest code uses outside any eval is added up, and once it
 * passes the session's time limit the pending timers are cleared and new ones refused until the
 * next eval starts: a callback that re-arms itself cannot keep the session's thread busy forever.
 */
export class GuestTimers {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;
  private idleMs = 0;
  private suspended = false;

  constructor(
    private readonly fire: (callback: QuickJSHandle) => void,
    /** Told once when timers are suspended, with a line for the session's console. */
    private readonly onSuspend: (message: string) => void,
  ) {}

  /** Adds CPU time guest code used outside any eval; past `limitMs` timers are suspended. */
  chargeIdle(ms: number, limitMs: number): void {
    this.idleMs += ms;
    if (this.suspended || this.idleMs <= limitMs) return;
    this.suspended = true;
    this.clearAll();
    this.onSuspend(`code outside an eval used ${limitMs} ms of CPU time: pending timers cleared, setTimeout refused until the next eval`);
  }

  /** An eval started: the allowance outside evals starts over and timers may be set again. */
  evalStarted(): void {
    this.idleMs = 0;
    this.suspended = false;
  }

  set(callback: QuickJSHandle, delayMs: number): number {
    if (this.suspended) {
      callback.dispose();
      throw new RangeError('setTimeout is refused until the next eval: code outside an eval used up its CPU time');
    }
    if (this.entries.size >= MAX_PENDING_TIMERS) {
      callback.dispose();
      throw new RangeError(`more than ${MAX_PENDING_TIMERS} pending timers`);
    }
    const id = this.nextId++;
    const delay = Math.min(Math.max(Number.isFinite(delayMs) ? delayMs : 0, 0), MAX_DELAY_MS);
    const timer = setTimeout(() => {
      const entry = this.entries.get(id);
      if (!entry) return;
      this.entries.delete(id);
      try {
        this.fire(entry.callback);
      } finally {
        if (entry.callback.alive) entry.callback.dispose();
      }
    }, delay);
    // A session's timer alone must not keep the host process alive.
    (timer as { unref?: () => void }).unref?.();
    this.entries.set(id, { callback, timer });
    return id;
  }

  clear(id: number): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    if (entry.callback.alive) entry.callback.dispose();
  }

  get size(): number {
    return this.entries.size;
  }

  clearAll(): void {
    for (const id of [...this.entries.keys()]) this.clear(id);
  }
}
