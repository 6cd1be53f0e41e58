import { ConnectionClosedError } from '../errors.js';
import type { Transport, TransportCloseInfo, TransportHandler } from '../transport.js';
import { TransportInbox } from '../transportInbox.js';

/**
 * One end of an in-process channel. Delivery is asynchronous (a microtask per message), in order,
 * and messages that arrive before `start` are buffered.
 */
class MemoryTransport implements Transport {
  peer!: MemoryTransport;
  readonly inbox = new TransportInbox();

  get closed(): boolean {
    return this.inbox.closed;
  }

  get ended(): Promise<TransportCloseInfo> {
    return this.inbox.ended;
  }

  start(handler: TransportHandler): void {
    this.inbox.start(handler);
  }

  send(message: string): void {
    if (this.inbox.closed) throw new ConnectionClosedError('transport closed');
    const target = this.peer.inbox;
    queueMicrotask(() => target.deliver(message));
  }

  close(info: TransportCloseInfo = {}): void {
    if (this.inbox.closed) return;
    const target = this.peer.inbox;
    this.inbox.close(info);
    // The close travels behind messages already sent, as on a real in-order channel.
    queueMicrotask(() => target.close(info));
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
