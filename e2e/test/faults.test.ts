import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Client, DisconnectedError, defineBinding, type ClientState } from '@scomp/peer';
import { PROTOCOL_VERSION } from '@scomp/protocol';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { rawWire } from './support/rawWire.js';
import { gate, wsStack } from './support/wsStack.js';

/** A binding that parks until the test opens its gate, and tells the test when it started. */
function parkedBinding(name: string) {
  const started = gate();
  const release = gate<string>();
  let calls = 0;
  const binding = defineBinding({
    name,
    input: Type.Object({}),
    handler: async () => {
      calls++;
      started.open();
      return release.promise;
    },
  });
  return { binding, started, release, calls: () => calls };
}

function reconnecting(onState: (state: ClientState) => void = () => {}) {
  const resumed: (() => void)[] = [];
  return {
    options: {
      reconnect: { retryDelayMs: (attempt: number) => Math.min(5000, 2 ** (attempt - 1)) },
      onStateChange: (state: ClientState) => {
        onState(state);
        if (state === 'resumed') resumed.splice(0).forEach((done) => done());
      },
    },
    nextResume: () => new Promise<void>((resolve) => resumed.push(resolve)),
  };
}

describe('faults, with nothing lost (WebSocket, QuickJS)', () => {
  it('finishes an eval whose connection dropped and returns its outcome by key after resume', async () => {
    const work = parkedBinding('work');
    await using s = await wsStack({ bindings: [work.binding] });
    const reconnect = reconnecting();
    const client = await s.connect(reconnect.options);
    const code = 'const r = await work({}); runs = (globalThis.runs ?? 0) + 1; `${r}:${runs}`';
    const evaluation = client.eval(code, { key: 'job-1' }).catch((e: unknown) => e);
    await work.started.promise;
    const resumed = reconnect.nextResume();
    s.clientSide[0]!.transport.close({ code: 4000, reason: 'test: network dropped' });
    const dropped = await evaluation;
    expect(dropped).toBeInstanceOf(DisconnectedError);
    expect((dropped as DisconnectedError).data).toEqual({ key: 'job-1' });
    await resumed;
    work.release.open('done');
    expect(await client.eval(code, { key: 'job-1' })).toBe('done:1');
    expect(await client.eval('runs')).toBe(1);
    expect(work.calls()).toBe(1);
    expect(s.server.stats()).toMatchObject({ sessions: 1, attachedSessions: 1, connections: 1 });
  });

  it('fails a server→client call pending at the drop with Disconnected, never hanging the eval', async () => {
    const ask = parkedBinding('ask');
    await using s = await wsStack();
    const reconnect = reconnecting();
    const client = await s.connect({ ...reconnect.options, bindings: [ask.binding] });
    const code = 'try { await ask({}); "answered" } catch (e) { [e.code, e.name] }';
    const evaluation = client.eval(code, { key: 'ask-1' }).catch((e: unknown) => e);
    await ask.started.promise;
    const resumed = reconnect.nextResume();
    s.serverSide[0]!.transport.close({ code: 4000, reason: 'test: network dropped' });
    expect(await evaluation).toBeInstanceOf(DisconnectedError);
    await resumed;
    expect(await client.eval(code, { key: 'ask-1' })).toEqual([-32024, 'DisconnectedError']);
    // The handler on the client was told to stop when its connection went away.
    expect(client.stats()).toMatchObject({ activeInbound: 0, pendingOutbound: 0 });
  });

  it('runs an eval once when the same keyed request arrives again after a reconnect, and twice at once', async () => {
    const work = parkedBinding('work');
    await using s = await wsStack({ bindings: [work.binding] });
    const first = rawWire(await connectWebSocket(s.listener.url));
    const hello = await first.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
    const params = { code: 'await work({}); n = (globalThis.n ?? 0) + 1', key: 'once' };
    first.send({ jsonrpc: '2.0', id: 2, method: 'eval', params });
    await work.started.promise;
    first.close();
    await first.whenClosed();
    const second = rawWire(await connectWebSocket(s.listener.url));
    const resumed = await second.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [], sessionId: hello.result.sessionId });
    expect(resumed.result.resumed).toBe(true);
    const answers = Promise.all([second.request(2, 'eval', params), second.request(3, 'eval', params)]);
    work.release.open('ok');
    expect((await answers).map((answer) => answer.result)).toEqual([{ value: 1 }, { value: 1 }]);
    expect((await second.request(4, 'eval', { code: 'n' })).result).toEqual({ value: 1 });
    expect(work.calls()).toBe(1);
    second.close();
  });

  it('drops every function reference of a closed connection on both sides', async () => {
    await using s = await wsStack();
    const reconnect = reconnecting();
    const client = await s.connect(reconnect.options);
    const fns = (await client.eval('[1, 2, 3].map((n) => (x) => x + n)')) as ((x: number) => Promise<number>)[];
    expect(await fns[2]!(1)).toBe(4);
    expect(s.server.stats().refs.exported).toBe(3);
    const resumed = reconnect.nextResume();
    s.clientSide[0]!.transport.close({ code: 4000, reason: 'test: network dropped' });
    await resumed;
    expect(s.server.stats().refs).toEqual({ exported: 0, imported: 0 });
    expect(client.stats()).toMatchObject({ exported: 0, imported: 0 });
    // A function of the old connection fails at once instead of reaching the new one.
    await expect(fns[0]!(1)).rejects.toThrow();
  });

  it('forgets the oldest outcome beyond maxStoredOutcomes, so that key runs again', async () => {
    await using s = await wsStack({ maxStoredOutcomes: 2 });
    const client = await s.connect();
    const code = 'k = (globalThis.k ?? 0) + 1';
    expect(await client.eval(code, { key: 'a' })).toBe(1);
    expect(await client.eval(code, { key: 'a' })).toBe(1);
    expect(await client.eval(code, { key: 'b' })).toBe(2);
    expect(await client.eval(code, { key: 'c' })).toBe(3);
    expect(await client.eval(code, { key: 'a' })).toBe(4);
  });

  it('a client whose session was taken over by another connection does not take it back', async () => {
    await using s = await wsStack();
    const states: ClientState[] = [];
    const first = await s.connect({ reconnect: { retryDelayMs: (attempt) => Math.min(5000, 2 ** (attempt - 1)) }, onStateChange: (state) => states.push(state) });
    await first.eval('mine = 1');
    const second = await Client.connect(() => s.dial(), { sessionId: first.sessionId });
    expect(await s.clientSide[0]!.closed).toMatchObject({ code: 4001 });
    expect(states).toEqual(['closed']);
    expect(await second.eval('mine')).toBe(1);
    second.close();
  });
});
