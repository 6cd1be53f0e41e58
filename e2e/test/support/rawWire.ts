import type { Transport, TransportCloseInfo } from '@scomp/peer';

/**
 * The far end of a transport, driven by hand: sends raw text, records every message received, and
 * lets a test wait for the answer to one of its requests.
 */
export function rawWire(transport: Transport) {
  const received: any[] = [];
  const waiters = new Map<string, (message: any) => void>();
  let closeInfo: TransportCloseInfo | undefined;
  const closeWaiters: ((info: TransportCloseInfo) => void)[] = [];
  const watchers = new Set<(message: any) => void>();
  transport.start({
    message(data) {
      const message = JSON.parse(data);
      received.push(message);
      if (message && typeof message === 'object' && 'id' in message && !('method' in message)) {
        const key = JSON.stringify(message.id);
        const waiter = waiters.get(key);
        if (waiter) {
          waiters.delete(key);
          waiter(message);
        }
      }
      for (const watcher of [...watchers]) watcher(message);
    },
    close(info) {
      closeInfo = info;
      for (const waiter of closeWaiters.splice(0)) waiter(info);
    },
  });
  return {
    received,
    send(message: unknown) {
      transport.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    /** Sends a request and resolves with its response. */
    request(id: string | number, method: string, params?: unknown): Promise<any> {
      const answer = new Promise<any>((resolve) => waiters.set(JSON.stringify(id), resolve));
      this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
      return answer;
    },
    /** Resolves with the first message (already received or future) that `match` accepts. */
    waitFor(match: (message: any) => boolean): Promise<any> {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => {
        const watcher = (message: any) => {
          if (!match(message)) return;
          watchers.delete(watcher);
          resolve(message);
        };
        watchers.add(watcher);
      });
    },
    get closeInfo() {
      return closeInfo;
    },
    whenClosed(): Promise<TransportCloseInfo> {
      return closeInfo ? Promise.resolve(closeInfo) : new Promise((resolve) => closeWaiters.push(resolve));
    },
    close() {
      transport.close({ code: 1000, reason: 'test done' });
    },
  };
}

export type RawWire = ReturnType<typeof rawWire>;
