import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { ConnectionClosedError, LimitExceededError, defineBinding, type HostFunction } from '@scomp/peer';
import { PROTOCOL_VERSION } from '@scomp/protocol';
import { rawWire } from './support/rawWire.js';
import { gate, wsStack } from './support/wsStack.js';

async function limitOf(promise: Promise<unknown>) {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected LimitExceeded, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LimitExceededError);
  return (error as LimitExceededError).detail;
}

describe('resource limits per connection', () => {
  it('closes a connection whose message exceeds maxMessageBytes (1009); the session survives for a resume', async () => {
    await using s = await wsStack({}, { maxMessageBytes: 64 * 1024 });
    const client = await s.connect();
    await client.eval('kept = "yes"');
    const error = await client.eval(`"${'x'.repeat(70 * 1024)}".length`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(await s.serverSide[0]!.closed).toMatchObject({ code: 1009 });
    const resumed = await s.connect({ sessionId: client.sessionId });
    expect(await resumed.eval('kept')).toBe('yes');
  });

  it('answers a response larger than the server may send with LimitExceeded messageBytes', async () => {
    await using s = await wsStack({ maxMessageBytes: 32 * 1024 });
    const client = await s.connect({ maxMessageBytes: 32 * 1024 });
    expect(await limitOf(client.eval('"y".repeat(40 * 1024)'))).toMatchObject({ limit: 'messageBytes', max: 32 * 1024 });
    expect(await limitOf(client.eval(`"${'z'.repeat(40 * 1024)}"`))).toMatchObject({ limit: 'messageBytes', max: 32 * 1024 });
    expect(await client.eval('"still fine"')).toBe('still fine');
  });

  it('answers requests beyond maxInboundRequests with LimitExceeded pendingRequests', async () => {
    const hold = gate();
    const wait = defineBinding({ name: 'wait', input: Type.Object({}), handler: () => hold.promise.then(() => 'ok') });
    await using s = await wsStack({ bindings: [wait], maxInboundRequests: 4 });
    const client = await s.connect();
    const calls = Array.from({ length: 6 }, () => client.invoke('wait', {}).catch((e: unknown) => e));
    const settled = await Promise.race([Promise.all(calls.slice(4)), Promise.all(calls.slice(0, 4))]);
    for (const error of settled) {
      expect(error).toBeInstanceOf(LimitExceededError);
      expect((error as LimitExceededError).detail).toEqual({ limit: 'pendingRequests', max: 4 });
    }
    hold.open();
    expect(await Promise.all(calls.slice(0, 4))).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(await client.invoke('wait', {})).toBe('ok');
  });

  it('refuses function references beyond maxRefs with LimitExceeded refs, and frees them on release', async () => {
    await using s = await wsStack({ maxRefs: 5 });
    const client = await s.connect();
    expect(await limitOf(client.eval('Array.from({ length: 6 }, (_, i) => () => i)'))).toMatchObject({ limit: 'refs', max: 5 });
    // A refused result leaves no reference behind.
    expect(s.server.stats().refs.exported).toBe(0);
    const fns = (await client.eval('Array.from({ length: 5 }, (_, i) => () => i)')) as HostFunction[];
    expect(await fns[4]!()).toBe(4);
    await expect(limitOf(client.eval('() => 5'))).resolves.toMatchObject({ limit: 'refs' });
    for (const fn of fns) fn[Symbol.dispose]!();
    await client.eval('0');
    expect(s.server.stats().refs.exported).toBe(0);
    const again = (await client.eval('() => "again"')) as HostFunction;
    expect(await again()).toBe('again');
  });

  it('refuses function references a peer sends beyond what it may hold', async () => {
    const take = defineBinding({ name: 'take', input: Type.Unknown(), handler: () => 'taken' });
    await using s = await wsStack({ bindings: [take], maxRefs: 5 });
    const raw = rawWire(await s.dial());
    await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
    const sentinels = Array.from({ length: 50_000 }, (_, i) => ({ $scomp: { kind: 'fn', id: `fn_${i}` } }));
    const reply = await raw.request(2, 'invoke', { name: 'take', args: sentinels });
    expect(reply.error).toMatchObject({ code: -32021, data: { limit: 'refs', max: 5 } });
    expect(s.server.stats().refs.imported).toBe(0);
    expect((await raw.request(3, 'invoke', { name: 'take', args: sentinels.slice(0, 5) })).result).toEqual({ value: 'taken' });
    raw.close();
  });

  it('refuses evals beyond maxQueuedEvals with LimitExceeded evalQueue', async () => {
    const hold = gate();
    const wait = defineBinding({ name: 'wait', input: Type.Object({}), handler: () => hold.promise.then(() => 'ok') });
    await using s = await wsStack({ bindings: [wait], maxQueuedEvals: 2 });
    const client = await s.connect();
    const evals = Array.from({ length: 4 }, () => client.eval('await wait({})').catch((e: unknown) => e));
    expect(await limitOf(evals[3]!.then((v) => (v instanceof Error ? Promise.reject(v) : v)))).toEqual({ limit: 'evalQueue', max: 2 });
    hold.open();
    expect(await Promise.all(evals.slice(0, 3))).toEqual(['ok', 'ok', 'ok']);
  });
});
