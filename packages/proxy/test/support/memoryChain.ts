import { Client, Server, type Binding, type ClientOptions, type ServerOptions, type Transport } from '@scomp/peer';
import { createFakeRuntimeFactory, createMemoryTransportPair } from '@scomp/peer/testing';
import { createComponent, type Component, type ComponentOptions } from '../../src/index.js';

export type ComponentSpec = Omit<ComponentOptions, 'downstream'>;

/**
 * A server on FakeRuntime behind `specs.length` components (first spec = head), all over in-memory
 * transports. `connect` opens a client to the head; with no specs it talks to the server alone.
 */
export function memoryChain(specs: readonly ComponentSpec[], serverOptions: Partial<ServerOptions> = {}) {
  const server = new Server({ runtime: createFakeRuntimeFactory(), metadata: { server: 'test' }, ...serverOptions });
  const components: Component[] = [];
  const transports: Transport[] = [];
  let accept = (transport: Transport) => server.accept(transport);
  for (const spec of [...specs].reverse()) {
    const next = accept;
    const component = createComponent({
      ...spec,
      downstream: () => {
        const [near, far] = createMemoryTransportPair();
        transports.push(near);
        next(far);
        return near;
      },
    });
    components.unshift(component);
    accept = (transport) => component.accept(transport);
  }
  const clients: Client[] = [];
  const head = accept;
  return {
    server,
    components,
    /** Downstream transports the components opened, in the order they were opened. */
    transports,
    /** A transport to the head; each call opens a new connection. */
    dial(): Transport {
      const [near, far] = createMemoryTransportPair();
      head(far);
      return near;
    },
    async connect(options: ClientOptions = {}): Promise<Client> {
      const client = await Client.connect(() => this.dial(), options);
      clients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      for (const client of clients) client.close();
      for (const component of components) await component.close();
      await server.close();
    },
  };
}

export const transparent = (name: string): ComponentSpec => ({ name });

export type { Binding };
