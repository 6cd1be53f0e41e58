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
 */
export class GuestTimers {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;
  private suspended = false;

  constructor(private readonly fire: (callback: QuickJSHandle) => void) {}

  /** Clears every pending timer and refuses new ones until `resume()`. */
  suspend(): void {
    this.suspended = true;
    this.clearAll();
  }

  resume(): void {
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
