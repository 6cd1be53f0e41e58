import { afterEach, describe, expect, it, vi } from 'vitest';
import Type from 'typebox';
import { ErrorCode, PROTOCOL_VERSION } from '@scomp/protocol';
import { Server, TimeoutError, defineBinding } from '../src/index.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';
import { settle } from './support/settle.js';

afterEach(() => {
  vi.useRealTimers();
});

async function handshaken(server: Server) {
  const [client, serverSide] = createMemoryTransportPair();
  server.accept(serverSide);
  const raw = rawPeer(client);
  await raw.request(0, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
  return raw;
}

const echo = defineBinding({ name: 'echo', input: Type.Unknown(), handler: (args) => args });

describe('invalid inbound traffic', () => {
  it('answers each kind of bad message with the proper error and stays usable', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [echo] });
    const raw = await handshaken(fixture.server);
    const cases: [unknown, number, string | number | null][] = [
      ['{not json', ErrorCode.ParseError, null],
      ['[]', ErrorCode.InvalidRequest, null],
      [[{ jsonrpc: '2.0', id: 1, method: 'eval', params: { code: '1' } }], ErrorCode.InvalidRequest, null],
      ['42', ErrorCode.InvalidRequest, null],
      [{ jsonrpc: '1.0', id: 2, method: 'eval' }, ErrorCode.InvalidRequest, 2],
      [{ jsonrpc: '2.0', id: 3, method: 7 }, ErrorCode.InvalidRequest, 3],
      [{ jsonrpc: '2.0', id: 4, method: 'nope' }, ErrorCode.MethodNotFound, 4],
      [{ jsonrpc: '2.0', id: 5, method: 'eval', params: { code: 1 } }, ErrorCode.InvalidParams, 5],
      [{ jsonrpc: '2.0', id: 6, method: 'invoke', params: { name: 'echo', ref: 'fn_1' } }, ErrorCode.InvalidParams, 6],
      [{ jsonrpc: '2.0', id: 7, method: 'invoke', params: { name: 'missing' } }, ErrorCode.BindingNotFound, 7],
      [{ jsonrpc: '2.0', id: 8, method: 'invoke', params: { ref: 'fn_unknown' } }, ErrorCode.RefNotFound, 8],
      [{ jsonrpc: '2.0', id: 99, result: {} }, ErrorCode.InvalidRequest, null],
      [
        { jsonrpc: '2.0', id: 9, method: 'invoke', params: { name: 'echo', args: { $scomp: { kind: 'promise', id: 'x' } } } },
        ErrorCode.InvalidParams,
        9,
      ],
    ];
    for (const [message, code, id] of cases) {
      raw.send(message);
      const reply = await raw.next();
      expect(reply, JSON.stringify(message)).toMatchObject({ jsonrpc: '2.0', id, error: { code } });
    }
    expect(await raw.request(10, 'invoke', { name: 'echo', args: { ok: true } })).toEqual({
      jsonrpc: '2.0',
      id: 10,
      result: { value: { ok: true } },
    });
  });

  it('does not answer notifications or error responses, even invalid ones', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [echo] });
    const raw = await handshaken(fixture.server);
    raw.send({ jsonrpc: '2.0', method: 'nope' });
    raw.send({ jsonrpc: '2.0', method: 'release', params: { refs: 'bad' } });
    raw.send({ jsonrpc: '2.0', id: 77, error: { code: 1, message: 'stray' } });
    raw.send({ jsonrpc: '2.0', method: 'invoke', params: { name: 'echo', args: 1 } });
    await settle();
    expect(raw.pending()).toBe(0);
    expect((await raw.request(1, 'invoke', { name: 'echo', args: 2 })).result).toEqual({ value: 2 });
  });

  it('refuses a duplicate id while the first request is still running', async () => {
    const gate = defineBinding({ name: 'gate', input: Type.Unknown(), handler: () => new Promise(() => {}) });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [gate] });
    const raw = await handshaken(fixture.server);
    raw.send({ jsonrpc: '2.0', id: 'same', method: 'invoke', params: { name: 'gate' } });
    const reply = await raw.request('same', 'invoke', { name: 'gate' });
    expect(reply).toMatchObject({ id: 'same', error: { code: ErrorCode.InvalidRequest } });
  });

  it('limits requests in flight per connection', async () => {
    const gate = defineBinding({ name: 'gate', input: Type.Unknown(), handler: () => new Promise(() => {}) });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [gate], maxInboundRequests: 2 });
    const raw = await handshaken(fixture.server);
    raw.send({ jsonrpc: '2.0', id: 1, method: 'invoke', params: { name: 'gate' } });
    raw.send({ jsonrpc: '2.0', id: 2, method: 'invoke', params: { name: 'gate' } });
    const reply = await raw.request(3, 'invoke', { name: 'gate' });
    expect(reply.error).toMatchObject({ code: ErrorCode.LimitExceeded, data: { limit: 'pendingRequests', max: 2 } });
  });
});

describe('timeouts and cancellation', () => {
  it('times out a call locally, tells the server, and the server aborts the handler', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const slow = defineBinding({
      name: 'slow',
      input: Type.Unknown(),
      handler: (_args, context) => {
        signal = context.signal;
        return new Promise(() => {});
      },
    });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [slow] });
    const client = await fixture.connect();
    const call = client.invoke('slow', {}, { timeoutMs: 5_000 });
    const outcome = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(0);
    expect(signal?.aborted).toBe(true);
    expect(client.stats().pendingOutbound).toBe(0);
  });

  it('applies the client-wide default timeout', async () => {
    vi.useFakeTimers();
    const never = defineBinding({ name: 'never', input: Type.Unknown(), handler: () => new Promise(() => {}) });
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), bindings: [never] });
    const client = await fixture.connect({ timeoutMs: 1_000 });
    const outcome = client.invoke('never').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await outcome).toBeInstanceOf(TimeoutError);
  });
});

describe('error classes', () => {
  it('are named after their class and rebuilt from their code', async () => {
    const { fromErrorObject, EvalError, RemoteTimeoutError } = await import('../src/index.js');
    const evalError = fromErrorObject({ code: ErrorCode.EvalError, message: 'TypeError: x', data: { name: 'TypeError', message: 'x' } });
    expect(evalError).toBeInstanceOf(EvalError);
    expect(evalError.name).toBe('EvalError');
    expect(fromErrorObject({ code: ErrorCode.ParseError, message: 'bad' }).name).toBe('ParseError');
    expect(fromErrorObject({ code: ErrorCode.Timeout, message: 'late' })).toBeInstanceOf(RemoteTimeoutError);
    const custom = fromErrorObject({ code: 42, message: 'app error', data: { reason: 'x' } });
    expect(custom).toMatchObject({ name: 'ScompError', code: 42, data: { reason: 'x' } });
  });
});
