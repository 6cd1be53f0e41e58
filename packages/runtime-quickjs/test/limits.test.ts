import { CancelledError, LimitExceededError, type HostFunction } from '@scomp/peer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';
import { binding, runScript, withSession } from './support.js';

async function limitOf(promise: Promise<unknown>): Promise<LimitExceededError['detail']> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a limit, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LimitExceededError);
  return (error as LimitExceededError).detail;
}

describe('limits', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not count time spent waiting on bindings against the CPU budget', () => {
    let now = 0;
    // Each binding call "takes" ten seconds of wall time on the injected clock.
    const slow = binding('slow', () => {
      now += 10_000;
      return 1;
    });
    return withSession({ bindings: [slow], limits: { evalTimeoutMs: 1_000 }, factory: { runIn: 'main', clock: () => now } }, async (runtime) => {
      expect(await runtime.eval('(await slow({})) + (await slow({})) + (await slow({}))')).toBe(3);
    });
  });

  it('counts guest CPU time on the injected clock', () => {
    let now = 0;
    return withSession({ limits: { evalTimeoutMs: 1_000 }, factory: { runIn: 'main', clock: () => (now += 10) } }, async (runtime) => {
      expect(await limitOf(runtime.eval('while (true) {}'))).toMatchObject({ limit: 'time', max: 1_000 });
      expect(await runtime.eval('"still here"')).toBe('still here');
    });
  });

  it('cannot be caught by guest code', () =>
    withSession({ limits: { evalTimeoutMs: 30 } }, async (runtime) => {
      expect(await limitOf(runtime.eval('for (;;) { try { while (true) {} } catch {} }'))).toMatchObject({ limit: 'time' });
    }));

  it('ends an eval parked on a binding that never settles when timeoutMs passes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const never = binding('never', () => new Promise(() => {}));
    await withSession({ bindings: [never], factory: { runIn: 'main' } }, async (runtime) => {
      const pending = limitOf(runtime.eval('await never({})', { timeoutMs: 5_000 }));
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await pending).toMatchObject({ limit: 'time', max: 5_000 });
    });
  });

  it('aborts the signal bindings see when the eval is cancelled', () => {
    let seen: AbortSignal | undefined;
    const watch = binding('watch', (_, context) => {
      seen = context.signal;
      return new Promise(() => {});
    });
    return withSession({ bindings: [watch] }, async (runtime) => {
      const controller = new AbortController();
      const pending = runtime.eval('await watch({})', { signal: controller.signal });
      await vi.waitFor(() => expect(seen).toBeDefined());
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(CancelledError);
      expect(seen?.aborted).toBe(true);
    });
  });

  // On a worker, the calls of one eval share one signal on the calling thread: cancelling an eval
  // must reach all of its calls and none of another eval's.
  it.each(['worker', 'main'] as const)('aborts the signals of the cancelled eval’s calls only (%s)', (runIn) => {
    const seen: { tag: string; signal: AbortSignal }[] = [];
    const watch = binding('watch', ({ tag }: { tag: string }, context) => {
      seen.push({ tag, signal: context.signal });
      return new Promise(() => {});
    });
    return withSession({ bindings: [watch], factory: { runIn } }, async (runtime) => {
      // Calls the first eval leaves running after it succeeded.
      await runtime.eval("globalThis.left = [watch({ tag: 'left' }), watch({ tag: 'left' })]; 0");
      const controller = new AbortController();
      const pending = runtime.eval("await Promise.all([watch({ tag: 'cancelled' }), watch({ tag: 'cancelled' })])", { signal: controller.signal });
      await vi.waitFor(() => expect(seen).toHaveLength(4));
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(CancelledError);
      await vi.waitFor(() => expect(seen.filter((call) => call.tag === 'cancelled').every((call) => call.signal.aborted)).toBe(true));
      // A later call of the cancelled kind gets a fresh signal.
      void runtime.eval("globalThis.later = watch({ tag: 'later' }); 0");
      await vi.waitFor(() => expect(seen).toHaveLength(5));
      expect(seen.filter((call) => call.tag !== 'cancelled').map((call) => [call.tag, call.signal.aborted])).toEqual([
        ['left', false],
        ['left', false],
        ['later', false],
      ]);
    });
  });

  it('ends an allocation bomb with LimitExceeded memory and says whether the session was reset', () =>
    withSession({ limits: { memoryBytes: 8 * 1024 * 1024 } }, async (runtime) => {
      await runtime.eval('const keep = "kept"');
      const detail = await limitOf(runtime.eval('const bomb = []; for (;;) bomb.push({ n: Math.random(), s: "x" + Math.random() })'));
      expect(detail.limit).toBe('memory');
      expect(typeof detail.sessionReset).toBe('boolean');
      if (!detail.sessionReset) await runtime.eval('bomb.length = 0');
      expect(await runtime.eval('typeof keep')).toBe(detail.sessionReset ? 'undefined' : 'string');
      expect(await runtime.eval('1 + 1')).toBe(2);
    }));

  it('refuses a single allocation larger than memoryBytes', () =>
    withSession({ limits: { memoryBytes: 8 * 1024 * 1024 } }, async (runtime) => {
      expect(await limitOf(runtime.eval('new Uint8Array(64 * 1024 * 1024).length'))).toMatchObject({ limit: 'memory' });
      expect(await runtime.eval('2')).toBe(2);
    }));

  it('refuses memory growth past memoryBytes at once, so megabytes per step cannot outrun the interrupt check', async () => {
    // Each step allocates 4 MB and the interrupt check comes every few thousand steps: without the
    // refusal the instance grew to its 2 GiB maximum before this ended. No time limit interferes.
    const factory = createQuickJsRuntimeFactory({ runIn: 'main' });
    const limit = 32 * 1024 * 1024;
    const runtime = await factory.create({ sessionId: 's', bindings: [], limits: { memoryBytes: limit, evalTimeoutMs: 600_000 } });
    try {
      await runtime.eval('const kept = "state"');
      const before = factory.stats().memoryBytes;
      const detail = await limitOf(runtime.eval('const parts = []; for (;;) parts.push("x".repeat(4e6) + Math.random())'));
      expect(detail.limit).toBe('memory');
      expect(factory.stats().memoryBytes - before).toBeLessThanOrEqual(2 * limit);
      expect(await runtime.eval(detail.sessionReset ? '"fresh"' : 'parts.length = 0; kept')).toBe(detail.sessionReset ? 'fresh' : 'state');
    } finally {
      await runtime.dispose();
    }
  });

  it('counts growth of a shared instance against the session whose code grew it', async () => {
    const factory = createQuickJsRuntimeFactory({ runIn: 'main' });
    const MiB = 1024 * 1024;
    let open!: () => void;
    let called!: () => void;
    const reached = new Promise<void>((resolve) => (called = resolve));
    const gate = binding('gate', () => {
      called();
      return new Promise<void>((resolve) => (open = resolve));
    });
    const waiting = await factory.create({ sessionId: 'waiting', bindings: [gate], limits: { memoryBytes: 32 * MiB } });
    const growing = await factory.create({ sessionId: 'growing', bindings: [], limits: { memoryBytes: 128 * MiB } });
    try {
      const parked = waiting.eval('await gate({}); new Uint8Array(24 * 1024 * 1024).length');
      await reached;
      // While the first session waits, the second grows the instance they share by far more than 32 MiB.
      const before = factory.stats().memoryBytes;
      await growing.eval('const held = [1, 2, 3].map(() => new Uint8Array(32 * 1024 * 1024))');
      expect(factory.stats()).toMatchObject({ modules: 1 });
      expect(factory.stats().memoryBytes - before).toBeGreaterThan(64 * MiB);
      open();
      expect(await parked).toBe(24 * MiB);
    } finally {
      await Promise.all([waiting.dispose(), growing.dispose()]);
    }
  });

  it('ends runaway recursion with LimitExceeded stack', () =>
    withSession({ limits: { stackBytes: 256 * 1024 } }, async (runtime) => {
      expect(await limitOf(runtime.eval('function down(n) { return down(n + 1) + 1 } down(0)'))).toMatchObject({ limit: 'stack' });
      expect(await runtime.eval('3')).toBe(3);
    }));

  it('ends runaway recursion at the default stack limit before the host stack runs out, keeping state and instance', async () => {
    // Past the host's own stack, the error would unwind through the interpreter and leave objects
    // it can never free: the session reset and its instance discarded. The order below (a chain
    // interrupted first) is how that first showed up; the chain plays no part in it.
    // The clock moves only while the chain runs: it meets the time limit, not memory, however fast
    // the machine, and the recursions below meet the stack limit, not time, however slow it is.
    let now = 0;
    let stepMs = 0;
    const factory = createQuickJsRuntimeFactory({ runIn: 'main', clock: () => (now += stepMs) });
    const runtime = await factory.create({ sessionId: 's', bindings: [], limits: { evalTimeoutMs: 50 } });
    await runtime.eval('const kept = "state"');
    stepMs = 10;
    expect(await limitOf(runtime.eval('(function loop() { return Promise.resolve().then(loop) })()'))).toMatchObject({ limit: 'time' });
    stepMs = 0;
    for (const code of [
      'function down(n) { return down(n + 1) + 1 } down(0)',
      'const o = { toString() { return `${this}` } }; String(o)',
      'const g = { get x() { return this.x } }; g.x',
    ]) {
      const detail = await limitOf(runtime.eval(code));
      expect(detail, code).toMatchObject({ limit: 'stack' });
      expect(detail.sessionReset, code).toBeUndefined();
    }
    expect(await runtime.eval('kept')).toBe('state');
    expect(factory.stats()).toMatchObject({ modules: 1, brokenModules: 0 });
    expect(() => runtime.dispose()).not.toThrow();
    expect(factory.stats()).toMatchObject({ modules: 1, brokenModules: 0, sessions: 0 });
  });

  it('ends an endless promise chain with LimitExceeded time instead of waiting forever', () => {
    // The chain also grows memory. With each clock reading a millisecond of CPU, the time limit falls
    // after the same number of jobs on every machine, long before memory runs out; on the wall clock
    // a fast machine could grow past memoryBytes first.
    let ticks = 0;
    return withSession({ limits: { evalTimeoutMs: 100 }, factory: { runIn: 'main', clock: () => ++ticks } }, async (runtime) => {
      expect(await limitOf(runtime.eval('const spin = () => Promise.resolve().then(spin); await spin()'))).toMatchObject({
        limit: 'time',
      });
      expect(await runtime.eval('"after"')).toBe('after');
    });
  });

  it('ends native recursion that exhausts the host stack with LimitExceeded stack and a fresh session', () =>
    // On the main thread's ~1 MiB stack; worker threads get a stack deep enough for this (see workers.test.ts).
    // The interpreter stops mid-operation here. Freeing its runtime would fail QuickJS's
    // `list_empty(&rt->gc_obj_list)` assertion in JS_FreeRuntime, printed as "Aborted(Assertion
    // failed …)"; the session abandons that runtime with its instance instead (README, "Limits").
    withSession({ factory: { runIn: 'main' } }, async (runtime) => {
      await runtime.eval('const before = 1');
      const detail = await limitOf(runtime.eval('let o = {}; for (let i = 0; i < 100000; i++) o = { o }; JSON.stringify(o).length'));
      expect(detail).toMatchObject({ limit: 'stack', sessionReset: true });
      expect(await runtime.eval('typeof before')).toBe('undefined');
      expect(await runtime.eval('4')).toBe(4);
    }));

  it('refuses a result over resultBytes', () =>
    withSession({ limits: { resultBytes: 100 } }, async (runtime) => {
      expect(await limitOf(runtime.eval('Array.from({ length: 50 }, (_, i) => i)'))).toMatchObject({ limit: 'resultBytes', max: 100 });
      expect(await runtime.eval('"ok"')).toBe('ok');
    }));

  it('counts a string result as its JSON in UTF-8 bytes, escapes and quotes included', () =>
    withSession({ limits: { resultBytes: 100 } }, async (runtime) => {
      // 98 characters fit with their quotes; 49 two-byte characters are 100 bytes with them.
      expect(await runtime.eval('"x".repeat(98)')).toBe('x'.repeat(98));
      expect(await runtime.eval('"é".repeat(49)')).toBe('é'.repeat(49));
      expect(await limitOf(runtime.eval('"x".repeat(99)'))).toMatchObject({ limit: 'resultBytes', max: 100 });
      expect(await limitOf(runtime.eval('"é".repeat(50)'))).toMatchObject({ limit: 'resultBytes', max: 100 });
      expect(await limitOf(runtime.eval('"\\n".repeat(50)'))).toMatchObject({ limit: 'resultBytes', max: 100 });
      expect(await limitOf(runtime.eval('"x".repeat(1e7)'))).toMatchObject({ limit: 'resultBytes', max: 100 });
    }));

  it('keeps a limit hit in one session from affecting another', async () => {
    await withSession({ limits: { evalTimeoutMs: 30 } }, async (busy) => {
      await withSession({}, async (calm) => {
        await calm.eval('const state = 41');
        await limitOf(busy.eval('while (true) {}'));
        expect(await calm.eval('state + 1')).toBe(42);
      });
    });
  });

  it('runs setTimeout callbacks inside the session and lets clearTimeout cancel them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await withSession({ factory: { runIn: 'main' } }, async (runtime) => {
      const pending = runtime.eval("await new Promise((resolve) => setTimeout(resolve, 1000, 'woke'))");
      await vi.advanceTimersByTimeAsync(1000);
      expect(await pending).toBe('woke');
      await runtime.eval('const t = setTimeout(() => { globalThis.fired = true }, 10); clearTimeout(t)');
      await vi.advanceTimersByTimeAsync(20);
      expect(await runtime.eval('typeof globalThis.fired')).toBe('undefined');
    });
  });

  it('clears timers that keep code running after its eval once that code used the time limit, until the next eval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Every reading of this clock is a millisecond of CPU time, so the limit falls at the same callback on every run.
    let ticks = 0;
    const lines: unknown[] = [];
    await withSession({ limits: { evalTimeoutMs: 100 }, factory: { runIn: 'main', clock: () => ++ticks } }, async (runtime) => {
      runtime.setClientBindings([binding('console', (args) => lines.push(args))]);
      await runtime.eval('var fired = 0; setTimeout(function again() { fired++; setTimeout(again, 0) }, 0)');
      await vi.advanceTimersByTimeAsync(1000);
      await vi.advanceTimersByTimeAsync(1000);
      const fired = (await runtime.eval('fired')) as number;
      // Each callback alone is cheap (three clock readings, 3 ms): only the sum outside the eval
      // stopped the chain, at the callback that took it past 100 ms.
      expect(fired).toBe(34);
      expect(lines).toEqual([{ level: 'error', args: [expect.stringMatching(/^Uncaught InternalError: code outside an eval used 100 ms of CPU time/)] }]);
      // The next eval may set timers again.
      await runtime.eval('setTimeout(() => { fired = "again" }, 5)');
      await vi.advanceTimersByTimeAsync(5);
      expect(await runtime.eval('fired')).toBe('again');
    });
  });

  it('stops a loop that keeps awaiting a binding after its eval once that code used the time limit', async () => {
    let ticks = 0;
    let calls = 0;
    // Answers on a later turn of the event loop, as a binding doing I/O would.
    const echo = binding('echo', () => new Promise((resolve) => setImmediate(() => resolve(++calls))));
    let dropped!: (line: unknown) => void;
    const line = new Promise((resolve) => (dropped = resolve));
    await withSession({ bindings: [echo], limits: { evalTimeoutMs: 100 }, factory: { runIn: 'main', clock: () => ++ticks } }, async (runtime) => {
      runtime.setClientBindings([binding('console', (args) => dropped(args))]);
      expect(await runtime.eval('(async () => { for (;;) await echo({}) })(); "started"')).toBe('started');
      expect(await line).toEqual({ level: 'error', args: [expect.stringMatching(/^Uncaught InternalError: code outside an eval used 100 ms of CPU time/)] });
      // A call already in flight may still be answered; the loop behind it never runs again.
      const stoppedAt = calls;
      for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(calls).toBeLessThanOrEqual(stoppedAt + 1);
      // The next eval starts a fresh allowance.
      expect(await runtime.eval('await echo({}) > 0')).toBe(true);
    });
  });

  it('refuses calls into guest functions between evals once code outside evals used the time limit', async () => {
    let ticks = 0;
    await withSession({ limits: { evalTimeoutMs: 100 }, factory: { runIn: 'main', clock: () => ++ticks } }, async (runtime) => {
      const fns = (await runtime.eval('({ spin: () => { for (;;) {} }, one: () => 1 })')) as Record<'spin' | 'one', HostFunction>;
      expect(await fns.one()).toBe(1);
      // Each call has an allowance of its own; this one uses up the allowance outside evals too.
      expect(await limitOf(fns.spin())).toMatchObject({ limit: 'time' });
      expect(await limitOf(fns.one())).toMatchObject({ limit: 'time', max: 100 });
      await runtime.eval('"next eval"');
      expect(await fns.one()).toBe(1);
      for (const fn of Object.values(fns)) fn[Symbol.dispose]?.();
    });
  });

  it("keeps the process alive while an eval waits on its own timer, and lets it exit on timers armed for later (runIn: 'main')", async () => {
    const script = `
      import { createQuickJsRuntimeFactory } from PACKAGE;
      const runtime = await createQuickJsRuntimeFactory({ runIn: 'main' }).create({ sessionId: 's', bindings: [] });
      const woke = await runtime.eval('await new Promise((resolve) => setTimeout(() => resolve("woke"), 20))');
      const armed = await runtime.eval('setTimeout(() => {}, 600000); "armed"');
      console.log(JSON.stringify([woke, armed]));
    `;
    const outcome = await runScript(script);
    expect(outcome).toEqual({ code: 0, killed: false, stdout: '["woke","armed"]\n' });
  });

  it('reports what a timer callback throws to the console binding', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const lines: unknown[] = [];
    await withSession({ factory: { runIn: 'main' } }, async (runtime) => {
      runtime.setClientBindings([binding('console', (args) => lines.push(args))]);
      await runtime.eval('setTimeout(() => { throw new RangeError("late") }, 5)');
      await vi.advanceTimersByTimeAsync(5);
      expect(lines).toEqual([{ level: 'error', args: ['Uncaught RangeError: late'] }]);
    });
  });
});
