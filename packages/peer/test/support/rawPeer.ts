import type { Transport } from '../../src/index.js';

/** The far end of a transport driven by hand: send raw text, await parsed messages in order. */
export function rawPeer(transport: Transport) {
  const inbox: unknown[] = [];
  const waiters: ((message: unknown) => void)[] = [];
  let closed = false;
  const closeWaiters: (() => void)[] = [];
  transport.start({
    message(data) {
      const message: unknown = JSON.parse(data);
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else inbox.push(message);
    },
    close() {
      closed = true;
      for (const waiter of closeWaiters.splice(0)) waiter();
    },
  });
  return {
    send(message: unknown) {
      transport.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    next(): Promise<any> {
      if (inbox.length > 0) return Promise.resolve(inbox.shift());
      return new Promise((resolve) => waiters.push(resolve));
    },
    /** Sends a request and resolves with the message that answers it. */
    async request(id: number | string, method: string, params?: unknown): Promise<any> {
      this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
      return this.next();
    },
    /** Closes this end, as a client that goes away. */
    close() {
      transport.close({ code: 1000, reason: 'raw peer closed' });
    },
    get closed() {
      return closed;
    },
    whenClosed(): Promise<void> {
      return closed ? Promise.resolve() : new Promise((resolve) => closeWaiters.push(resolve));
    },
    pending(): number {
      return inbox.length;
    },
  };
}
