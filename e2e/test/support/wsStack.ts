import { afterAll } from 'vitest';
import { Client, Server, type ClientOptions, type ServerOptions, type Transport, type TransportCloseInfo } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { connectWebSocket, listenWebSocket, type ListenWebSocketOptions } from '@scomp/transport-ws/node';

/** One factory for the stacks of a test file, closed after the file's tests. */
export const quickJs = createQuickJsRuntimeFactory();
afterAll(() => quickJs.close());

/** A transport whose close is observable, and which a test can drop as a network failure would. */
export interface Tracked {
  transport: Transport;
  closed: Promise<TransportCloseInfo>;
}

function track(transport: Transport): Tracked {
  return { transport, closed: transport.ended };
}

/**
 * A scomp server on QuickJS behind a WebSocket listener on 127.0.0.1:0, plus clients that dial it.
 * Every server-side connection is tracked, so a test can wait for it to close or drop it.
 * Dispose with `await using`.
 */
export async function wsStack(options: Partial<ServerOptions> = {}, listen: Partial<ListenWebSocketOptions> = {}) {
  const server = new Server({ runtime: quickJs, ...options });
  const serverSide: Tracked[] = [];
  const clientSide: Tracked[] = [];
  const waiters: ((tracked: Tracked) => void)[] = [];
  const listener = await listenWebSocket({
    host: '127.0.0.1',
    port: 0,
    ...listen,
    onConnection: (transport) => {
      const tracked = track(transport);
      serverSide.push(tracked);
      server.accept(tracked.transport);
      for (const waiter of waiters.splice(0)) waiter(tracked);
    },
  });
  const clients: Client[] = [];
  return {
    server,
    listener,
    serverSide,
    clientSide,
    /** A transport factory for `Client.connect`; each call opens a new WebSocket. */
    async dial(): Promise<Transport> {
      const tracked = track(await connectWebSocket(listener.url));
      clientSide.push(tracked);
      return tracked.transport;
    },
    /** Resolves with the server side of the next connection to arrive. */
    nextConnection(): Promise<Tracked> {
      return new Promise((resolve) => waiters.push(resolve));
    },
    async connect(clientOptions: ClientOptions = {}): Promise<Client> {
      const client = await Client.connect(() => this.dial(), clientOptions);
      clients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      for (const client of clients) client.close();
      await server.close();
      await listener.close();
    },
  };
}

/** A promise with its resolve function, for gates a test opens by hand. */
export function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
