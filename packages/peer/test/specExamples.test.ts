import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import type { BindingMeta } from '@scomp/protocol';
import {
  BindingNotFoundError,
  Client,
  EvalError,
  LimitExceededError,
  RefNotFoundError,
  defineBinding,
  release,
  type Binding,
  type BindingContext,
  type HostFunction,
} from '../src/index.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory, type Script } from './support/scriptRuntime.js';
import { settle } from './support/settle.js';
import { IdMap, exampleNames, expectMessage, loadExample, replay, type WireExample } from './support/wireReplay.js';

// The examples tell one story: a client connects, evaluates, invokes in both directions and
// drops. Each test below builds the world that story needs (the bindings the handshake example
// declares, a runtime whose scripts stand for the example's code), replays what leads up to its
// example, then the example itself. Ids the test sends are the example's; ids the real peer
// chooses (its request ids, session and function-reference ids) must come out as the example
// shows them, except random ids, which are mapped by position of first appearance.

const examples = new Map(exampleNames().map((name) => [name, loadExample(name)]));
function example(name: string): WireExample {
  const found = examples.get(name);
  if (!found) throw new Error(`no spec example ${name}`);
  return found;
}

type Message = { jsonrpc: '2.0'; id?: number; method?: string; params?: any; result?: any; error?: any };
const handshake = example('handshake');
const handshakeParams = (handshake.messages[0]!.message as Message).params as { bindings: BindingMeta[]; metadata: Record<string, unknown> };
const handshakeResult = (handshake.messages[1]!.message as Message).result as { sessionId: string; bindings: BindingMeta[] };

/** A binding whose wire metadata is exactly `meta`: schemas are taken verbatim, so member order is the example's. */
function bindingFrom(meta: BindingMeta, handler: (args: any, context: BindingContext) => unknown): Binding {
  return defineBinding({
    name: meta.name,
    ...(meta.description !== undefined ? { description: meta.description } : {}),
    input: Type.Unsafe<any>(meta.input as object),
    ...(meta.output !== undefined ? { output: Type.Unsafe<any>(meta.output as object) } : {}),
    ...(meta.effects !== undefined ? { effects: meta.effects } : {}),
    ...(meta.hints !== undefined ? { hints: meta.hints } : {}),
    handler,
  });
}

function metaNamed(metas: BindingMeta[], name: string): BindingMeta {
  const meta = metas.find((candidate) => candidate.name === name);
  if (!meta) throw new Error(`no binding ${name} in the handshake example`);
  return meta;
}

const orders: Record<string, { id: string; total: number }> = { o_001: { id: 'o_001', total: 142.5 } };

/** A function value as the runtime hands it out; `released` tells whether the peer disposed of it. */
function runtimeFunction(fn: (args: any) => unknown) {
  const state = { released: false };
  const hostFn = (async (args?: unknown) => fn(args)) as HostFunction;
  hostFn[Symbol.dispose] = () => {
    state.released = true;
  };
  return Object.assign(state, { fn: hostFn });
}

/** The server of the story, with its bindings and scripts standing for each example's code. */
function serverWorld() {
  const made = { double: runtimeFunction((n: number) => n * 2), score: runtimeFunction((item: { price: number }) => -item.price) };
  const handed: ReturnType<typeof runtimeFunction>[] = [];
  const evalSignals: AbortSignal[] = [];
  const queries: unknown[] = [];
  const scripts: Record<string, Script> = {
    '1 + 1': () => 2,
    '1': () => 1,
    '2': () => 2,
    "const o = await getOrder({ id: 'o_001' }); o.total": async ({ call }) =>
      ((await call('getOrder', { id: 'o_001' })) as { total: number }).total,
    'let seen = 0': ({ state }) => {
      state.seen = 0;
    },
    'missing + 1': () => {
      throw new EvalError("ReferenceError: 'missing' is not defined", {
        name: 'ReferenceError',
        message: "'missing' is not defined",
        stack: '    at <eval> (<eval>:1:1)\n',
      });
    },
    "console.log('total', 142.5); 'done'": ({ notify }) => {
      notify('console', { level: 'log', args: ['total', 142.5] });
      return 'done';
    },
    '(n) => n * 2': () => made.double.fn,
    "const best = await pickBest({\n  items: [{ sku: 'a', price: 12 }, { sku: 'b', price: 9 }],\n  score: (item) => -item.price,\n});\nbest.sku":
      async ({ call }) => {
        const best = (await call('pickBest', {
          items: [
            { sku: 'a', price: 12 },
            { sku: 'b', price: 9 },
          ],
          score: made.score.fn,
        })) as { sku: string };
        return best.sku;
      },
    'while (true) {}': ({ signal }) => {
      evalSignals.push(signal);
      return new Promise(() => {});
    },
    'for (;;) {}': () => {
      throw new LimitExceededError('time limit exceeded', { limit: 'time', max: 5000, sessionReset: false });
    },
    "try { await db.query({ sql: 'delete from orders' }) } catch (e) { e.code }": async ({ call }) => {
      try {
        return await call('db.query', { sql: 'delete from orders' });
      } catch (error) {
        return (error as { code?: number }).code;
      }
    },
    'shipped = (globalThis.shipped ?? 0) + 1': ({ state }) => (state.shipped = ((state.shipped as number | undefined) ?? 0) + 1),
    // Not in an example: sets up the two references the release example lets go of.
    '[(n) => n + 1, (n) => n - 1]': () => {
      handed.push(runtimeFunction((n: number) => n + 1), runtimeFunction((n: number) => n - 1));
      return handed.map((handedFn) => handedFn.fn);
    },
  };
  const runtime = scriptRuntimeFactory(scripts);
  const bindings = [
    bindingFrom(metaNamed(handshakeResult.bindings, 'getOrder'), ({ id }: { id: string }) => orders[id]),
    bindingFrom(metaNamed(handshakeResult.bindings, 'db.query'), (args) => {
      queries.push(args);
      return [];
    }),
  ];
  const fixture = memoryServer({ runtime, bindings });
  return Object.assign(fixture, {
    runtime,
    made,
    handed,
    evalSignals,
    queries,
    ids: new IdMap(),
    /** A raw client connection to this server. */
    open() {
      const transport = fixture.dial();
      return { transport, raw: rawPeer(transport) };
    },
    /** Plays `name` as the client on `raw`, sharing this world's id map. */
    replay(name: string, raw: ReturnType<typeof rawPeer>) {
      return replay(example(name), raw, 'client', this.ids);
    },
    /** A raw client connection after the handshake example. */
    async handshaken() {
      const connection = this.open();
      await this.replay('handshake', connection.raw).rest();
      return connection;
    },
  });
}

describe('spec examples', () => {
  it('are each replayed below', () => {
    const replayed = [
      'batch',
      'binding-not-found',
      'cancel',
      'eval',
      'eval-error',
      'eval-undefined',
      'handshake',
      'handshake-required',
      'invalid-params',
      'invoke-by-name',
      'invoke-by-ref',
      'invoke-notification',
      'limit-exceeded',
      'nested-invoke',
      'ref-not-found',
      'release',
      'server-bindings',
      'session-not-found',
      'session-resume',
      'unsupported-version',
    ];
    expect(exampleNames()).toEqual(replayed);
  });
});

describe('spec example: handshake', () => {
  it('replays byte for byte against a real server, with a fresh session id', async () => {
    await using world = serverWorld();
    const { raw } = world.open();
    await world.replay('handshake', raw).rest();
    expect(world.ids.toReal(handshakeResult.sessionId)).not.toBe(handshakeResult.sessionId);
    expect(raw.closed).toBe(false);
  });
});

describe('spec example: unsupported-version', () => {
  it('replays byte for byte, then the server closes the connection', async () => {
    await using world = serverWorld();
    const { raw } = world.open();
    await world.replay('unsupported-version', raw).rest();
    await raw.whenClosed();
  });
});

describe('spec example: handshake-required', () => {
  it('replays byte for byte, and the connection stays open for the handshake', async () => {
    await using world = serverWorld();
    const { raw } = world.open();
    await world.replay('handshake-required', raw).rest();
    expect(world.runtime.runtimes).toHaveLength(0);
    expect(raw.closed).toBe(false);
    await world.replay('handshake', raw).rest();
  });
});

describe('spec example: session-not-found', () => {
  it('replays byte for byte, then the server closes the connection', async () => {
    await using world = serverWorld();
    const { raw } = world.open();
    await world.replay('session-not-found', raw).rest();
    await raw.whenClosed();
    expect(world.server.stats().sessions).toBe(0);
  });
});

describe('spec example: eval', () => {
  it('replays byte for byte', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('eval', raw).rest();
  });
});

describe('spec example: eval-undefined', () => {
  it('replays byte for byte', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('eval-undefined', raw).rest();
  });
});

describe('spec example: eval-error', () => {
  it('replays byte for byte', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('eval-error', raw).rest();
  });
});

describe('spec example: limit-exceeded', () => {
  it('replays byte for byte', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('limit-exceeded', raw).rest();
  });
});

describe('spec example: invoke-by-name', () => {
  it('replays byte for byte against a real server, whose own request ids start at 1', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    const wire = world.replay('invoke-by-name', raw);
    wire.send();
    await wire.expect();
    // Code in the session calls the client's notify binding.
    const notify = world.runtime.runtimes[0]!.clientBindings.find((binding) => binding.meta.name === 'notify')!;
    const notified = notify.call({ message: 'build finished' }, { signal: new AbortController().signal, sessionId: '' });
    await wire.expect();
    wire.send();
    expect(await notified).toBeUndefined();
    expect(wire.done).toBe(true);
  });
});

describe('spec example: invoke-notification', () => {
  it('replays byte for byte: the console line comes before the eval result', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('invoke-notification', raw).rest();
  });
});

describe('spec example: invoke-by-ref', () => {
  it('replays byte for byte, mapping fn_1 to the id the server chose', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('invoke-by-ref', raw).rest();
    await settle();
    expect(raw.pending()).toBe(0);
    expect(world.made.double.released).toBe(true);
    expect(world.server.stats().refs.exported).toBe(0);
  });
});

describe('spec example: ref-not-found', () => {
  it('replays byte for byte after invoke-by-ref released fn_1', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('invoke-by-ref', raw).rest();
    await world.replay('ref-not-found', raw).rest();
  });
});

describe('spec example: release', () => {
  it('makes the server forget both references: later invokes of them get RefNotFound', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    raw.send({ jsonrpc: '2.0', id: 19, method: 'eval', params: { code: '[(n) => n + 1, (n) => n - 1]' } });
    const fnRef = (id: string) => ({ $scomp: { kind: 'fn', id } });
    await expectMessage(raw, world.ids, { jsonrpc: '2.0', id: 19, result: { value: [fnRef('fn_3'), fnRef('fn_4')] } });
    await world.replay('release', raw).rest();
    await settle();
    expect(raw.pending()).toBe(0);
    expect(world.handed.map((handedFn) => handedFn.released)).toEqual([true, true]);
    for (const [id, ref] of [
      [20, 'fn_3'],
      [21, 'fn_4'],
    ] as const) {
      raw.send(world.ids.toReal({ jsonrpc: '2.0', id, method: 'invoke', params: { ref, args: 1 } }));
      await expectMessage(raw, world.ids, {
        jsonrpc: '2.0',
        id,
        error: { code: -32011, message: 'function reference not found', data: { ref } },
      });
    }
  });

  it('ignores ids the server never issued, as the example sends them', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('release', raw).rest();
    await settle();
    expect(raw.pending()).toBe(0);
    await world.replay('eval', raw).rest();
  });
});

describe('spec example: nested-invoke', () => {
  it('replays byte for byte against a real server, after invoke-by-name used its request id 1', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    const first = world.replay('invoke-by-name', raw);
    first.send();
    await first.expect();
    const notify = world.runtime.runtimes[0]!.clientBindings.find((binding) => binding.meta.name === 'notify')!;
    const notified = notify.call({ message: 'build finished' }, { signal: new AbortController().signal, sessionId: '' });
    await first.expect();
    first.send();
    await notified;
    await world.replay('nested-invoke', raw).rest();
    expect(world.made.score.released).toBe(true);
    expect(world.server.stats().refs.exported).toBe(0);
  });
});

describe('spec example: binding-not-found', () => {
  it('replays byte for byte', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('binding-not-found', raw).rest();
  });
});

describe('spec example: invalid-params', () => {
  it('replays byte for byte', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('invalid-params', raw).rest();
  });
});

describe('spec example: cancel', () => {
  it('replays byte for byte, and the abort reaches the running eval', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    const wire = world.replay('cancel', raw);
    wire.send();
    // Cancelled once running, so the abort must reach the code, not just take it off the queue.
    await settle();
    expect(world.evalSignals).toHaveLength(1);
    await wire.rest();
    expect(world.evalSignals[0]!.aborted).toBe(true);
    await settle();
    expect(raw.pending()).toBe(0);
  });
});

describe('spec example: batch', () => {
  it('replays byte for byte, and none of the batched evals runs', async () => {
    await using world = serverWorld();
    const { raw } = await world.handshaken();
    await world.replay('batch', raw).rest();
    await settle();
    expect(raw.pending()).toBe(0);
    expect(world.runtime.runtimes[0]!.evals).toBe(0);
  });
});

describe('spec example: session-resume', () => {
  it('replays byte for byte on a new connection; the retried eval does not run again', async () => {
    await using world = serverWorld();
    const first = await world.handshaken();
    // The eval the client retries: sent on the first connection, which drops before its answer.
    first.raw.send({
      jsonrpc: '2.0',
      id: 19,
      method: 'eval',
      params: { code: 'shipped = (globalThis.shipped ?? 0) + 1', key: 'ship-o_001' },
    });
    first.transport.close();
    await first.raw.whenClosed();
    await settle();
    const second = world.open();
    await world.replay('session-resume', second.raw).rest();
    expect(world.runtime.runtimes).toHaveLength(1);
    expect(world.runtime.runtimes[0]!.evals).toBe(1);
  });
});

describe('spec example: server-bindings', () => {
  it('replays byte for byte: getOrder does not exist for the session, and a declined confirm stops db.query', async () => {
    await using world = serverWorld();
    const { raw } = world.open();
    await world.replay('server-bindings', raw).rest();
    expect(world.queries).toEqual([]);
    expect(world.runtime.runtimes[0]!.init.bindings.map((binding) => binding.meta.name)).toEqual(['db.query']);
  });
});

// The same story against a real Client: the test plays the server, so the ids the server
// chooses are the example's own and only the Client's bytes are under test.

/**
 * The reference Client sends a fresh idempotency key with every eval, so it can retry one safely
 * after a drop (§6.5); the examples show evals without a key, which the spec allows. The key is
 * the only member dropped before comparing.
 */
function withoutKey(message: Message): Message {
  if (message.method === 'eval' && typeof message.params?.key === 'string') {
    const { key: _key, ...params } = message.params as Record<string, unknown>;
    return { ...message, params };
  }
  return message;
}

function clientWorld() {
  const notified: unknown[] = [];
  const logged: unknown[] = [];
  const clientMetas = handshakeParams.bindings;
  const bindings = [
    bindingFrom(metaNamed(clientMetas, 'notify'), (args) => {
      notified.push(args);
    }),
    bindingFrom(metaNamed(clientMetas, 'pickBest'), async ({ items, score }: { items: unknown[]; score: HostFunction }) => {
      let best: unknown;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const item of items) {
        const value = (await score(item)) as number;
        if (value > bestScore) [best, bestScore] = [item, value];
      }
      return best;
    }),
    bindingFrom(metaNamed(clientMetas, 'console'), (args) => {
      logged.push(args);
    }),
  ];
  const [clientSide, serverSide] = createMemoryTransportPair();
  const raw = rawPeer(serverSide);
  const ids = new IdMap();
  let client: Client | undefined;
  return {
    raw,
    notified,
    logged,
    /** Function references the Client received, by the example's id. */
    received: new Map<string, HostFunction>(),
    bindings,
    get client(): Client {
      if (!client) throw new Error('not connected');
      return client;
    },
    replay(name: string) {
      return replay(example(name), raw, 'server', ids);
    },
    async connect() {
      const wire = this.replay('handshake');
      const connecting = Client.connect(clientSide, { bindings, metadata: handshakeParams.metadata });
      await wire.expect();
      wire.send();
      client = await connecting;
      return client;
    },
    async [Symbol.asyncDispose]() {
      client?.close();
    },
  };
}

type ClientWorld = ReturnType<typeof clientWorld>;

/** How the Client takes part in each example it initiates, in the story's order (its request ids 1 to 11). */
const clientStory: [string, (world: ClientWorld) => Promise<void>][] = [
  [
    'handshake',
    async (world) => {
      const client = await world.connect();
      expect(client.sessionId).toBe(handshakeResult.sessionId);
      expect(client.serverBindings).toEqual(handshakeResult.bindings);
    },
  ],
  [
    'eval',
    async (world) => {
      const wire = world.replay('eval');
      const result = world.client.eval("const o = await getOrder({ id: 'o_001' }); o.total");
      await wire.expect(withoutKey);
      wire.send();
      expect(await result).toBe(142.5);
    },
  ],
  [
    'eval-undefined',
    async (world) => {
      const wire = world.replay('eval-undefined');
      const result = world.client.eval('let seen = 0');
      await wire.expect(withoutKey);
      wire.send();
      expect(await result).toBeUndefined();
    },
  ],
  [
    'eval-error',
    async (world) => {
      const wire = world.replay('eval-error');
      const result = world.client.eval('missing + 1').catch((error: unknown) => error);
      await wire.expect(withoutKey);
      wire.send();
      const error = await result;
      expect(error).toBeInstanceOf(EvalError);
      expect((error as EvalError).detail).toEqual({
        name: 'ReferenceError',
        message: "'missing' is not defined",
        stack: '    at <eval> (<eval>:1:1)\n',
      });
    },
  ],
  [
    'invoke-by-name',
    async (world) => {
      const wire = world.replay('invoke-by-name');
      const order = world.client.invoke('getOrder', { id: 'o_001' });
      await wire.expect();
      wire.send();
      expect(await order).toEqual(orders.o_001);
      wire.send();
      await wire.expect();
      expect(world.notified).toEqual([{ message: 'build finished' }]);
    },
  ],
  [
    'invoke-notification',
    async (world) => {
      const wire = world.replay('invoke-notification');
      const result = world.client.eval("console.log('total', 142.5); 'done'");
      await wire.expect(withoutKey);
      wire.send();
      wire.send();
      expect(await result).toBe('done');
      expect(world.logged).toEqual([{ level: 'log', args: ['total', 142.5] }]);
      await settle();
      expect(world.raw.pending()).toBe(0);
    },
  ],
  [
    'invoke-by-ref',
    async (world) => {
      const wire = world.replay('invoke-by-ref');
      const result = world.client.eval('(n) => n * 2');
      await wire.expect(withoutKey);
      wire.send();
      const double = (await result) as HostFunction;
      world.received.set('fn_1', double);
      const doubled = double(21);
      await wire.expect();
      wire.send();
      expect(await doubled).toBe(42);
      release(double);
      await wire.expect();
      expect(wire.done).toBe(true);
    },
  ],
  [
    'nested-invoke',
    async (world) => {
      const wire = world.replay('nested-invoke');
      const result = world.client.eval(
        "const best = await pickBest({\n  items: [{ sku: 'a', price: 12 }, { sku: 'b', price: 9 }],\n  score: (item) => -item.price,\n});\nbest.sku",
      );
      await wire.expect(withoutKey);
      while (!wire.done) {
        if (wire.nextFrom === 'server') wire.send();
        else await wire.expect();
      }
      expect(await result).toBe('b');
      expect(world.client.stats()).toMatchObject({ imported: 0, exported: 0 });
    },
  ],
];

for (const [index, [name]] of clientStory.entries()) {
  describe(`spec example: ${name}`, () => {
    it('replays byte for byte against a real Client', async () => {
      await using world = clientWorld();
      for (const [, play] of clientStory.slice(0, index + 1)) await play(world);
    });
  });
}

describe('spec example: ref-not-found', () => {
  // A release is final (§8.4), so a real Client never sends this example's request; the
  // server's bytes are replayed above. Here the Client fails the call itself.
  it('is never sent by a real Client: calling a released reference fails locally', async () => {
    await using world = clientWorld();
    for (const [name, play] of clientStory) {
      await play(world);
      if (name === 'invoke-by-ref') break;
    }
    const error = await world.received.get('fn_1')!(21).catch((error: unknown) => error);
    expect(error).toBeInstanceOf(RefNotFoundError);
    expect((error as RefNotFoundError).data).toEqual({ ref: 'fn_1' });
    await settle();
    expect(world.raw.pending()).toBe(0);
  });
});

describe('spec example: session-resume', () => {
  it('replays byte for byte against a real Client resuming with an idempotency key', async () => {
    const [clientSide, serverSide] = createMemoryTransportPair();
    const raw = rawPeer(serverSide);
    const wire = replay(example('session-resume'), raw, 'server');
    const notifyMeta = metaNamed(handshakeParams.bindings, 'notify');
    const connecting = Client.connect(clientSide, {
      sessionId: handshakeResult.sessionId,
      bindings: [bindingFrom(notifyMeta, () => undefined)],
    });
    await wire.expect();
    wire.send();
    await using client = await connecting;
    const shipped = client.eval('shipped = (globalThis.shipped ?? 0) + 1', { key: 'ship-o_001' });
    await wire.expect();
    wire.send();
    expect(await shipped).toBe(1);
  });
});

describe('spec example: server-bindings', () => {
  it('replays byte for byte against a real Client narrowing the server bindings', async () => {
    const [clientSide, serverSide] = createMemoryTransportPair();
    const raw = rawPeer(serverSide);
    const wire = replay(example('server-bindings'), raw, 'server');
    const params = (example('server-bindings').messages[0]!.message as Message).params as {
      bindings: BindingMeta[];
      serverBindings: { only: string[]; confirmEffects: ['external'] };
    };
    const asked: unknown[] = [];
    const connecting = Client.connect(clientSide, {
      bindings: [
        bindingFrom(metaNamed(params.bindings, 'confirm'), (args) => {
          asked.push(args);
          return false;
        }),
      ],
      serverBindings: params.serverBindings,
    });
    await wire.expect();
    wire.send();
    await using client = await connecting;
    expect(client.serverBindings.map((meta) => meta.name)).toEqual(['db.query']);
    const hidden = client.invoke('getOrder', { id: 'o_001' }).catch((error: unknown) => error);
    await wire.expect();
    wire.send();
    expect(await hidden).toBeInstanceOf(BindingNotFoundError);
    const result = client.eval("try { await db.query({ sql: 'delete from orders' }) } catch (e) { e.code }");
    await wire.expect(withoutKey);
    wire.send();
    await wire.expect();
    wire.send();
    expect(await result).toBe(-32003);
    expect(asked).toHaveLength(1);
  });
});
