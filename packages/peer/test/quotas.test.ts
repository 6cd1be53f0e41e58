import { describe, expect, it, vi } from 'vitest';
import Type from 'typebox';
import { ErrorCode, PROTOCOL_VERSION } from '@scomp/protocol';
import { LimitExceededError, Server, defineBinding, type Principal } from '../src/index.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';

const byToken = (metadata: Record<string, unknown>): Principal => ({ id: String(metadata.token) });

describe('principal quotas', () => {
  it('refuses a principal its next session past maxSessionsPerPrincipal, counting detached ones, while another principal still gets one', async () => {
    const runtime = scriptRuntimeFactory({ one: () => 1 });
    await using fixture = memoryServer({ runtime, authenticate: byToken, maxSessionsPerPrincipal: 2 });
    const first = await fixture.connect({ metadata: { token: 'a' } });
    const second = await fixture.connect({ metadata: { token: 'a' } });
    second.close();
    const refused = (await fixture.connect({ metadata: { token: 'a' } }).catch((e: unknown) => e)) as LimitExceededError;
    expect(refused).toBeInstanceOf(LimitExceededError);
    expect(refused.detail).toEqual({ limit: 'sessions', max: 2, used: 2 });
    expect(runtime.runtimes).toHaveLength(2);
    const neighbour = await fixture.connect({ metadata: { token: 'b' } });
    expect(await neighbour.eval('one')).toBe(1);
    expect(await first.eval('one')).toBe(1);
  });

  it('gives a session back to the quota once it expires', async () => {
    vi.useFakeTimers();
    try {
      const runtime = scriptRuntimeFactory({});
      await using fixture = memoryServer({ runtime, maxSessionsPerPrincipal: 1, sessionIdleTimeoutMs: 1_000 });
      const first = await fixture.connect();
      first.close();
      await expect(fixture.connect()).rejects.toBeInstanceOf(LimitExceededError);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runtime.runtimes[0]!.disposed).toBe(true);
      await expect(fixture.connect()).resolves.toBeDefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts each session as limits.memoryBytes against maxMemoryBytesPerPrincipal', async () => {
    const runtime = scriptRuntimeFactory({});
    await using fixture = memoryServer({
      runtime,
      limits: { memoryBytes: 100 },
      maxMemoryBytesPerPrincipal: 250,
    });
    await fixture.connect();
    await fixture.connect();
    const refused = (await fixture.connect().catch((e: unknown) => e)) as LimitExceededError;
    expect(refused.detail).toEqual({ limit: 'principalMemory', max: 250, used: 200, requested: 100 });
    expect(runtime.runtimes).toHaveLength(2);
  });

  it('refuses a memory quota it cannot count', () => {
    expect(() => new Server({ runtime: scriptRuntimeFactory({}), maxMemoryBytesPerPrincipal: 1 })).toThrow(/limits\.memoryBytes/);
  });

  it('gives the quota back when a runtime cannot be created', async () => {
    let fail = true;
    const runtime = scriptRuntimeFactory({});
    const flaky = {
      create: (init: Parameters<typeof runtime.create>[0]) => {
        if (fail) throw new Error('no room');
        return runtime.create(init);
      },
    };
    await using fixture = memoryServer({ runtime: flaky, maxSessionsPerPrincipal: 1 });
    await expect(fixture.connect()).rejects.toThrow();
    fail = false;
    await expect(fixture.connect()).resolves.toBeDefined();
  });
});

describe('pending server→client invokes', () => {
  it('fails the invoke past maxPendingInvokes with LimitExceeded while the client never answers', async () => {
    const ask = defineBinding({
      name: 'ask',
      input: Type.Unknown(),
      handler: (_args, context) => context.invoke('never'),
    });
    const runtime = scriptRuntimeFactory({});
    await using fixture = memoryServer({ runtime, bindings: [ask], maxPendingInvokes: 2 });
    const [client, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(client);
    const handshake = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [{ name: 'never', input: {} }] });
    expect(handshake.result.sessionId).toBeTypeOf('string');
    for (const id of [2, 3, 4]) raw.send({ jsonrpc: '2.0', id, method: 'invoke', params: { name: 'ask' } });
    const seen: any[] = [];
    for (let i = 0; i < 3; i++) seen.push(await raw.next());
    const invokes = seen.filter((message) => message.method === 'invoke');
    const answer = seen.find((message) => message.id === 4);
    expect(invokes).toHaveLength(2);
    expect(answer.error.code).toBe(ErrorCode.LimitExceeded);
    expect(answer.error.data).toEqual({ limit: 'pendingInvokes', max: 2 });
    // Answering one frees its place.
    raw.send({ jsonrpc: '2.0', id: invokes[0].id, result: { value: 'late' } });
    expect(await raw.next()).toMatchObject({ id: 2, result: { value: 'late' } });
  });
});

describe('handshake timeout', () => {
  it('closes a connection that sends no handshake within handshakeTimeoutMs, and keeps one that did', async () => {
    vi.useFakeTimers();
    try {
      await using fixture = memoryServer({ runtime: scriptRuntimeFactory({ one: () => 1 }), handshakeTimeoutMs: 500 });
      const client = await fixture.connect();
      const [silent, serverSide] = createMemoryTransportPair();
      fixture.server.accept(serverSide);
      const raw = rawPeer(silent);
      await vi.advanceTimersByTimeAsync(499);
      expect(raw.closed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(raw.closed).toBe(true);
      expect(fixture.server.stats().connections).toBe(1);
      expect(await client.eval('one')).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('messages before the handshake', () => {
  it('answers a handshake over maxHandshakeBytes with LimitExceeded without checking it, closes that connection, and serves others', async () => {
    const authenticate = vi.fn(async () => ({ id: 'anyone' }));
    const long = `/* ${'x'.repeat(8000)} */ two`;
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({ [long]: () => 2 }), maxHandshakeBytes: 4096, authenticate });
    const [hostile, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(hostile);
    const bindings = Array.from({ length: 200 }, (_, i) => ({ name: `a${i}.b.c.d`, input: {} }));
    const answer = await raw.request(7, 'handshake', { protocol: PROTOCOL_VERSION, bindings });
    expect(answer).toMatchObject({ id: 7, error: { code: ErrorCode.LimitExceeded, data: { limit: 'messageBytes', max: 4096 } } });
    await raw.whenClosed();
    expect(authenticate).not.toHaveBeenCalled();
    // Under the limit, and after the handshake (where maxMessageBytes applies), larger messages pass.
    const client = await fixture.connect();
    expect(await client.eval(long)).toBe(2);
  });
});
