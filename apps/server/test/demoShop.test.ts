import { describe, expect, it } from 'vitest';
import { Client, EvalError, InvalidParamsError } from '@scomp/peer';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { OrderShop, demoBindings, startServer } from '../src/index.js';

async function shopClient(shop = new OrderShop()) {
  const running = await startServer({ port: 0, bindings: demoBindings(shop) });
  const client = await Client.connect(() => connectWebSocket(running.url));
  return {
    client,
    async [Symbol.asyncDispose]() {
      client.close();
      await running.close();
    },
  };
}

describe('the demo order shop', () => {
  it('answers the concepts-page example: order o_001 totals 142.5', async () => {
    await using shop = await shopClient();
    expect(await shop.client.eval("const o = await getOrder({ id: 'o_001' }); o.total")).toBe(142.5);
    expect(await shop.client.eval('o.items.length')).toBe(2);
  });

  it('lists orders, all or by status', async () => {
    await using shop = await shopClient();
    expect(await shop.client.eval('(await listOrders()).length')).toBe(5);
    expect(await shop.client.invoke('listOrders', { status: 'paid' })).toMatchObject([{ id: 'o_001', status: 'paid' }]);
  });

  it('updates and refunds orders in the shared shop state', async () => {
    const state = new OrderShop();
    await using shop = await shopClient(state);
    expect(await shop.client.invoke('updateOrder', { id: 'o_002', status: 'paid' })).toMatchObject({ id: 'o_002', status: 'paid' });
    expect(await shop.client.invoke('refund', { id: 'o_002' })).toEqual({ id: 'o_002', refunded: 289.99 });
    expect(state.get('o_002').status).toBe('refunded');
    await expect(shop.client.invoke('refund', { id: 'o_002' })).rejects.toThrow(/cannot be refunded/);
  });

  it('reports an unknown order as invalid params, and a bad status by its path', async () => {
    await using shop = await shopClient();
    await expect(shop.client.invoke('getOrder', { id: 'o_999' })).rejects.toThrow(InvalidParamsError);
    const error = (await shop.client.invoke('updateOrder', { id: 'o_001', status: 'lost' }).catch((e: unknown) => e)) as InvalidParamsError;
    expect(error.issues[0]?.path).toBe('/status');
    await expect(shop.client.eval("await getOrder({ id: 'o_999' })")).rejects.toThrow(EvalError);
  });

  it('waits in slowLookup, and stops waiting when the eval is cancelled', async () => {
    await using shop = await shopClient();
    expect(await shop.client.eval('await slowLookup({ ms: 1 })')).toEqual({ waitedMs: 1 });
    const abort = new AbortController();
    const pending = shop.client.eval('await slowLookup({ ms: 60000 })', { signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toThrow();
    expect(await shop.client.eval('1 + 1')).toBe(2);
  });

  it('declares schemas with $defs, descriptions and effects', async () => {
    await using shop = await shopClient();
    const byName = new Map(shop.client.serverBindings.map((meta) => [meta.name, meta]));
    expect([...byName.keys()].sort()).toEqual(['echo', 'getOrder', 'listOrders', 'refund', 'slowLookup', 'updateOrder']);
    expect(byName.get('getOrder')).toMatchObject({
      effects: ['read'],
      output: { $ref: '#/$defs/Order', $defs: { Order: { type: 'object' }, LineItem: {}, OrderStatus: {} } },
    });
    expect(byName.get('updateOrder')?.effects).toEqual(['write']);
    expect(byName.get('refund')?.effects).toEqual(['destructive']);
    for (const meta of byName.values()) expect(meta.description).toEqual(expect.any(String));
  });
});
