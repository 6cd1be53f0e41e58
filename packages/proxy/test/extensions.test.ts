import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { UnauthorizedError, defineBinding } from '@scomp/peer';
import { STANDARD_CLIENT_BINDINGS } from '@scomp/protocol';
import { upstreamOf } from '../src/index.js';
import { memoryChain } from './support/memoryChain.js';
import { settle } from './support/settle.js';

const serverBindings = [
  defineBinding({ name: 'db.read', input: Type.Object({ key: Type.String() }), effects: ['read'], handler: ({ key }) => `value of ${key}` }),
  defineBinding({ name: 'db.write', input: Type.Object({ key: Type.String() }), effects: ['write'], handler: () => 'written' }),
];

describe('the component API', () => {
  it('adds server bindings the upstream can invoke, and client bindings guest code can call', async () => {
    await using chain = memoryChain(
      [
        {
          name: 'extra',
          serverBindings: [defineBinding({ name: 'extra.ping', input: Type.Object({}), handler: () => 'pong' })],
          clientBindings: [
            defineBinding({
              name: 'walkthrough.show',
              input: Type.Object({ title: Type.String() }),
              handler: async ({ title }, context) => {
                await upstreamOf(context).invoke('html_panel.show', { id: 'w', label: title, contents: `<h1>${title}</h1>` });
                return 'shown';
              },
            }),
          ],
        },
      ],
      { bindings: serverBindings },
    );
    const panels: unknown[] = [];
    const client = await chain.connect({
      bindings: [
        defineBinding({
          ...{ name: 'html_panel.show', input: Type.Unsafe(STANDARD_CLIENT_BINDINGS['html_panel.show'].input) },
          handler: (args) => {
            panels.push(args);
            return null;
          },
        }),
      ],
    });
    expect(client.serverBindings.map((meta) => meta.name)).toEqual(['extra.ping', 'db.read', 'db.write']);
    expect(await client.invoke('extra.ping', {})).toBe('pong');
    expect(await client.eval('walkthrough.show({ title: "Tour" })')).toBe('shown');
    expect(panels).toEqual([{ id: 'w', label: 'Tour', contents: '<h1>Tour</h1>' }]);
  });

  it('hides, renames and wraps bindings in both directions', async () => {
    await using chain = memoryChain(
      [
        {
          name: 'shape',
          mapServerBinding: (binding) => {
            if (binding.meta.name === 'db.write') return undefined;
            return {
              meta: { ...binding.meta, name: 'store.get' },
              call: async (args, context) => `wrapped(${String(await binding.call(args, context))})`,
            };
          },
          mapClientBinding: (binding) =>
            binding.meta.name === 'secret' ? undefined : { ...binding, meta: { ...binding.meta, name: 'ui.ask' } },
        },
      ],
      { bindings: serverBindings },
    );
    const client = await chain.connect({
      bindings: [
        defineBinding({ name: 'secret', input: Type.Object({}), handler: () => 'leaked' }),
        defineBinding({ name: 'prompt', input: Type.Object({ q: Type.String() }), handler: ({ q }) => `answer to ${q}` }),
      ],
    });
    expect(client.serverBindings.map((meta) => meta.name)).toEqual(['store.get']);
    expect(await client.invoke('store.get', { key: 'k' })).toBe('wrapped(value of k)');
    await expect(client.invoke('db.write', { key: 'k' })).rejects.toMatchObject({ name: 'BindingNotFoundError' });
    expect(await client.eval('ui.ask({ q: "why" })')).toBe('answer to why');
    expect(await client.eval('typeof secret')).toBe('undefined');
  });

  it('intercepts evals and invokes: observes, rewrites and refuses them', async () => {
    const seen: string[] = [];
    await using chain = memoryChain(
      [
        {
          name: 'guard',
          onEval: async (call, next) => {
            seen.push(`eval ${call.code}`);
            if (call.code.includes('forbidden')) throw new UnauthorizedError('guard: that code is not allowed');
            return next(call.code.replace('ONE', '1'));
          },
          onInvoke: async (call, next) => {
            seen.push(`${call.direction} ${call.name}`);
            const result = await next(call.name === 'db.read' ? { key: 'rewritten' } : call.args);
            return call.direction === 'upstream' ? `${String(result)}!` : result;
          },
        },
      ],
      { bindings: serverBindings },
    );
    const client = await chain.connect({
      bindings: [defineBinding({ name: 'hello', input: Type.Object({}), handler: () => 'hi' })],
    });
    expect(await client.eval('ONE + 1')).toBe(2);
    await expect(client.eval('forbidden()')).rejects.toMatchObject({ name: 'UnauthorizedError', message: 'guard: that code is not allowed' });
    expect(await client.invoke('db.read', { key: 'original' })).toBe('value of rewritten');
    expect(await client.eval('hello({})')).toBe('hi!');
    expect(seen).toEqual(['eval ONE + 1', 'eval forbidden()', 'downstream db.read', 'eval hello({})', 'upstream hello']);
  });

  it('adds handshake metadata in both directions', async () => {
    const received: Record<string, unknown>[] = [];
    await using chain = memoryChain([{ name: 'meta', metadata: { upstream: { features: ['tour'] }, downstream: { via: 'meta' } } }], {
      authenticate: (metadata) => {
        received.push(metadata);
        return { id: 'anyone' };
      },
    });
    const client = await chain.connect({ metadata: { client: 'test' } });
    expect(received).toEqual([{ client: 'test', via: 'meta' }]);
    expect(client.serverMetadata).toEqual({ server: 'test', features: ['tour'], chain: ['meta'] });
  });

  it('keeps a downstream refusal of the handshake as the upstream handshake error', async () => {
    await using chain = memoryChain([{ name: 'pass' }], {
      authenticate: () => {
        throw new UnauthorizedError('no token');
      },
    });
    await expect(chain.connect()).rejects.toMatchObject({ name: 'UnauthorizedError' });
  });

  it('forwards log notifications upstream in the order they were sent', async () => {
    await using chain = memoryChain([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const entries: unknown[] = [];
    const client = await chain.connect({
      bindings: [
        defineBinding({
          name: 'log',
          input: Type.Unsafe(STANDARD_CLIENT_BINDINGS.log.input),
          handler: (entry) => {
            entries.push(entry);
            return null;
          },
        }),
      ],
    });
    await client.eval('for (let i = 0; i < 20; i++) log({ level: "info", message: "step " + i }); null');
    await settle();
    expect(entries).toEqual(Array.from({ length: 20 }, (_, i) => ({ level: 'info', message: `step ${i}` })));
  });
});
