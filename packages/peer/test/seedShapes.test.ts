import { describe, expect, it, vi } from 'vitest';
import Type from 'typebox';
import { ErrorCode, PROTOCOL_VERSION, TERMINAL_HANDSHAKE_CODES } from '@scomp/protocol';
import { Client, defineBinding, InvalidParamsError, ScompError, Server, type Binding, type HostFunction } from '../src/index.js';
import { renderDeclarations } from '../src/declarations.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';

/**
 * A peer written from the design documents alone speaks these shapes: raw JSON on the wire, with
 * members this spec version does not name. scomp must interoperate with it.
 */
function rawConnection(server: Server) {
  const [client, serverSide] = createMemoryTransportPair();
  server.accept(serverSide);
  return rawPeer(client);
}

const getOrder = defineBinding({
  name: 'getOrder',
  input: Type.Object({ id: Type.String() }),
  output: Type.Object({ id: Type.String(), total: Type.Number() }),
  handler: ({ id }) => ({ id, total: 142.5 }),
});

describe('unknown members', () => {
  it('are ignored in handshake, eval and invoke params, and in bindings', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({ one: () => 1 }), bindings: [getOrder] });
    const raw = rawConnection(fixture.server);
    const handshake = await raw.request(1, 'handshake', {
      protocol: '0.1',
      bindings: [
        {
          name: 'notify',
          description: 'Tell the user.',
          input: { type: 'object', properties: { message: { type: 'string' } } },
          effects: ['external'],
          annotations: { audience: ['user'] },
        },
      ],
      clientInfo: { name: 'seed-harness', version: '0.0.1' },
      _meta: { traceId: 'abc' },
    });
    expect(handshake.result).toMatchObject({ protocol: PROTOCOL_VERSION, resumed: false });
    expect(await raw.request(2, 'eval', { code: 'one', language: 'javascript', _meta: {} })).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { value: 1 },
    });
    expect(await raw.request(3, 'invoke', { name: 'getOrder', args: { id: 'o_001' }, _meta: { progress: 1 } })).toEqual({
      jsonrpc: '2.0',
      id: 3,
      result: { value: { id: 'o_001', total: 142.5 } },
    });
  });

  it('do not relax required members or their types', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
    const raw = rawConnection(fixture.server);
    const reply = await raw.request(1, 'handshake', { protocol: 0.1, bindings: [], clientInfo: {} });
    expect(reply.error.code).toBe(ErrorCode.InvalidParams);
    expect(reply.error.data.issues).toEqual([{ path: '/protocol', message: 'must be string' }]);
    const second = rawConnection(fixture.server);
    const missing = await second.request(1, 'handshake', { protocol: '0.1', clientInfo: {} });
    expect(missing.error.data.issues).toEqual([{ path: '/bindings', message: 'is required' }]);
  });

  it('refuses an invoke that names both a binding and a reference', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [getOrder] });
    const raw = rawConnection(fixture.server);
    await raw.request(1, 'handshake', { protocol: '0.1', bindings: [] });
    const reply = await raw.request(2, 'invoke', { name: 'getOrder', ref: 'fn_1', args: { id: 'o_001' } });
    expect(reply.error.code).toBe(ErrorCode.InvalidParams);
  });

  it('a handshake result exactly as the seed shows it (no resumed, extra members) is accepted by the client', async () => {
    const [clientSide, serverSide] = createMemoryTransportPair();
    const server = rawPeer(serverSide);
    const connecting = Client.connect(clientSide);
    const handshake = await server.next();
    expect(handshake).toMatchObject({ jsonrpc: '2.0', method: 'handshake', params: { protocol: PROTOCOL_VERSION, bindings: [] } });
    server.send({
      jsonrpc: '2.0',
      id: handshake.id,
      result: {
        protocol: '0.1',
        sessionId: 'sess_8f2a3c',
        bindings: [{ name: 'webSearch', input: { type: 'object' }, effects: ['read', 'external'], 'x-vendor': 1 }],
        serverInfo: { name: 'seed-server' },
      },
    });
    await using client = await connecting;
    expect(client.sessionId).toBe('sess_8f2a3c');
    expect(client.serverBindings.map((binding) => binding.name)).toEqual(['webSearch']);
    const evaluating = client.eval("const o = await getOrder({ id: 'o_001' }); o.total");
    const evalRequest = await server.next();
    server.send({ jsonrpc: '2.0', id: evalRequest.id, result: { value: 142.5, _meta: { durationMs: 3 } } });
    expect(await evaluating).toBe(142.5);
  });
});

describe('errors say what was wrong', () => {
  it('names the failing argument in the message of InvalidParams and keeps the issues in data', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [getOrder] });
    const raw = rawConnection(fixture.server);
    await raw.request(1, 'handshake', { protocol: '0.1', bindings: [] });
    expect(await raw.request(2, 'invoke', { name: 'getOrder', args: { id: 5 } })).toEqual({
      jsonrpc: '2.0',
      id: 2,
      error: {
        code: ErrorCode.InvalidParams,
        message: 'invalid params: /id must be string',
        data: { issues: [{ path: '/id', message: 'must be string' }] },
      },
    });
  });
});

describe('cancellation and terminal handshake errors', () => {
  it('aborts the handler of a function reference whose invoke is cancelled', async () => {
    let aborted!: (reason: unknown) => void;
    const abortSeen = new Promise((resolve) => (aborted = resolve));
    const watch = defineBinding({
      name: 'watch',
      input: Type.Object({}),
      handler: (): HostFunction => (_args, options) =>
        new Promise((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => {
            aborted(options.signal?.reason);
            reject(new Error('stopped'));
          });
        }),
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [watch] });
    const raw = rawConnection(fixture.server);
    await raw.request(1, 'handshake', { protocol: '0.1', bindings: [] });
    const made = await raw.request(2, 'invoke', { name: 'watch', args: {} });
    const ref = made.result.value.$scomp.id;
    raw.send({ jsonrpc: '2.0', id: 3, method: 'invoke', params: { ref, args: { order: {} } } });
    raw.send({ jsonrpc: '2.0', method: 'cancel', params: { id: 3, reason: 'user pressed stop' } });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 3, error: { code: ErrorCode.Cancelled, message: 'cancelled' } });
    expect(await abortSeen).toMatchObject({ code: ErrorCode.Cancelled });
  });

  it('a handshake cancelled while in progress is answered Cancelled, closes, and leaves no session behind', async () => {
    let admit!: () => void;
    const admitted = new Promise<void>((resolve) => (admit = resolve));
    const runtime = scriptRuntimeFactory({});
    let creating!: () => void;
    const created = new Promise<void>((resolve) => (creating = resolve));
    // The cancel arrives while the session's runtime is being created, after the last point where
    // the handshake could simply stop.
    await using fixture = memoryServer({
      runtime: {
        async create(init) {
          creating();
          await admitted;
          return runtime.create(init);
        },
      },
    });
    const raw = rawConnection(fixture.server);
    raw.send({ jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: '0.1', bindings: [] } });
    await created;
    raw.send({ jsonrpc: '2.0', method: 'cancel', params: { id: 1 } });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, error: { code: ErrorCode.Cancelled, message: 'cancelled' } });
    expect(TERMINAL_HANDSHAKE_CODES).toContain(ErrorCode.Cancelled);
    await raw.whenClosed();
    admit();
    // The handshake goes on to create its session's runtime, then gives the session up.
    await vi.waitFor(() => expect(runtime.runtimes.map((created) => created.disposed)).toEqual([true]));
    expect(fixture.server.stats()).toMatchObject({ sessions: 0, attachedSessions: 0 });
    expect(raw.pending()).toBe(0);
  });

  it('answers a handshake whose runtime fails with a code from TERMINAL_HANDSHAKE_CODES, then closes', async () => {
    const faults: unknown[] = [];
    await using fixture = memoryServer({
      runtime: {
        create() {
          throw new ScompError(-1234, 'quota service unavailable');
        },
      },
      onFault: (error) => faults.push(error),
    });
    const raw = rawConnection(fixture.server);
    const reply = await raw.request(1, 'handshake', { protocol: '0.1', bindings: [] });
    expect(reply.error).toEqual({ code: ErrorCode.InternalError, message: 'handshake failed' });
    expect(TERMINAL_HANDSHAKE_CODES).toContain(reply.error.code);
    await raw.whenClosed();
  });
});

describe('the server invokes client bindings at any time', () => {
  it('pushes a notification to an attached client through its session handle, outside any handler', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), sessionIdleTimeoutMs: 1 });
    const events: string[] = [];
    fixture.server.on('attach', (session) => events.push(`attach ${session.attached}`));
    fixture.server.on('detach', (session) => events.push(`detach ${session.attached}`));
    const expired = new Promise<string>((resolve) => fixture.server.on('expire', (session) => resolve(session.id)));
    const attached = new Promise<string>((resolve) => fixture.server.on('attach', (session) => resolve(session.id)));

    const raw = rawConnection(fixture.server);
    const notify = { name: 'notify', input: { type: 'object', properties: { message: { type: 'string' } } } };
    const handshake = await raw.request(1, 'handshake', { protocol: '0.1', bindings: [notify] });
    const sessionId = handshake.result.sessionId;
    expect(await attached).toBe(sessionId);

    const session = fixture.server.getSession(sessionId)!;
    expect(fixture.server.listSessions()).toEqual([session]);
    expect(session.clientBindings.map((meta) => meta.name)).toEqual(['notify']);
    const pushed = session.invoke('notify', { message: 'build finished' });
    const request = await raw.next();
    expect(request).toEqual({
      jsonrpc: '2.0',
      id: request.id,
      method: 'invoke',
      params: { name: 'notify', args: { message: 'build finished' } },
    });
    raw.send({ jsonrpc: '2.0', id: request.id, result: {} });
    expect(await pushed).toBeUndefined();
    await expect(session.invoke('missing')).rejects.toMatchObject({ code: ErrorCode.BindingNotFound });

    raw.close();
    expect(await expired).toBe(sessionId);
    expect(events).toEqual(['attach true', 'detach false']);
    expect(fixture.server.getSession(sessionId)).toBeUndefined();
    await expect(session.invoke('notify', { message: 'late' })).rejects.toMatchObject({ code: ErrorCode.Disconnected });
  });

  it('cancels a call of a client binding when its signal aborts', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
    const raw = rawConnection(fixture.server);
    const ask = { name: 'ask', input: true };
    const { result } = await raw.request(1, 'handshake', { protocol: '0.1', bindings: [ask] });
    const controller = new AbortController();
    const asking = fixture.server.getSession(result.sessionId)!.invoke('ask', {}, { signal: controller.signal });
    const request = await raw.next();
    controller.abort();
    await expect(asking).rejects.toMatchObject({ name: 'AbortedError' });
    expect(await raw.next()).toMatchObject({ jsonrpc: '2.0', method: 'cancel', params: { id: request.id } });
  });
});

describe('$ref and $defs', () => {
  const searchResult = {
    type: 'object',
    properties: { url: { type: 'string' }, title: { type: 'string' } },
    required: ['url'],
  };
  /** The seed's binding, with its `SearchResult` definition placed next to `input` and `output`. */
  const webSearch = {
    name: 'webSearch',
    description: 'Search the web. Returns a list of result objects.',
    input: { type: 'object', properties: { query: { type: 'string' } } },
    output: { type: 'array', items: { $ref: '#/$defs/SearchResult' } },
    $defs: { SearchResult: searchResult },
    effects: ['read', 'external'],
  };

  it('accepts client bindings whose local refs resolve, with $defs beside input and output or inside them', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
    const raw = rawConnection(fixture.server);
    const inside = {
      name: 'pick',
      input: {
        type: 'object',
        properties: { hit: { $ref: '#/properties/nested/$defs/Hit' }, nested: { $defs: { Hit: searchResult } } },
      },
      output: { $ref: '#/$defs/Hit', $defs: { Hit: searchResult } },
    };
    const reply = await raw.request(1, 'handshake', { protocol: '0.1', bindings: [webSearch, inside] });
    expect(reply.result.sessionId).toMatch(/^sess_/);
  });

  it.each([
    ['dangling', '#/$defs/Missing', 'does not resolve'],
    ['remote', 'https://example.com/search-result.json', 'is not local'],
    ['anchor', '#SearchResult', 'is not a JSON Pointer'],
  ])('refuses a client binding with a %s $ref in the handshake, naming the binding and the pointer', async (_, ref, why) => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
    const raw = rawConnection(fixture.server);
    const broken = { ...webSearch, output: { type: 'array', items: { $ref: ref } } };
    const reply = await raw.request(1, 'handshake', { protocol: '0.1', bindings: [{ name: 'ok', input: true }, broken] });
    expect(reply.error.code).toBe(ErrorCode.InvalidParams);
    expect(reply.error.message).toContain('binding webSearch');
    expect(reply.error.message).toContain('/bindings/1/output/items/$ref');
    expect(reply.error.data.issues).toEqual([{ path: '/bindings/1/output/items/$ref', message: expect.stringContaining(why) }]);
    await raw.whenClosed();
    expect(fixture.server.stats().sessions).toBe(0);
  });

  it('refuses a server binding with a dangling $ref when it is defined and when the server starts', () => {
    const define = () =>
      defineBinding({
        name: 'webSearch',
        input: Type.Object({}),
        output: Type.Array(Type.Unsafe({ $ref: '#/$defs/SearchResult' })),
        handler: () => [],
      });
    expect(define).toThrow(InvalidParamsError);
    expect(define).toThrow('binding webSearch has a $ref that does not resolve: /output/items/$ref');
    const byHand: Binding = { meta: { ...webSearch, $defs: {} } as Binding['meta'], call: async () => [] };
    expect(() => new Server({ runtime: scriptRuntimeFactory({}), bindings: [byHand] })).toThrow('/output/items/$ref');
  });

  it('validates a server binding against binding-level $defs, and shows them in the declarations', async () => {
    const search = defineBinding({
      name: 'webSearch',
      input: Type.Object({ query: Type.String() }),
      output: Type.Array(Type.Unsafe<{ url: string }>({ $ref: '#/$defs/SearchResult' })),
      $defs: { SearchResult: Type.Object({ url: Type.String(), title: Type.Optional(Type.String()) }) },
      handler: ({ query }) => (query === 'broken' ? [{ url: 5 } as never] : [{ url: `https://example.com/?q=${query}` }]),
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [search] });
    const raw = rawConnection(fixture.server);
    const handshake = await raw.request(1, 'handshake', { protocol: '0.1', bindings: [] });
    expect(handshake.result.bindings[0].$defs.SearchResult.required).toEqual(['url']);
    expect((await raw.request(2, 'invoke', { name: 'webSearch', args: { query: 'scomp' } })).result).toEqual({
      value: [{ url: 'https://example.com/?q=scomp' }],
    });
    const broken = await raw.request(3, 'invoke', { name: 'webSearch', args: { query: 'broken' } });
    expect(broken.error).toMatchObject({ code: ErrorCode.InternalError, data: { issues: [{ path: '/0/url', message: 'must be string' }] } });
    const text = renderDeclarations([search.meta]);
    expect(text).toContain('SearchResult');
    expect(text).toMatch(/url: string/);
  });
});

describe('function sentinels carry their schemas', () => {
  const makeScorer = defineBinding({
    name: 'makeScorer',
    input: Type.Object({}),
    output: Type.Unsafe({
      type: 'object',
      required: ['$scomp'],
      'x-scomp-fn': { input: { $ref: '#/$defs/Item' }, output: { type: 'number' } },
      $defs: { Item: { type: 'object', properties: { price: { type: 'number' } }, required: ['price'] } },
    }),
    handler: () => (async (item: { price: number }) => -item.price) as never,
  });

  it('issues a sentinel with input and output from the declaring binding, and validates calls against input', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [makeScorer] });
    const raw = rawConnection(fixture.server);
    await raw.request(1, 'handshake', { protocol: '0.1', bindings: [] });
    const made = await raw.request(2, 'invoke', { name: 'makeScorer', args: {} });
    const sentinel = made.result.value.$scomp;
    expect(sentinel).toEqual({
      kind: 'fn',
      id: expect.stringMatching(/^fn_/),
      input: {
        $ref: '#/$defs/Item',
        $defs: { Item: { type: 'object', properties: { price: { type: 'number' } }, required: ['price'] } },
      },
      output: { type: 'number' },
    });
    expect(await raw.request(3, 'invoke', { ref: sentinel.id, args: { price: 9 } })).toEqual({ jsonrpc: '2.0', id: 3, result: { value: -9 } });
    const refused = await raw.request(4, 'invoke', { ref: sentinel.id, args: { price: 'nine' } });
    expect(refused.error).toEqual({
      code: ErrorCode.InvalidParams,
      message: 'invalid params: /price must be number',
      data: { issues: [{ path: '/price', message: 'must be number' }] },
    });
  });

  it('lets the holder check arguments against a received sentinel before sending them', async () => {
    const [clientSide, serverSide] = createMemoryTransportPair();
    const server = rawPeer(serverSide);
    const connecting = Client.connect(clientSide);
    const handshake = await server.next();
    server.send({ jsonrpc: '2.0', id: handshake.id, result: { protocol: '0.1', sessionId: 'sess_8f2a3c', bindings: [] } });
    await using client = await connecting;
    const evaluating = client.eval('(n) => n * 2');
    const request = await server.next();
    const input = { type: 'integer' };
    server.send({ jsonrpc: '2.0', id: request.id, result: { value: { $scomp: { kind: 'fn', id: 'fn_7af3', input, output: input } } } });
    const double = (await evaluating) as HostFunction;
    await expect(double('21')).rejects.toThrow('invalid params: value must be integer');
    expect(server.pending()).toBe(0);
    const calling = double(21);
    expect(await server.next()).toMatchObject({ method: 'invoke', params: { ref: 'fn_7af3', args: 21 } });
    void calling.catch(() => undefined);
  });

  it('shows a function-valued parameter with its type in the declarations', () => {
    const text = renderDeclarations([makeScorer.meta]);
    expect(text).toContain('Promise<(args: Item) => Promise<number>>');
  });
});
