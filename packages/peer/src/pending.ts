import { AbortedError, TimeoutError } from './errors.js';

export type RequestKey = number;

interface Entry {
  resolve(value: unknown): void;
  reject(error: Error): void;
  cleanup(): void;
}

export interface TrackOptions {
  /** Local deadline; `0` or undefined means none. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called when the local deadline or signal ends the call, so the remote side can be told. */
  onAbandon?(error: Error): void;
}

interface SignalGroup {
  aborts: Map<RequestKey, () => void>;
  listener: () => void;
}

/** Outbound requests awaiting a response. Every entry settles exactly once. */
export class PendingRequests {
  private readonly entries = new Map<RequestKey, Entry>();
  /**
   * One abort listener per signal, whatever the number of requests it covers: code that makes many
   * concurrent calls under one signal (an eval's) would otherwise pile up listeners on it.
   */
  private readonly bySignal = new Map<AbortSignal, SignalGroup>();

  get size(): number {
    return this.entries.size;
  }

  has(id: RequestKey): boolean {
    return this.entries.has(id);
  }

  track(id: RequestKey, options: TrackOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const abandon = (error: Error) => {
        if (!this.settle(id)) return;
        reject(error);
        options.onAbandon?.(error);
      };
      const signal = options.signal;
      const onAbort = () => abandon(new AbortedError('aborted', { cause: signal?.reason }));
      const cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        if (signal) this.unwatch(signal, id);
      };
      this.entries.set(id, { resolve, reject, cleanup });
      if (signal?.aborted) return onAbort();
      if (signal) this.watch(signal, id, onAbort);
      if (options.timeoutMs && options.timeoutMs > 0) {
        timer = setTimeout(() => abandon(new TimeoutError(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
      }
    });
  }

  resolve(id: RequestKey, value: unknown): boolean {
    const entry = this.entries.get(id);
    if (!entry || !this.settle(id)) return false;
    entry.resolve(value);
    return true;
  }

  reject(id: RequestKey, error: Error): boolean {
    const entry = this.entries.get(id);
    if (!entry || !this.settle(id)) return false;
    entry.reject(error);
    return true;
  }

  rejectAll(error: Error): void {
    for (const id of [...this.entries.keys()]) this.reject(id, error);
  }

  private watch(signal: AbortSignal, id: RequestKey, onAbort: () => void): void {
    let group = this.bySignal.get(signal);
    if (!group) {
      const aborts = new Map<RequestKey, () => void>();
      const listener = () => {
        this.bySignal.delete(signal);
        for (const abort of [...aborts.values()]) abort();
      };
      group = { aborts, listener };
      this.bySignal.set(signal, group);
      signal.addEventListener('abort', listener, { once: true });
    }
    group.aborts.set(id, onAbort);
  }

  private unwatch(signal: AbortSignal, id: RequestKey): void {
    const group = this.bySignal.get(signal);
    if (!group?.aborts.delete(id) || group.aborts.size > 0) return;
    this.bySignal.delete(signal);
    signal.removeEventListener('abort', group.listener);
  }

  private settle(id: RequestKey): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.cleanup();
    return true;
  }
}
