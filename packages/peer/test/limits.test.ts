import { describe, expect, it, vi } from 'vitest';
import Type from 'typebox';
import { ErrorCode, PROTOCOL_VERSION } from '@scomp/protocol';
import {
  AbortedError,
  Client,
  InvalidParamsError,
  LimitExceededError,
  Server,
  defineBinding,
  type ClientState,
} from '../src/index.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';
import { settle } from './support/settle.js';

const noop = (name: string) => defineBinding({ name, input: Type.Unknown(), handler: () => null });

describe('binding names', () => {
  it('refuses client bindings that would share a runtime global with server bindings', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [noop('db.query')] });
    const [client, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(client);
    const reply = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [{ name: 'db', input: {} }] });
    expect(reply.error.code).toBe(ErrorCode.HandshakeFailed);
    await raw.whenClosed();
  });

  it('refuses a server that declares clashing names or the reserved console binding', () => {
    const runtime = scriptRuntimeFactory({});
    expect(() => new Server({ runtime, bindings: [noop('a'), noop('a')] })).toThrow(/claim the same name/);
    expect(() => new Server({ runtime, bindings: [noop('db'), noop('db-x'), noop('db.q')] })).toThrow(/db and db\.q/);
    expect(() => new Server({ runtime, bindings: [noop('console')] })).toThrow(/reserved/);
  });
});

describe('limits', () => {
  it('caps the function references a peer issues on a connection', async () => {
    const give = defineBinding({ name: 'give', input: Type.Unknown(), handler: () => async () => 1 });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [give], maxRefs: 2 });
    const client = await fixture.connect();
    await client.invoke('give');
    await client.invoke('give');
    const error = (await client.invoke('give').catch((e: unknown) => e)) as LimitExceededError;
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.detail).toEqual({ limit: 'refs', max: 2 });
  });

  it('replaces a response larger than maxMessageBytes with LimitExceeded, and fails a large request locally', async () => {
    const big = defineBinding({ name: 'big', input: Type.Unknown(), handler: () => 'x'.repeat(2_000) });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [big], maxMessageBytes: 1_000 });
    const client = await fixture.connect({ maxMessageBytes: 1_000 });
    const error = (await client.invoke('big').catch((e: unknown) => e)) as LimitExceededError;
    expect(error.detail).toEqual({ limit: 'messageBytes', max: 1_000 });
    const local = (await client.invoke('big', 'é'.repeat(600)).catch((e: unknown) => e)) as LimitExceededError;
    expect(local).toBeInstanceOf(LimitExceededError);
    expect(client.stats().pendingOutbound).toBe(0);
  });

  it('replaces an error response larger than maxMessageBytes with LimitExceeded, and drops a larger notification as a fault', async () => {
    const faults: unknown[] = [];
    const runtime = scriptRuntimeFactory({
      shout: ({ notify }) => {
        notify('console', { level: 'log', args: ['y'.repeat(2_000)] });
        notify('console', { level: 'log', args: ['short'] });
        throw new InvalidParamsError('x'.repeat(2_000));
      },
    });
    await using fixture = memoryServer({ runtime, maxMessageBytes: 1_000, onFault: (e) => faults.push(e) });
    const [client, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(client);
    await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [{ name: 'console', input: {} }] });
    const line = await raw.request(2, 'eval', { code: 'shout' });
    expect(line).toMatchObject({ method: 'invoke', params: { name: 'console', args: { args: ['short'] } } });
    const answer = await raw.next();
    expect(answer).toMatchObject({ id: 2, error: { code: ErrorCode.LimitExceeded, data: { limit: 'messageBytes', max: 1_000 } } });
    expect(faults).toEqual([expect.objectContaining({ detail: { limit: 'messageBytes', max: 1_000 } })]);
  });

  it('refuses a known eval key sent with different code', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({ a: () => 'a', b: () => 'b' }) });
    const client = await fixture.connect();
    expect(await client.eval('a', { key: 'k' })).toBe('a');
    const error = (await client.eval('b', { key: 'k' }).catch((e: unknown) => e)) as InvalidParamsError;
    expect(error).toBeInstanceOf(InvalidParamsError);
    expect(error.issues[0]?.path).toBe('/key');
  });
});

describe('cancel', () => {
  it('answers a cancelled request with Cancelled at once, even if its handler ignores the signal', async () => {
    let finish!: (value: string) => void;
    const stubborn = defineBinding({
      name: 'stubborn',
      input: Type.Unknown(),
      handler: () => new Promise<string>((resolve) => (finish = resolve)),
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [stubborn] });
    const [client, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(client);
    await raw.request(0, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
    raw.send({ jsonrpc: '2.0', id: 1, method: 'invoke', params: { name: 'stubborn' } });
    await settle();
    raw.send({ jsonrpc: '2.0', method: 'cancel', params: { id: 1 } });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, error: { code: ErrorCode.Cancelled, message: 'cancelled' } });
    finish('late');
    await settle();
    expect(raw.pending()).toBe(0);
  });
});

describe('a call whose signal is already aborted', () => {
  it('is not sent at all, so the server never runs it', async () => {
    let calls = 0;
    const counted = defineBinding({ name: 'counted', input: Type.Unknown(), handler: () => ++calls });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [counted] });
    const client = await Client.connect(() => fixture.dial());
    const aborted = new AbortController();
    aborted.abort();
    await expect(client.invoke('counted', {}, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(await client.invoke('counted', {})).toBe(1);
    client.close();
  });
});

describe('takeover', () => {
  it('does not resume automatically after another connection took the session', async () => {
    vi.useFakeTimers();
    try {
      await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
      const states: ClientState[] = [];
      const first = await Client.connect(() => fixture.dial(), {
        reconnect: { initialDelayMs: 1 },
        onStateChange: (state) => states.push(state),
      });
      await fixture.connect({ sessionId: first.sessionId });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(states).toEqual(['closed']);
      expect(fixture.server.stats().connections).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('console', () => {
  it('sends runtime console output to the client as an invoke notification', async () => {
    const runtime = scriptRuntimeFactory({
      log: ({ call }) => {
        void call;
        return 'done';
      },
    });
    await using fixture = memoryServer({ runtime });
    const [client, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(client);
    const consoleMeta = { name: 'console', input: { type: 'object' } };
    await raw.request(0, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [consoleMeta] });
    const binding = runtime.runtimes[0]!.clientBindings.find((b) => b.meta.name === 'console')!;
    binding.notify!({ level: 'warn', args: ['low stock', 3] });
    expect(await raw.next()).toEqual({
      jsonrpc: '2.0',
      method: 'invoke',
      params: { name: 'console', args: { level: 'warn', args: ['low stock', 3] } },
    });
  });
});
