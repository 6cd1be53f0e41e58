import { describe, expect, it } from 'vitest';
import { ErrorCode, PROTOCOL_VERSION } from '@scomp/protocol';
import { Server, SessionNotFoundError, UnauthorizedError } from '../src/index.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';

function rawConnection(server: Server) {
  const [client, serverSide] = createMemoryTransportPair();
  server.accept(serverSide);
  return rawPeer(client);
}

describe('handshake', () => {
  it('issues an unguessable session id and lists the server bindings', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
    const client = await fixture.connect();
    expect(client.sessionId).toMatch(/^sess_[A-Za-z0-9_-]{22,}$/);
    const other = await fixture.connect();
    expect(other.sessionId).not.toBe(client.sessionId);
    expect(client.serverBindings).toEqual([]);
  });

  it('answers a request sent before the handshake with HandshakeRequired and stays usable', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({ one: () => 1 }) });
    const raw = rawConnection(fixture.server);
    const early = await raw.request(1, 'eval', { code: 'one' });
    expect(early).toEqual({ jsonrpc: '2.0', id: 1, error: { code: ErrorCode.HandshakeRequired, message: 'handshake required' } });
    const invoke = await raw.request(2, 'invoke', { name: 'x' });
    expect(invoke.error.code).toBe(ErrorCode.HandshakeRequired);
    const handshake = await raw.request(3, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
    expect(handshake.result.resumed).toBe(false);
    expect(await raw.request(4, 'eval', { code: 'one' })).toEqual({ jsonrpc: '2.0', id: 4, result: { value: 1 } });
  });

  it('refuses an unsupported version, says which are supported, and closes the connection', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
    const raw = rawConnection(fixture.server);
    const reply = await raw.request(1, 'handshake', { protocol: '9.0', bindings: [] });
    expect(reply.error.code).toBe(ErrorCode.UnsupportedVersion);
    expect(reply.error.data).toEqual({ supported: [PROTOCOL_VERSION] });
    await raw.whenClosed();
    expect(fixture.server.stats().sessions).toBe(0);
  });

  it('answers invalid handshake params with the failing path', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
    const raw = rawConnection(fixture.server);
    const reply = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [{ name: '1bad', input: {} }] });
    expect(reply.error.code).toBe(ErrorCode.InvalidParams);
    expect(reply.error.data.issues[0].path).toContain('/bindings/0/name');
  });

  it('rejects a second handshake on the same connection without closing it', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({ one: () => 1 }) });
    const raw = rawConnection(fixture.server);
    await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
    const again = await raw.request(2, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
    expect(again.error.code).toBe(ErrorCode.HandshakeFailed);
    expect((await raw.request(3, 'eval', { code: 'one' })).result).toEqual({ value: 1 });
  });

  it('rejects client bindings that collide with server bindings', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}) });
    const raw = rawConnection(fixture.server);
    const reply = await raw.request(1, 'handshake', {
      protocol: PROTOCOL_VERSION,
      bindings: [
        { name: 'notify', input: {} },
        { name: 'notify', input: {} },
      ],
    });
    expect(reply.error.code).toBe(ErrorCode.HandshakeFailed);
  });
});

describe('authentication', () => {
  const authenticate = (metadata: Record<string, unknown>) => {
    if (metadata.token === 'alice-token') return { id: 'alice' };
    if (metadata.token === 'bob-token') return { id: 'bob' };
    throw new Error('bad token');
  };

  it('rejects a client without valid credentials and creates no session', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), authenticate });
    const error = await fixture.connect({ metadata: { token: 'nope' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toBe('authentication failed');
    expect(fixture.server.stats().sessions).toBe(0);
  });

  it('lets only the principal that created a session resume it', async () => {
    await using fixture = memoryServer({ runtime: scriptRuntimeFactory({}), authenticate });
    const alice = await fixture.connect({ metadata: { token: 'alice-token' } });
    const stolen = await fixture
      .connect({ metadata: { token: 'bob-token' }, sessionId: alice.sessionId })
      .catch((e: unknown) => e);
    expect(stolen).toBeInstanceOf(SessionNotFoundError);
    expect((stolen as Error).message).not.toContain('alice');
  });
});
