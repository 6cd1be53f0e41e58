import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Client, DisconnectedError, RefNotFoundError, defineBinding, type HostFunction } from '@scomp/peer';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { hangingBinding } from './support/hang.js';
import { webSocketChain } from './support/wsChain.js';

const transparent = (name: string) => ({ name });

describe('a chain of three components over WebSocket', () => {
  it.each([0, 1, 3])('carries function references across %i hops in both directions and releases them at every hop', async (n) => {
    await using chain = await webSocketChain(['one', 'two', 'three'].slice(0, n).map(transparent));
    const client = await Client.connect(await connectWebSocket(chain.url), {
      bindings: [
        defineBinding({
          name: 'twice',
          input: Type.Object({ fn: Type.Unknown() }),
          handler: async ({ fn }) => [await (fn as HostFunction)(1), await (fn as HostFunction)(2)],
        }),
      ],
    });
    // Server → client: a guest function, called by the client, then released.
    const fn = (await client.eval('(async (n) => n + 1)')) as HostFunction;
    expect(await fn(41)).toBe(42);
    fn[Symbol.dispose]!();
    // Guest → client binding → guest: a guest function passed to the client, called back twice.
    expect(await client.eval('twice({ fn: async (n) => n * 10 })')).toEqual([10, 20]);
    // Client → server: a client function in a server binding's arguments, released when the call
    // ends; echoed back, it is a reference to a released function, as from the server alone.
    const echoed = (await client.invoke('echo', { fn: async () => 'called' })) as { fn: HostFunction };
    await expect(echoed.fn()).rejects.toBeInstanceOf(RefNotFoundError);
    echoed.fn[Symbol.dispose]!();
    const held = () => [
      client.stats(),
      ...chain.hops.map((hop) => hop.component.stats().refs),
      chain.server.server.stats().refs,
    ];
    const none = { exported: 0, imported: 0 };
    await expect.poll(held).toEqual([expect.objectContaining(none), ...chain.hops.map(() => none), none]);
    client.close();
  });

  it('a component that goes away ends the pending calls upstream with Disconnected naming the hop that lost it', async () => {
    await using chain = await webSocketChain([transparent('one'), transparent('two'), transparent('three')]);
    const hang = hangingBinding();
    const client = await Client.connect(await connectWebSocket(chain.url), { bindings: [hang.binding] });
    const pending = client.eval('hang({})').catch((error: unknown) => error);
    await hang.called;
    await chain.hops[1]!.served.close();
    const error = await pending;
    expect(error).toBeInstanceOf(DisconnectedError);
    expect((error as Error).message).toMatch(/^one: downstream connection dropped: /);
    client.close();
  });
});
