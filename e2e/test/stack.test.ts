import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Client, EvalError, Fn, Server, defineBinding, type ClientState, type HostFunction } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { listenWebSocket, webSocketTransportFactory } from '@scomp/transport-ws/node';

const Order = Type.Object({ id: Type.String(), total: Type.Number(), status: Type.String() });
const orders = new Map([['o_001', { id: 'o_001', total: 142.5, status: 'open' }]]);

const bindings = [
  defineBinding({
    name: 'getOrder',
    input: Type.Object({ id: Type.String() }),
    output: Order,
    effects: ['read'],
    handler: ({ id }) => {
      const order = orders.get(id);
      if (!order) throw new Error(`no order ${id}`);
      return order;
    },
  }),
  defineBinding({
    name: 'mapOrders',
    input: Type.Object({ fn: Fn(Order, Type.Unknown()) }),
    handler: ({ fn }) => Promise.all([...orders.values()].map((order) => fn(order))),
  }),
];

async function stack() {
  const server = new Server({ runtime: () => createQuickJsRuntimeFactory(), bindings });
  const listener = await listenWebSocket({ host: '127.0.0.1', port: 0, onConnection: (transport) => server.accept(transport) });
  return {
    server,
    listener,
    dial: webSocketTransportFactory(listener.url),
    async [Symbol.asyncDispose]() {
      await server.close();
      await listener.close();
    },
  };
}

describe('client and server over WebSocket with the QuickJS runtime', () => {
  it('runs the seed story: state persists across evals', async () => {
    await using s = await stack();
    const client = await Client.connect(s.dial);
    expect(await client.eval("const o = await getOrder({ id: 'o_001' }); o.total")).toBe(142.5);
    expect(await client.eval('o.id')).toBe('o_001');
    const error = await client.eval("await getOrder({ id: 'nope' })").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvalError);
    client.close();
  });

  it('lets runtime code call client bindings and pass callbacks both ways', async () => {
    await using s = await stack();
    const notes: string[] = [];
    const notify = defineBinding({
      name: 'notify',
      input: Type.Object({ message: Type.String() }),
      handler: ({ message }) => {
        notes.push(message);
        return true;
      },
    });
    const client = await Client.connect(s.dial, { bindings: [notify] });
    expect(await client.eval("await notify({ message: 'hello' })")).toBe(true);
    expect(notes).toEqual(['hello']);
    expect(await client.eval('await mapOrders({ fn: (o) => o.total * 2 })')).toEqual([285]);
    const adder = (await client.eval('(x) => x + 1')) as HostFunction;
    expect(await adder(41)).toBe(42);
    adder[Symbol.dispose]!();
    client.close();
  });

  it('resumes the same session after the WebSocket drops', async () => {
    await using s = await stack();
    const states: ClientState[] = [];
    let onResumed!: () => void;
    const resumed = new Promise<void>((resolve) => (onResumed = resolve));
    let drop: (() => void) | undefined;
    const client = await Client.connect(
      async () => {
        const transport = await s.dial();
        drop = () => transport.close({ code: 4000, reason: 'test drop' });
        return transport;
      },
      {
        reconnect: { initialDelayMs: 1, jitter: 0 },
        onStateChange: (state) => {
          states.push(state);
          if (state === 'resumed') onResumed();
        },
      },
    );
    await client.eval('let counter = 41');
    drop!();
    await resumed;
    expect(await client.eval('++counter')).toBe(42);
    expect(s.server.stats()).toMatchObject({ sessions: 1, attachedSessions: 1 });
    client.close();
  });
});
