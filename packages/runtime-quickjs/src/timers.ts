import type { QuickJSHandle } from 'quickjs-emscripten-core';

/** Timers one session may have pending at once. */
export const MAX_PENDING_TIMERS = 1000;
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Entry {
  callback: QuickJSHandle;
  timer: ReturnType<typeof setTimeout>;
}

/** Node's timers can let the process exit while they are pending; other platforms' cannot. */
function keepProcess(timer: ReturnType<typeof setTimeout>, on: boolean): void {
  const handle = timer as { ref?: () => void; unref?: () => void };
  if (on) handle.ref?.();
  else handle.unref?.();
}

/**
 * The guest's `setTimeout`: host timers that only ever call back into this session, hold their
 * callback handle until they fire or are cleared, and are all cleared with the VM.
 */
export class GuestTimers {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;
  private suspended = false;
  private keepAlive = false;

  constructor(private readonly fire: (callback: QuickJSHandle) => void) {}

  /** Clears every pending timer and refuses new ones until `resume()`. */
  suspend(): void {
    this.suspended = true;
    this.clearAll();
  }

  resume(): void {
    this.suspended = false;
  }

  /**
   * While an eval runs, its timers keep the host process alive, since the eval may be waiting on
   * them; otherwise a session's timers alone never do.
   */
  keepProcessAlive(on: boolean): void {
    if (this.keepAlive === on) return;
    this.keepAlive = on;
    for (const entry of this.entries.values()) keepProcess(entry.timer, on);
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
    keepProcess(timer, this.keepAlive);
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
