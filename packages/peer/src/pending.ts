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

/** Outbound requests awaiting a response. Every entry settles exactly once. */
export class PendingRequests {
  private readonly entries = new Map<RequestKey, Entry>();

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
      const onAbort = () => abandon(new AbortedError('aborted', { cause: options.signal?.reason }));
      const cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      this.entries.set(id, { resolve, reject, cleanup });
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
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

  private settle(id: RequestKey): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.cleanup();
    return true;
  }
}
