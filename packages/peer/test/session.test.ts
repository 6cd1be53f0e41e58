import { afterEach, describe, expect, it, vi } from 'vitest';
import Type from 'typebox';
import {
  Client,
  ConnectionClosedError,
  DisconnectedError,
  SessionNotFoundError,
  defineBinding,
  type ClientState,
} from '../src/index.js';
import { memoryServer } from './support/fixture.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';
import { settle } from './support/settle.js';

const counter = () =>
  scriptRuntimeFactory({
    inc: ({ state }) => (state.n = ((state.n as number) ?? 0) + 1),
    callClient: ({ call }) => call('ping', {}),
    hang: () => new Promise(() => {}),
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('sessions', () => {
  it('resumes the same runtime state on a new connection', async () => {
    await using fixture = memoryServer({ runtime: counter() });
    const first = await fixture.connect();
    expect(await first.eval('inc')).toBe(1);
    first.close();
    await settle();
    const second = await fixture.connect({ sessionId: first.sessionId });
    expect(second.sessionId).toBe(first.sessionId);
    expect(await second.eval('inc')).toBe(2);
    expect(fixture.server.stats()).toMatchObject({ sessions: 1, attachedSessions: 1 });
  });

  it('answers an unknown session id with SessionNotFound and closes the connection', async () => {
    await using fixture = memoryServer({ runtime: counter() });
    const error = await fixture.connect({ sessionId: 'sess_doesnotexist' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionNotFoundError);
    await settle();
    expect(fixture.transports[0]![0].closed).toBe(true);
    expect(fixture.server.stats().sessions).toBe(0);
  });

  it('lets a second connection take over a live session and closes the first', async () => {
    await using fixture = memoryServer({ runtime: counter() });
    const first = await fixture.connect();
    await first.eval('inc');
    const second = await fixture.connect({ sessionId: first.sessionId });
    await settle();
    expect(fixture.transports[0]![0].closed).toBe(true);
    await expect(first.eval('inc')).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await second.eval('inc')).toBe(2);
  });

  it('expires a detached session after the idle time and disposes its runtime', async () => {
    vi.useFakeTimers();
    const runtime = counter();
    await using fixture = memoryServer({ runtime, sessionIdleTimeoutMs: 60_000 });
    const client = await fixture.connect();
    client.close();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(fixture.server.stats().sessions).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fixture.server.stats().sessions).toBe(0);
    expect(runtime.runtimes[0]!.disposed).toBe(true);
    await expect(fixture.connect({ sessionId: client.sessionId })).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('does not expire a session while a connection is attached', async () => {
    vi.useFakeTimers();
    await using fixture = memoryServer({ runtime: counter(), sessionIdleTimeoutMs: 1_000 });
    const client = await fixture.connect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await client.eval('inc')).toBe(1);
  });

  it('fails a runtime call to a client that is gone with DisconnectedError', async () => {
    const ping = defineBinding({ name: 'ping', input: Type.Object({}), handler: () => new Promise(() => {}) });
    await using fixture = memoryServer({ runtime: counter() });
    const client = await fixture.connect({ bindings: [ping] });
    const evaluation = client.eval('callClient', { key: 'drop-1' });
    await settle();
    const runtimeSide = fixture.server;
    fixture.transports[0]![1].close({ reason: 'network down' });
    await expect(evaluation).rejects.toBeInstanceOf(ConnectionClosedError);
    // The eval kept running after the drop; its outcome is kept under its key.
    const resumed = await fixture.connect({ sessionId: client.sessionId, bindings: [ping] });
    const outcome = await resumed.eval('callClient', { key: 'drop-1' }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(DisconnectedError);
    expect(runtimeSide.stats().sessions).toBe(1);
  });

  it('rejects every pending call at once when the transport closes', async () => {
    await using fixture = memoryServer({ runtime: counter() });
    const client = await fixture.connect();
    const calls = [client.eval('hang'), client.eval('hang'), client.eval('inc')];
    await settle();
    fixture.transports[0]![1].close({ reason: 'gone' });
    const results = await Promise.allSettled(calls);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionClosedError);
    }
    expect(client.stats().pendingOutbound).toBe(0);
  });
});

describe('reconnecting client', () => {
  it('reconnects with backoff, resumes the session and reports each state', async () => {
    vi.useFakeTimers();
    const never = defineBinding({ name: 'never', input: Type.Object({}), handler: () => new Promise(() => {}) });
    await using fixture = memoryServer({ runtime: counter(), bindings: [never] });
    const states: ClientState[] = [];
    const client = await Client.connect(() => fixture.dial(), {
      reconnect: { retryDelayMs: () => 100 },
      onStateChange: (state) => states.push(state),
    });
    expect(await client.eval('inc')).toBe(1);
    const pendingEval = client.eval('inc', { key: 'k-drop' });
    const pendingInvoke = client.invoke('never', {});
    fixture.transports[0]![1].close({ reason: 'dropped' });
    const dropped = await pendingEval.catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(DisconnectedError);
    expect((dropped as DisconnectedError).data).toEqual({ key: 'k-drop' });
    await expect(pendingInvoke).rejects.toBeInstanceOf(DisconnectedError);
    expect(states).toEqual(['reconnecting']);
    await expect(client.eval('inc')).rejects.toBeInstanceOf(DisconnectedError);
    await vi.advanceTimersByTimeAsync(100);
    expect(states).toEqual(['reconnecting', 'resumed', 'connected']);
    // The eval that was in flight at the drop ran once; its outcome is fetched by its key.
    expect(await client.eval('inc', { key: 'k-drop' })).toBe(2);
    expect(await client.eval('inc')).toBe(3);
    client.close();
  });

  it('gives up when the session is gone', async () => {
    vi.useFakeTimers();
    await using fixture = memoryServer({ runtime: counter(), sessionIdleTimeoutMs: 50 });
    const states: ClientState[] = [];
    const client = await Client.connect(
      () => fixture.dial(),
      { reconnect: { retryDelayMs: () => 1_000 }, onStateChange: (state) => states.push(state) },
    );
    fixture.transports[0]![1].close({ reason: 'dropped' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(states.at(-1)).toBe('gave-up');
    expect(client.state).toBe('gave-up');
  });
});
