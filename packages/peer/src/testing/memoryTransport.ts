import { ConnectionClosedError } from '../errors.js';
import type { Transport, TransportCloseInfo, TransportHandler } from '../transport.js';

/**
 * One end of an in-process channel. Delivery is asynchronous (a microtask per message), in order,
 * and messages that arrive before `start` are buffered.
 */
class MemoryTransport implements Transport {
  peer!: MemoryTransport;
  private handler: TransportHandler | undefined;
  private inbox: string[] = [];
  private pendingClose: TransportCloseInfo | undefined;
  private isClosed = false;
  private notifiedClose = false;

  get closed(): boolean {
    return this.isClosed;
  }

  start(handler: TransportHandler): void {
    if (this.handler) throw new Error('transport already started');
    this.handler = handler;
    const inbox = this.inbox;
    this.inbox = [];
    for (const message of inbox) handler.message(message);
    if (this.pendingClose) this.notifyClose(this.pendingClose);
  }

  send(message: string): void {
    if (this.isClosed) throw new ConnectionClosedError('transport closed');
    const target = this.peer;
    queueMicrotask(() => target.receive(message));
  }

  close(info: TransportCloseInfo = {}): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const target = this.peer;
    // Close travels behind messages already sent, as on a real in-order channel.
    queueMicrotask(() => {
      this.notifyClose(info);
      target.remoteClosed(info);
    });
  }

  private receive(message: string): void {
    if (this.notifiedClose) return;
    if (this.handler) this.handler.message(message);
    else this.inbox.push(message);
  }

  private remoteClosed(info: TransportCloseInfo): void {
    this.isClosed = true;
    this.notifyClose(info);
  }

  private notifyClose(info: TransportCloseInfo): void {
    if (this.notifiedClose) return;
    if (!this.handler) {
      this.pendingClose = info;
      return;
    }
    this.notifiedClose = true;
    this.handler.close(info);
  }
}

/** Two linked transports: what one sends, the other receives. For tests and in-process use. */
export function createMemoryTransportPair(): [Transport, Transport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
