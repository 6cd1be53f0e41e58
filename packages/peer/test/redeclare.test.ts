import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PROTOCOL_VERSION } from '@scomp/protocol';
import { HandshakeFailedError, defineBinding } from '../src/index.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';

const named = (name: string, answer = name) => defineBinding({ name, input: Type.Any(), handler: () => answer });

function server() {
  const runtime = scriptRuntimeFactory({
    'call first': ({ call }) => call('first', {}),
    'call second': ({ call }) => call('second', {}),
    'set state': ({ state }) => (state.kept = 'kept'),
    'get state': ({ state }) => state.kept,
  });
  return Object.assign(memoryServer({ runtime, bindings: [named('getOrder')] }), { runtime });
}

describe('a handshake naming the session its connection is attached to', () => {
  it('re-declares the client bindings on the same connection, keeping the session and its state', async () => {
    await using fixture = server();
    const client = await fixture.connect({ bindings: [named('first')] });
    await client.eval('set state');
    expect(await client.eval('call first')).toBe('first');
    await client.experimental_redeclare([named('second')]);
    expect(await client.eval('call second')).toBe('second');
    await expect(client.eval('call first')).rejects.toMatchObject({ data: { name: 'ReferenceError' } });
    expect(await client.eval('get state')).toBe('kept');
    expect(fixture.server.listSessions().map((session) => session.clientBindings.map((meta) => meta.name))).toEqual([['second']]);
    expect(fixture.server.stats()).toMatchObject({ connections: 1, sessions: 1 });
  });

  it('refuses a re-declare that fails the name checks or changes serverBindings, keeping the old list and the connection', async () => {
    await using fixture = server();
    const client = await fixture.connect({ bindings: [named('first')], serverBindings: { only: ['getOrder'] } });
    await expect(client.experimental_redeclare([named('getOrder')])).rejects.toThrow('bindings getOrder and getOrder claim the same name');
    await expect(client.experimental_redeclare([named('a'), named('a.b')])).rejects.toBeInstanceOf(HandshakeFailedError);
    expect(await client.eval('call first')).toBe('first');
    const [near, far] = createMemoryTransportPair();
    fixture.server.accept(far);
    const raw = rawPeer(near);
    const opened = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [], serverBindings: { only: ['getOrder'] } });
    const sessionId = opened.result.sessionId as string;
    const changed = await raw.request(2, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [], sessionId, serverBindings: { only: [] } });
    expect(changed.error).toMatchObject({ code: ErrorCode.HandshakeFailed, message: "a resume cannot change the session's server bindings" });
    const other = await raw.request(3, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [], sessionId: client.sessionId });
    expect(other.error).toMatchObject({ code: ErrorCode.HandshakeFailed, message: 'handshake already done on this connection' });
    const same = await raw.request(4, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [], sessionId });
    expect(same.result).toMatchObject({ sessionId, resumed: true, bindings: [{ name: 'getOrder' }] });
    expect(raw.closed).toBe(false);
  });
});
