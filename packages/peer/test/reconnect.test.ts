import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Client,
  SessionNotFoundError,
  UnauthorizedError,
  UnsupportedVersionError,
  defaultRetry,
  defaultRetryDelayMs,
  type ClientOptions,
  type ClientState,
  type ReconnectOptions,
} from '../src/index.js';
import { memoryServer } from './support/fixture.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';

const counter = () => scriptRuntimeFactory({ inc: ({ state }) => (state.n = ((state.n as number) ?? 0) + 1) });

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('default reconnect policy', () => {
  it('waits 100 ms doubling up to 5000 ms, spread by 20 % either way', () => {
    const random = vi.spyOn(Math, 'random');
    random.mockReturnValue(0.5);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(defaultRetryDelayMs)).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    random.mockReturnValue(0);
    expect(defaultRetryDelayMs(1)).toBe(80);
    random.mockReturnValue(0.999_999);
    expect(defaultRetryDelayMs(1)).toBe(120);
    expect(defaultRetryDelayMs(20)).toBe(6000);
  });

  it('tries 10 times, and not again after an answer that will not change', () => {
    const dropped = new Error('connection refused');
    expect(defaultRetry(1, dropped)).toBe(true);
    expect(defaultRetry(9, dropped)).toBe(true);
    expect(defaultRetry(10, dropped)).toBe(false);
    for (const final of [new SessionNotFoundError('gone'), new UnauthorizedError('no'), new UnsupportedVersionError('old')]) {
      expect(defaultRetry(1, final)).toBe(false);
    }
  });
});

/** A server whose dial fails with `failures[n]` on reconnect attempt n+1 (after the first connection). */
async function flakyServer(failures: Error[], options: ClientOptions) {
  const fixture = memoryServer({ runtime: counter() });
  const states: { state: ClientState; attempt?: number; error?: unknown }[] = [];
  let dials = 0;
  const client = await Client.connect(
    () => {
      const failure = dials === 0 ? undefined : failures[dials - 1];
      dials++;
      if (failure !== undefined) throw failure;
      return fixture.dial();
    },
    { ...options, onStateChange: (state, detail) => states.push({ state, ...detail }) },
  );
  const drop = () => fixture.transports.at(-1)![1].close({ reason: 'dropped' });
  return {
    client,
    states,
    drop,
    dials: () => dials,
    async [Symbol.asyncDispose]() {
      client.close();
      await fixture[Symbol.asyncDispose]();
    },
  };
}

describe('reconnect policy', () => {
  it('asks retryDelayMs before each attempt and retry after each failure, then resumes', async () => {
    vi.useFakeTimers();
    const refused = [new Error('refused 1'), new Error('refused 2')];
    const retryDelayMs = vi.fn((attempt: number) => attempt * 1000);
    const retry = vi.fn((_attempt: number, _error: unknown) => true);
    await using s = await flakyServer(refused, { reconnect: { retryDelayMs, retry } });
    expect(await s.client.eval('inc')).toBe(1);
    s.drop();
    await vi.advanceTimersByTimeAsync(999);
    expect(s.dials()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.dials()).toBe(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(s.dials()).toBe(3);
    await vi.advanceTimersByTimeAsync(3000);
    expect(s.dials()).toBe(4);
    expect(retryDelayMs.mock.calls).toEqual([[1], [2], [3]]);
    expect(retry.mock.calls).toEqual([
      [1, refused[0]],
      [2, refused[1]],
    ]);
    expect(s.states.map(({ state }) => state)).toEqual(['reconnecting', 'reconnecting', 'reconnecting', 'resumed', 'connected']);
    expect(s.states[1]).toEqual({ state: 'reconnecting', attempt: 1, error: refused[0] });
    expect(await s.client.eval('inc')).toBe(2);
  });

  it('gives up when retry says no, reporting the last attempt and its error', async () => {
    vi.useFakeTimers();
    const refused = [new Error('refused 1'), new Error('refused 2'), new Error('refused 3')];
    await using s = await flakyServer(refused, { reconnect: { retryDelayMs: () => 10, retry: (attempt) => attempt < 2 } });
    s.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.dials()).toBe(3);
    expect(s.states.at(-1)).toEqual({ state: 'gave-up', attempt: 2, error: refused[1] });
    expect(s.client.state).toBe('gave-up');
  });

  it('retries an error the default policy gives up on when retry says so', async () => {
    vi.useFakeTimers();
    const unauthorized = new UnauthorizedError('token expired');
    await using s = await flakyServer([unauthorized], { reconnect: { retryDelayMs: () => 10, retry: () => true } });
    s.drop();
    await vi.advanceTimersByTimeAsync(20);
    expect(s.states.map(({ state }) => state)).toEqual(['reconnecting', 'reconnecting', 'resumed', 'connected']);
  });

  it('gives up at the first unretryable error with the default retry', async () => {
    vi.useFakeTimers();
    const gone = new SessionNotFoundError('expired');
    await using s = await flakyServer([gone, new Error('never reached')], { reconnect: { retryDelayMs: () => 10 } });
    s.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.dials()).toBe(2);
    expect(s.states.at(-1)).toEqual({ state: 'gave-up', attempt: 1, error: gone });
  });

  it('uses the default policy for reconnect: true', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    await using s = await flakyServer([new Error('refused')], { reconnect: true });
    s.drop();
    await vi.advanceTimersByTimeAsync(99);
    expect(s.dials()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.dials()).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(s.dials()).toBe(3);
    expect(s.client.state).toBe('connected');
  });

  it('stops waiting when the client is closed between attempts', async () => {
    vi.useFakeTimers();
    await using s = await flakyServer([], { reconnect: { retryDelayMs: () => 60_000 } });
    s.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.client.state).toBe('reconnecting');
    // Only the client's own timer goes: the server's timers for the dropped session stay.
    const timers = vi.getTimerCount();
    s.client.close();
    expect(vi.getTimerCount()).toBe(timers - 1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(s.dials()).toBe(1);
    expect(s.states.map(({ state }) => state)).toEqual(['reconnecting', 'closed']);
  });

  it('gives up with a TypeError when retryDelayMs returns something other than a delay', async () => {
    vi.useFakeTimers();
    await using s = await flakyServer([], { reconnect: { retryDelayMs: () => Number.NaN } });
    s.drop();
    await vi.advanceTimersByTimeAsync(0);
    const last = s.states.at(-1)!;
    expect(last.state).toBe('gave-up');
    expect(last.error).toBeInstanceOf(TypeError);
    expect((last.error as Error).message).toBe('reconnect.retryDelayMs(1) returned NaN; expected a finite number of milliseconds, 0 or more');
    expect(s.dials()).toBe(1);
  });

  it.each([
    [{ maxAttempts: 3 }, 'reconnect.maxAttempts was replaced by reconnect.retry(attempt, error) and reconnect.retryDelayMs(attempt)'],
    [{ initialDelayMs: 10 }, 'reconnect.initialDelayMs was replaced by reconnect.retry(attempt, error) and reconnect.retryDelayMs(attempt)'],
    [{ retry: 3 }, 'reconnect.retry must be a function'],
    [{ retryDelayMs: 100 }, 'reconnect.retryDelayMs must be a function'],
  ])('refuses %o with a TypeError that says what to write instead', async (reconnect, message) => {
    await using fixture = memoryServer({ runtime: counter() });
    const connecting = Client.connect(() => fixture.dial(), { reconnect: reconnect as unknown as ReconnectOptions });
    await expect(connecting).rejects.toThrow(new TypeError(message));
    expect(fixture.transports).toHaveLength(0);
  });
});
