import { describe, expect, it } from 'vitest';
import { Client, LimitExceededError } from '@scomp/peer';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { handshake, neighbour, serverProcess, stdioWire, wsWire } from '../support/serverUnderTest.js';

const MIB = 1024 * 1024;

async function refusal(promise: Promise<unknown>): Promise<LimitExceededError> {
  const error = await promise.then(
    () => {
      throw new Error('expected LimitExceeded');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LimitExceededError);
  return error as LimitExceededError;
}

/** Calls the client binding `never` six times; the client never answers, so at most `max` wait. */
const SIX_UNANSWERED = `
  const calls = Array.from({ length: 6 }, () => never({}).then(() => 'answered', (e) => [e.code, e.data]));
  await Promise.all(calls.slice(4))
`;

describe('quotas: what one principal or connection may hold (scomp-server processes)', () => {
  it('refuses a principal its session past --max-sessions-per-principal, counting detached ones; the server and its sessions carry on', async () => {
    await using server = await serverProcess('--max-sessions-per-principal', '3');
    using calm = await neighbour(server.url);
    const hostile = await Client.connect(() => connectWebSocket(server.url, { keepAlive: false }));
    const detached = await Client.connect(() => connectWebSocket(server.url, { keepAlive: false }));
    detached.close();
    const error = await refusal(Client.connect(() => connectWebSocket(server.url, { keepAlive: false })));
    expect(error.detail).toEqual({ limit: 'sessions', max: 3, used: 3 });
    expect(await hostile.eval('"still served"')).toBe('still served');
    hostile.close();
    await calm.check();
  });

  it('refuses a session past --max-principal-memory-mb, counting --memory-mb per session', async () => {
    await using server = await serverProcess('--memory-mb', '8', '--max-principal-memory-mb', '20');
    using calm = await neighbour(server.url);
    const second = await Client.connect(() => connectWebSocket(server.url, { keepAlive: false }));
    const error = await refusal(Client.connect(() => connectWebSocket(server.url, { keepAlive: false })));
    expect(error.detail).toEqual({ limit: 'principalMemory', max: 20 * MIB, used: 16 * MIB, requested: 8 * MIB });
    second.close();
    await calm.check();
  });

  it('fails server→client invokes past --max-pending-invokes while the client never answers (WebSocket)', async () => {
    await using server = await serverProcess('--max-pending-invokes', '4');
    using calm = await neighbour(server.url);
    await using wire = await wsWire(server.url);
    expect((await wire.request(1, 'handshake', handshake([{ name: 'never', input: {} }]))).result).toBeDefined();
    const answer = await wire.request(2, 'eval', { code: SIX_UNANSWERED });
    expect(answer.result.value).toEqual([
      [-32021, { limit: 'pendingInvokes', max: 4 }],
      [-32021, { limit: 'pendingInvokes', max: 4 }],
    ]);
    expect(wire.received.filter((message) => message.method === 'invoke')).toHaveLength(4);
    expect((await wire.request(3, 'eval', { code: '1 + 1' })).result).toEqual({ value: 2 });
    await calm.check();
  });

  it('fails server→client invokes past --max-pending-invokes while the client never answers (stdio)', async () => {
    await using wire = await stdioWire('--max-pending-invokes', '4');
    expect((await wire.request(1, 'handshake', handshake([{ name: 'never', input: {} }]))).result).toBeDefined();
    const answer = await wire.request(2, 'eval', { code: SIX_UNANSWERED });
    expect(answer.result.value).toEqual([
      [-32021, { limit: 'pendingInvokes', max: 4 }],
      [-32021, { limit: 'pendingInvokes', max: 4 }],
    ]);
    expect((await wire.request(3, 'eval', { code: '1 + 1' })).result).toEqual({ value: 2 });
  });

  it('closes a socket that sends no handshake within --handshake-timeout-ms, and keeps serving the neighbour', async () => {
    await using server = await serverProcess('--handshake-timeout-ms', '1000');
    using calm = await neighbour(server.url);
    await using silent = await wsWire(server.url);
    const closed = await silent.whenClosed();
    expect(closed).toMatchObject({ code: 1008, reason: 'no handshake within 1000 ms' });
    expect(silent.received).toEqual([]);
    await calm.check();
  });
});
