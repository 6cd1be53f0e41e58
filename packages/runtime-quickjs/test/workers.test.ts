import { CancelledError, InternalError, LimitExceededError, type Runtime } from '@scomp/peer';
import { afterEach, describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory, type QuickJsRuntimeFactory } from '../src/index.js';
import { runScript } from './support.js';

// Each step costs ~4 ms of native work and the interpreter checks for interrupts only every
// ten thousand steps, so only the watchdog can stop this loop in time.
const NATIVE_LOOP = 'let n = 0; for (;;) n += "x".repeat(1e6).length';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: Error) => error,
  );
}

describe('runIn: worker', () => {
  let factory: QuickJsRuntimeFactory | undefined;
  const sessions: Runtime[] = [];
  async function open(options: Parameters<typeof createQuickJsRuntimeFactory>[0], count: number): Promise<Runtime[]> {
    factory = createQuickJsRuntimeFactory(options);
    for (let i = 0; i < count; i++) sessions.push(await factory.create({ sessionId: `s${i}`, bindings: [] }));
    return sessions;
  }
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map(async (runtime) => runtime.dispose()));
    await factory?.close();
  });

  it('gives each new session a thread of its own up to workerThreads, with an empty spare started ahead', async () => {
    const [a, b] = await open({ workerThreads: 3 }, 2);
    expect(factory!.placement()).toEqual([1, 1, 0]);
    expect(await Promise.all([a!.eval('1'), b!.eval('2')])).toEqual([1, 2]);
    sessions.push(await factory!.create({ sessionId: 'c', bindings: [] }));
    // All three threads are in use: no spare past workerThreads.
    expect(factory!.placement()).toEqual([1, 1, 1]);
  });

  it('places a session past workerThreads on the thread with the fewest sessions, and an emptied thread takes the next one', async () => {
    const [a, b, c] = await open({ workerThreads: 2 }, 3);
    expect(factory!.placement()).toEqual([2, 1]);
    sessions.push(await factory!.create({ sessionId: 'd', bindings: [] }));
    expect(factory!.placement()).toEqual([2, 2]);
    await Promise.all([b, sessions.at(-1)].map(async (runtime) => runtime!.dispose()));
    expect(factory!.placement()).toEqual([2, 0]);
    sessions.push(await factory!.create({ sessionId: 'e', bindings: [] }));
    expect(factory!.placement()).toEqual([2, 1]);
    expect(await Promise.all([a!.eval('1'), c!.eval('3'), sessions.at(-1)!.eval('"placed"')])).toEqual([1, 3, 'placed']);
  });

  it('places a session on a thread running no guest code when threads hold as many sessions', async () => {
    const [busy] = await open({ workerThreads: 2, limits: { evalTimeoutMs: 600_000 } }, 2);
    const controller = new AbortController();
    let looping!: () => void;
    const started = new Promise<void>((resolve) => (looping = resolve));
    busy!.setClientBindings([{ meta: { name: 'console', input: {} }, call: async () => {}, notify: () => looping() }]);
    const loop = busy!.eval('console.log("looping"); while (true) {}', { signal: controller.signal });
    await started;
    const late = await factory!.create({ sessionId: 'late', bindings: [] });
    sessions.push(late);
    expect(factory!.placement()).toEqual([1, 2]);
    expect(await late.eval('"answered beside the loop"')).toBe('answered beside the loop');
    controller.abort();
    await expect(loop).rejects.toBeInstanceOf(CancelledError);
  });

  it('keeps its threads through a create/dispose loop instead of starting one per session', async () => {
    factory = createQuickJsRuntimeFactory({ workerThreads: 2 });
    for (let i = 0; i < 6; i++) {
      const runtime = await factory.create({ sessionId: `cycle${i}`, bindings: [] });
      expect(await runtime.eval(String(i))).toBe(i);
      await runtime.dispose();
    }
    expect(factory.stats()).toMatchObject({ workers: 2, workersStarted: 2, sessions: 0 });
  });

  it('starts threads past workerThreads only when every thread is full, and stops threads that empty while another is empty', async () => {
    const [a, b, c] = await open({ workerThreads: 1, sessionsPerWorker: 2 }, 3);
    // The first thread filled up, so a spare started and the third session took it.
    expect(factory!.placement()).toEqual([2, 1]);
    expect(await Promise.all([a!.eval('1'), b!.eval('2'), c!.eval('3')])).toEqual([1, 2, 3]);
    await Promise.all([a, b].map(async (runtime) => runtime!.dispose()));
    expect(factory!.stats()).toMatchObject({ workers: 1, sessions: 1 });
  });

  it('stops a thread whose code overruns its time limit without reaching an interrupt check, resetting only its sessions', async () => {
    // A second of CPU and of grace: a loaded machine that stalls a thread during the short evals
    // must not look like the culprit's loop to the watchdog.
    const [culprit, neighbour, elsewhere] = await open({ workerThreads: 1, sessionsPerWorker: 2, watchdogGraceMs: 1_000, limits: { evalTimeoutMs: 1_000 } }, 3);
    await Promise.all([culprit!.eval('const kept = 1'), neighbour!.eval('const kept = 2'), elsewhere!.eval('const kept = 3')]);
    const error = await rejection(culprit!.eval(NATIVE_LOOP));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).detail).toMatchObject({ limit: 'time', max: 1_000, sessionReset: true });
    expect(await culprit!.eval('typeof kept')).toBe('undefined');
    // The neighbour was idle: its next eval reports the reset once, then runs on a fresh state.
    const notice = await rejection(neighbour!.eval('kept'));
    expect(notice).toBeInstanceOf(InternalError);
    expect((notice as InternalError).data).toMatchObject({ sessionReset: true });
    expect(await neighbour!.eval('typeof kept')).toBe('undefined');
    expect(await elsewhere!.eval('kept')).toBe(3);
  });

  it('stops a thread whose code ignores a cancel for longer than the grace period', async () => {
    const [runtime] = await open({ watchdogGraceMs: 100 }, 1);
    const controller = new AbortController();
    // The console line is sent from inside the eval, so when it arrives the loop holds the thread.
    runtime!.setClientBindings([{ meta: { name: 'console', input: {} }, call: async () => {}, notify: () => controller.abort() }]);
    const pending = runtime!.eval(`console.log('looping'); ${NATIVE_LOOP}`, { signal: controller.signal });
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).data).toEqual({ sessionReset: true });
    // A cancel is usually answered before the runtime stops, so the next eval says it once more.
    const notice = await rejection(runtime!.eval('6 * 7'));
    expect((notice as InternalError).data).toEqual({ sessionReset: true });
    expect(await runtime!.eval('6 * 7')).toBe(42);
  });

  it('keeps other threads evaluating while one thread is busy', async () => {
    const [busy, calm] = await open({ sessionsPerWorker: 1, limits: { evalTimeoutMs: 600_000 } }, 2);
    const controller = new AbortController();
    const loop = busy!.eval('while (true) {}', { signal: controller.signal });
    expect(await calm!.eval('"answered while the other thread loops"')).toBe('answered while the other thread loops');
    controller.abort();
    await expect(loop).rejects.toBeInstanceOf(CancelledError);
  });

  it("ends a busy eval at its own timeoutMs, not only at the session's limit", async () => {
    const [runtime] = await open({ limits: { evalTimeoutMs: 600_000 } }, 1);
    const error = await rejection(runtime!.eval('while (true) {}', { timeoutMs: 50 }));
    expect((error as LimitExceededError).detail).toMatchObject({ limit: 'time', max: 50 });
    expect(await runtime!.eval('"still here"')).toBe('still here');
  });

  it('stops deep native recursion at the interpreter stack limit, keeping the session state', async () => {
    // Unwinding a deep JSON.stringify takes a while on a loaded machine; time is not what this tests.
    const [runtime] = await open({ limits: { evalTimeoutMs: 600_000 } }, 1);
    await runtime!.eval('const kept = "state"');
    for (const code of [
      'let o = {}; for (let i = 0; i < 100000; i++) o = { o }; JSON.stringify(o).length',
      'JSON.parse("[".repeat(100000) + "]".repeat(100000)).length',
      'eval("(".repeat(100000) + "1" + ")".repeat(100000))',
      'function down(n) { return down(n + 1) + 1 } down(0)',
    ]) {
      const error = await rejection(runtime!.eval(code));
      expect(error, code).toBeInstanceOf(LimitExceededError);
      expect((error as LimitExceededError).detail, code).toEqual({ limit: 'stack' });
    }
    expect(await runtime!.eval('kept')).toBe('state');
    expect(factory!.stats()).toMatchObject({ brokenModules: 0 });
    expect(factory!.placement()).toEqual([1, 0]);
  });

  it('fails pending work when the factory closes', async () => {
    const [runtime] = await open({}, 1);
    const outcome = expect(runtime!.eval('while (true) {}')).rejects.toBeInstanceOf(CancelledError);
    await factory!.close();
    await outcome;
    await expect(factory!.create({ sessionId: 'late', bindings: [] })).rejects.toBeInstanceOf(CancelledError);
  });

  it('lets the process exit once no work is pending, with a spare thread started and the factory left open', async () => {
    // Three sessions on up to four threads start a spare; nothing closes the factory.
    const script = `
      import { createQuickJsRuntimeFactory } from PACKAGE;
      const factory = createQuickJsRuntimeFactory({ workerThreads: 4 });
      const sessions = [];
      for (let i = 0; i < 3; i++) sessions.push(await factory.create({ sessionId: 's' + i, bindings: [] }));
      const values = await Promise.all(sessions.map((session, i) => session.eval(String(i))));
      const { workers } = factory.stats();
      await Promise.all(sessions.slice(1).map((session) => session.dispose()));
      console.log(JSON.stringify({ values, workers }));
    `;
    const outcome = await runScript(script);
    expect(outcome).toMatchObject({ code: 0, killed: false });
    expect(JSON.parse(outcome.stdout)).toEqual({ values: [0, 1, 2], workers: 4 });
  });

  it('refuses options that cannot reach a worker', () => {
    expect(() => createQuickJsRuntimeFactory({ clock: () => 0 })).toThrow(TypeError);
    expect(() => createQuickJsRuntimeFactory({ workerThreads: 0 })).toThrow(/workerThreads/);
  });
});
