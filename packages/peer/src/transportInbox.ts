import type { TransportCloseInfo, TransportHandler } from './transport.js';

/**
 * The delivery half every transport needs: buffers messages until `start`, delivers them in order,
 * and reports close exactly once, after the messages that arrived before it, to the handler and
 * through `ended`. Transport authors
 * feed it what their channel receives and keep only the sending side to themselves.
 */
export class TransportInbox {
  private handler: TransportHandler | undefined;
  private queue: string[] = [];
  private closeInfo: TransportCloseInfo | undefined;
  private notified = false;
  private settle!: (info: TransportCloseInfo) => void;
  /** Settles with the close info once the close was recorded and the handler (if started) told. */
  readonly ended = new Promise<TransportCloseInfo>((resolve) => (this.settle = resolve));

  /** True once `close` was recorded (delivery of the close may still be pending). */
  get closed(): boolean {
    return this.closeInfo !== undefined;
  }

  start(handler: TransportHandler): void {
    if (this.handler) throw new Error('transport already started');
    this.handler = handler;
    const queue = this.queue;
    this.queue = [];
    for (const message of queue) {
      if (this.notified) break;
      handler.message(message);
    }
    if (this.closeInfo) this.notify();
  }

  /** A message arrived; ignored once the transport closed. */
  deliver(message: string): void {
    if (this.closeInfo) return;
    if (this.handler) this.handler.message(message);
    else this.queue.push(message);
  }

  /**
   * Records the close; the handler hears of it on the next microtask (or at `start`). Returns false
   * when the transport had already closed, so callers can skip their own teardown.
   */
  close(info: TransportCloseInfo): boolean {
    if (this.closeInfo) return false;
    this.closeInfo = info;
    queueMicrotask(() => {
      this.notify();
      this.settle(info);
    });
    return true;
  }

  private notify(): void {
    if (this.notified || !this.handler || !this.closeInfo) return;
    this.notified = true;
    this.queue = [];
    this.handler.close(this.closeInfo);
  }
}
