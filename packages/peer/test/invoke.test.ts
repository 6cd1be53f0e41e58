import { describe, expect, it, vi } from 'vitest';
import Type from 'typebox';
import {
  BindingNotFoundError,
  Fn,
  InternalError,
  InvalidParamsError,
  RefNotFoundError,
  defineBinding,
  retain,
  type HostFunction,
} from '../src/index.js';
import { memoryServer } from './support/fixture.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';
import { settle } from './support/settle.js';

const getOrder = defineBinding({
  name: 'getOrder',
  description: 'Fetch one order',
  input: Type.Object({ id: Type.String() }),
  output: Type.Object({ id: Type.String(), total: Type.Number() }),
  effects: ['read'],
  handler: ({ id }) => ({ id, total: 142.5 }),
});

describe('invoke', () => {
  it('calls a server binding by name from the client without eval', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [getOrder] });
    const client = await fixture.connect();
    expect(await client.invoke('getOrder', { id: 'o_001' })).toEqual({ id: 'o_001', total: 142.5 });
    expect(client.serverBindings[0]).toMatchObject({ name: 'getOrder', effects: ['read'], description: 'Fetch one order' });
  });

  it('validates arguments before the handler runs and names the failing path', async () => {
    const handler = vi.fn(() => ({ id: 'x', total: 1 }));
    const strict = defineBinding({
      name: 'strict',
      input: Type.Object({ id: Type.String(), qty: Type.Integer({ minimum: 1 }) }),
      handler,
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [strict] });
    const client = await fixture.connect();
    const error = await client.invoke('strict', { id: 'a', qty: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParamsError);
    expect((error as InvalidParamsError).issues[0]?.path).toBe('/qty');
    expect(handler).not.toHaveBeenCalled();
  });

  it('validates $ref/$defs schemas', async () => {
    const Item = Type.Object({ sku: Type.String() });
    const withDefs = defineBinding({
      name: 'withDefs',
      input: Type.Unsafe<{ items: { sku: string }[] }>({
        type: 'object',
        required: ['items'],
        properties: { items: { type: 'array', items: { $ref: '#/$defs/Item' } } },
        $defs: { Item },
      }),
      handler: ({ items }) => items.length,
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [withDefs] });
    const client = await fixture.connect();
    expect(await client.invoke('withDefs', { items: [{ sku: 'a' }] })).toBe(1);
    const error = (await client.invoke('withDefs', { items: [{ sku: 1 }] }).catch((e: unknown) => e)) as InvalidParamsError;
    expect(error.issues[0]?.path).toBe('/items/0/sku');
  });

  it('reports a result that breaks the output schema as an internal error, not invalid params', async () => {
    const liar = defineBinding({
      name: 'liar',
      input: Type.Object({}),
      output: Type.Object({ ok: Type.Boolean() }),
      handler: () => ({ ok: 'yes' }) as never,
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [liar] });
    const client = await fixture.connect();
    const error = await client.invoke('liar', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    expect((error as InternalError).data).toEqual({ issues: [{ path: '/ok', message: expect.any(String) }] });
  });

  it('hides a handler crash behind an internal error and keeps the cause on the server', async () => {
    const faults: unknown[] = [];
    const buggy = defineBinding({
      name: 'buggy',
      input: Type.Object({}),
      handler: () => {
        throw new Error('secret host detail at /srv/app.js:12');
      },
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [buggy], onFault: (e) => faults.push(e) });
    const client = await fixture.connect();
    const error = (await client.invoke('buggy', {}).catch((e: unknown) => e)) as InternalError;
    expect(error).toBeInstanceOf(InternalError);
    expect(error.message).toBe('internal error');
    expect(JSON.stringify(error.data ?? null)).not.toContain('secret');
    expect(faults).toHaveLength(1);
    expect(await client.invoke('getOrder', { id: 'x' }).catch((e: unknown) => e)).toBeInstanceOf(BindingNotFoundError);
  });

  it('lets the runtime call client bindings while an eval runs', async () => {
    const seen: unknown[] = [];
    const notify = defineBinding({
      name: 'notify',
      input: Type.Object({ message: Type.String() }),
      handler: ({ message }) => {
        seen.push(message);
        return 'ack';
      },
    });
    const runtime = scriptRuntimeFactory({ run: ({ call }) => call('notify', { message: 'build finished' }) });
    await using fixture = memoryServer({ runtime });
    const client = await fixture.connect({ bindings: [notify] });
    expect(await client.eval('run')).toBe('ack');
    expect(seen).toEqual(['build finished']);
  });

  it('nests eval → client → server → client … without deadlock', async () => {
    const depth = 6;
    // Client binding `down` calls the server binding `up`, which calls `down` again until depth 0.
    const up = defineBinding({
      name: 'up',
      input: Type.Object({ n: Type.Integer() }),
      handler: async ({ n }, context) => (n <= 0 ? 'bottom' : `u${n}/${String(await context.invoke('down', { n: n - 1 }))}`),
    });
    const down = defineBinding({
      name: 'down',
      input: Type.Object({ n: Type.Integer() }),
      handler: async ({ n }, context) => (n <= 0 ? 'bottom' : `d${n}/${String(await context.invoke('up', { n: n - 1 }))}`),
    });
    const runtime = scriptRuntimeFactory({ start: ({ call }) => call('down', { n: depth }) });
    await using fixture = memoryServer({ runtime, bindings: [up] });
    const client = await fixture.connect({ bindings: [down] });
    expect(await client.eval('start')).toBe('d6/u5/d4/u3/d2/u1/bottom');
  });
});

describe('function references', () => {
  const forEach = defineBinding({
    name: 'forEach',
    input: Type.Object({ items: Type.Array(Type.Number()), fn: Fn(Type.Number(), Type.Number()) }),
    handler: async ({ items, fn }) => {
      const out: number[] = [];
      for (const item of items) out.push(await fn(item));
      return out;
    },
  });
  const makeCounter = defineBinding({
    name: 'makeCounter',
    input: Type.Object({ start: Type.Number() }),
    handler: ({ start }) => {
      let n = start;
      return { next: async () => ++n };
    },
  });

  it('carries a client callback into a server binding and releases it when the call ends', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [forEach] });
    const client = await fixture.connect();
    const double = async (n: unknown) => (n as number) * 2;
    expect(await client.invoke('forEach', { items: [1, 2, 3], fn: double })).toEqual([2, 4, 6]);
    await settle();
    expect(client.stats()).toMatchObject({ exported: 0, imported: 0 });
    expect(fixture.server.stats().refs).toEqual({ exported: 0, imported: 0 });
  });

  it('returns a server function to the client, callable until released, then RefNotFound', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [makeCounter] });
    const client = await fixture.connect();
    const counter = (await client.invoke('makeCounter', { start: 10 })) as { next: HostFunction };
    expect(await counter.next()).toBe(11);
    expect(await counter.next()).toBe(12);
    expect(fixture.server.stats().refs.exported).toBe(1);
    expect(client.stats().imported).toBe(1);
    const stale = counter.next;
    counter.next[Symbol.dispose]!();
    await settle();
    expect(fixture.server.stats().refs.exported).toBe(0);
    expect(client.stats().imported).toBe(0);
    await expect(stale()).rejects.toBeInstanceOf(RefNotFoundError);
  });

  it('keeps a retained callback after the call that delivered it', async () => {
    let kept: HostFunction | undefined;
    const subscribe = defineBinding({
      name: 'subscribe',
      input: Type.Object({ fn: Fn(Type.String(), Type.Unknown()) }),
      handler: ({ fn }) => {
        kept = retain(fn as HostFunction);
        return 'subscribed';
      },
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [subscribe] });
    const client = await fixture.connect();
    const received: unknown[] = [];
    await client.invoke('subscribe', { fn: async (message: unknown) => received.push(message) });
    await kept!('hello');
    expect(received).toEqual(['hello']);
    expect(client.stats().exported).toBe(1);
    kept![Symbol.dispose]!();
    await settle();
    expect(client.stats().exported).toBe(0);
  });

  it('drops every reference of a connection when it closes', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [makeCounter] });
    const client = await fixture.connect();
    await client.invoke('makeCounter', { start: 0 });
    await client.invoke('makeCounter', { start: 0 });
    expect(fixture.server.stats().refs.exported).toBe(2);
    client.close();
    await settle();
    expect(fixture.server.stats()).toMatchObject({ connections: 0, refs: { exported: 0, imported: 0 } });
  });
});

describe('absent arguments', () => {
  it('stand for {} when the empty object satisfies the input schema, and are refused otherwise', async () => {
    const listOrders = defineBinding({
      name: 'listOrders',
      input: Type.Object({ status: Type.Optional(Type.String()) }),
      handler: (args) => args,
    });
    const needsId = defineBinding({ name: 'needsId', input: Type.Object({ id: Type.String() }), handler: () => 1 });
    const anything = defineBinding({ name: 'anything', input: Type.Unknown(), handler: (args) => args === undefined });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [listOrders, needsId, anything] });
    const client = await fixture.connect();
    expect(await client.invoke('listOrders')).toEqual({});
    expect(await client.invoke('anything')).toBe(true);
    await expect(client.invoke('needsId')).rejects.toBeInstanceOf(InvalidParamsError);
  });
});
