import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import {
  BindingNotFoundError,
  AbortedError,
  EvalError,
  InvalidParamsError,
  defineBinding,
  retain,
  type Client,
  type HostFunction,
} from '@scomp/peer';
import { memoryChain, transparent } from './support/memoryChain.js';
import { settle } from './support/settle.js';

function serverBindings() {
  let kept: HostFunction | undefined;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const seen: { aborted: boolean }[] = [];
  return {
    seen,
    release: () => release(),
    kept: () => kept,
    bindings: [
      defineBinding({
        name: 'math.add',
        input: Type.Object({ a: Type.Number(), b: Type.Number() }),
        output: Type.Number(),
        effects: ['read'],
        handler: ({ a, b }) => a + b,
      }),
      defineBinding({
        name: 'callTwice',
        input: Type.Object({ fn: Type.Unknown() }),
        handler: async ({ fn }) => {
          const f = fn as HostFunction;
          return [await f(1), await f(2)];
        },
      }),
      defineBinding({
        name: 'keep',
        input: Type.Object({ fn: Type.Unknown() }),
        handler: ({ fn }) => {
          kept = retain(fn as HostFunction);
          return null;
        },
      }),
      defineBinding({
        name: 'wait',
        input: Type.Object({}),
        handler: async (_args, context) => {
          const entry = { aborted: false };
          seen.push(entry);
          context.signal.addEventListener('abort', () => (entry.aborted = true));
          await gate;
          return 'done';
        },
      }),
    ],
  };
}

const chainOf3 = () => [transparent('one'), transparent('two'), transparent('three')];

describe('a chain of transparent components', () => {
  it('offers the server bindings and metadata, and names the chain', async () => {
    const fixture = serverBindings();
    await using direct = memoryChain([], { bindings: fixture.bindings });
    await using chained = memoryChain(chainOf3(), { bindings: fixture.bindings });
    const a = await direct.connect();
    const b = await chained.connect();
    expect(b.serverBindings).toEqual(a.serverBindings);
    expect(b.serverMetadata).toEqual({ ...a.serverMetadata, chain: ['one', 'two', 'three'] });
  });

  it('gives the same results and errors as the server alone', async () => {
    const fixture = serverBindings();
    await using direct = memoryChain([], { bindings: fixture.bindings });
    await using chained = memoryChain(chainOf3(), { bindings: fixture.bindings });
    const run = async (client: Client) => {
      const outcomes: unknown[] = [];
      const attempt = async (fn: () => Promise<unknown>) => {
        try {
          outcomes.push({ value: await fn() });
        } catch (error) {
          const e = error as { name: string; code: unknown; message: string; data: unknown };
          outcomes.push({ error: e.name, code: e.code, message: e.message, data: e.data });
        }
      };
      await attempt(() => client.eval('1 + 2'));
      await attempt(() => client.eval('math.add({ a: 2, b: 3 })'));
      await attempt(() => client.invoke('math.add', { a: 20, b: 22 }));
      await attempt(() => client.invoke('math.add', { a: 'x' }));
      await attempt(() => client.invoke('nope'));
      await attempt(() => client.eval('(() => { throw new RangeError("bad") })()'));
      await attempt(() => client.eval('({ list: [1, "two", null], nested: { ok: true } })'));
      return outcomes;
    };
    const expected = await run(await direct.connect());
    const actual = await run(await chained.connect());
    expect(actual).toEqual(expected);
    expect(actual).toHaveLength(7);
    expect(actual[3]).toMatchObject({ error: InvalidParamsError.name, code: new InvalidParamsError('x').code });
    expect(actual[4]).toMatchObject({ error: BindingNotFoundError.name, data: { name: 'nope' } });
    expect(actual[5]).toMatchObject({ error: EvalError.name });
  });

  it('lets guest code call the client bindings across every hop', async () => {
    await using chained = memoryChain(chainOf3());
    const client = await chained.connect({
      bindings: [
        defineBinding({ name: 'ui.greet', input: Type.Object({ who: Type.String() }), handler: ({ who }) => `hello ${who}` }),
      ],
    });
    expect(await client.eval('ui.greet({ who: "chain" })')).toBe('hello chain');
  });

  it('carries function references both ways and releases them at every hop', async () => {
    const fixture = serverBindings();
    await using chained = memoryChain(chainOf3(), { bindings: fixture.bindings });
    const client = await chained.connect();
    // Client → server: a client function called by the server during the call, released after it.
    const calls: unknown[] = [];
    expect(await client.invoke('callTwice', { fn: async (x: unknown) => (calls.push(x), (x as number) * 10) })).toEqual([10, 20]);
    expect(calls).toEqual([1, 2]);
    // Server → client: a guest function returned by eval, called by the client, then released.
    const fn = (await client.eval('(async (n) => n + 1)')) as HostFunction;
    expect(await fn(41)).toBe(42);
    // A function the server keeps stays callable after the call that delivered it.
    await client.invoke('keep', { fn: async (x: unknown) => `kept ${String(x)}` });
    await settle();
    expect(await fixture.kept()!('later')).toBe('kept later');
    expect(client.stats().exported).toBe(1);
    fixture.kept()![Symbol.dispose]!();
    fn[Symbol.dispose]!();
    await settle();
    expect(client.stats()).toMatchObject({ exported: 0, imported: 0 });
    for (const component of chained.components) expect(component.stats().refs).toEqual({ exported: 0, imported: 0 });
    expect(chained.server.stats().refs).toEqual({ exported: 0, imported: 0 });
  });

  it('passes a cancel down to the binding at the end of the chain', async () => {
    const fixture = serverBindings();
    await using chained = memoryChain(chainOf3(), { bindings: fixture.bindings });
    const client = await chained.connect();
    const controller = new AbortController();
    const call = client.invoke('wait', {}, { signal: controller.signal });
    await settle();
    expect(fixture.seen).toHaveLength(1);
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(AbortedError);
    await settle();
    expect(fixture.seen[0]!.aborted).toBe(true);
    const evalController = new AbortController();
    const evaluation = client.eval('wait({})', { signal: evalController.signal });
    await settle();
    evalController.abort();
    await expect(evaluation).rejects.toBeInstanceOf(AbortedError);
    await settle();
    expect(fixture.seen).toHaveLength(2);
    fixture.release();
  });

  it('resumes the session through the chain after the client connection drops', async () => {
    await using chained = memoryChain(chainOf3());
    const transports: ReturnType<typeof chained.dial>[] = [];
    const states: string[] = [];
    const { Client } = await import('@scomp/peer');
    const client = await Client.connect(
      () => {
        const transport = chained.dial();
        transports.push(transport);
        return transport;
      },
      { reconnect: { retryDelayMs: () => 0 }, onStateChange: (state) => states.push(state) },
    );
    await client.eval('counter = 41');
    transports[0]!.close({ reason: 'network lost' });
    await expect.poll(() => states.includes('resumed')).toBe(true);
    expect(await client.eval('counter + 1')).toBe(42);
    expect(chained.server.stats().sessions).toBe(1);
    client.close();
  });
});
