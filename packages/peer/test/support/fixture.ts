import { Client, Server, type ClientOptions, type ServerOptions } from '../../src/index.js';
import { createMemoryTransportPair } from '../../src/testing/index.js';

/** A server plus a way to connect clients to it over in-memory transports. Disposed with `await using`. */
export function memoryServer(options: ServerOptions) {
  const server = new Server(options);
  const clients: Client[] = [];
  const transports: ReturnType<typeof createMemoryTransportPair>[] = [];
  return {
    server,
    transports,
    /** A transport factory: each call opens a new in-memory connection to the server. */
    dial() {
      const pair = createMemoryTransportPair();
      transports.push(pair);
      server.accept(pair[1]);
      return pair[0];
    },
    async connect(clientOptions: ClientOptions = {}) {
      const client = await Client.connect(() => this.dial(), clientOptions);
      clients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      for (const client of clients) client.close();
      await server.close();
    },
  };
}
