import { getEventListeners } from 'node:events';
import releaseVariant from '@jitl/quickjs-wasmfile-release-sync';
import { CancelledError, LimitExceededError, type HostFunction, type RuntimeBinding } from '@scomp/peer';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GuestVmHooks } from '../src/guestVm.js';
import { scoped } from '../src/handleScope.js';
import { InlineSessions } from '../src/inlineSessions.js';
import { JobPump } from '../src/jobPump.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { Marshaller } from '../src/marshaller.js';
import { ModulePool, type ModuleSlot } from '../src/modulePool.js';
import { RunGuard } from '../src/runGuard.js';
import { SessionVm } from '../src/sessionVm.js';

const variant = releaseVariant as unknown as QuickJSSyncVariant;

function fakeHandle(name: string, freed: string[]): { alive: boolean; dispose(): void } {
  const handle = {
    alive: true,
    dispose() {
      if (!handle.alive) throw new Error(`${name} freed twice`);
      handle.alive = false;
      freed.push(name);
    },
  };
  return handle;
}

/** What RunGuard reads of the VM: the instance slot, and the heap; and what it reports: refused growth. */
function fakeVm(heapBytes = 0): { vm: SessionVm; slot: ModuleSlot; refusals: () => number } {
  const slot = { sessions: 1, broken: false } as ModuleSlot;
  let refused = 0;
  const vm = { slot, vm: { heapBytes: () => heapBytes }, allocationRefused: () => refused++ } as unknown as SessionVm;
  return { vm, slot, refusals: () => refused };
}

const noHooks: GuestVmHooks = {
  shouldInterrupt: () => false,
  console: () => {},
  settled: (_, __, value) => value.dispose(),
  setTimer: () => 0,
  clearTimer: () => {},
};

describe('handle scope', () => {
  it('frees the handles it owns, last first, when the block returns and when it throws', () => {
    const freed: string[] = [];
    expect(scoped((own) => (own(fakeHandle('a', freed)), own(fakeHandle('b', freed)), 42))).toBe(42);
    expect(freed).toEqual(['b', 'a']);
    freed.length = 0;
    expect(() =>
      scoped((own) => {
        own(fakeHandle('c', freed));
        throw new TypeError('guest failed');
      }),
    ).toThrow(TypeError);
    expect(freed).toEqual(['c']);
  });

  it('skips handles already freed, and frees nothing once the host stack ran out inside the interpreter', () => {
    const freed: string[] = [];
    scoped((own) => own(fakeHandle('consumed', freed)).dispose());
    expect(freed).toEqual(['consumed']);
    freed.length = 0;
    expect(() =>
      scoped((own) => {
        own(fakeHandle('mid-operation', freed));
        throw new RangeError('Maximum call stack size exceeded');
      }),
    ).toThrow('Maximum call stack size exceeded');
    expect(freed).toEqual([]);
  });
});

describe('run guard', () => {
  function guard(options: { heapBytes?: number; onIdleSpent?: () => void } = {}): {
    guard: RunGuard;
    slot: ModuleSlot;
    lifetime: AbortController;
    tick(ms: number): void;
    refusals(): number;
  } {
    let now = 0;
    const { vm, slot, refusals } = fakeVm(options.heapBytes);
    const limits = { ...DEFAULT_LIMITS, evalTimeoutMs: 100, memoryBytes: 1000 };
    const lifetime = new AbortController();
    const run = new RunGuard(vm, {
      limits,
      clock: () => now,
      memoryCheckIntervalMs: 10,
      lifetime: lifetime.signal,
      onIdleSpent: options.onIdleSpent ?? (() => {}),
    });
    return { guard: run, slot, lifetime, tick: (ms) => (now += ms), refusals };
  }

  it('interrupts an eval once its entries used the CPU budget, and says which limit', () => {
    const { guard: run, tick } = guard();
    run.startEval();
    run.enter(() => tick(60));
    expect(run.enter(() => run.shouldInterrupt())).toBe(false);
    run.enter(() => tick(50));
    expect(run.shouldInterrupt()).toBe(true);
    expect(run.interrupted).toBe('time');
    expect(run.interruptError('time')).toMatchObject({ detail: { limit: 'time', max: 100 } });
    // A new eval starts from a fresh budget.
    run.endEval();
    run.startEval();
    expect(run.shouldInterrupt()).toBe(false);
  });

  it('interrupts a cancelled eval, never the runtime own code, and measures the heap against the limit', () => {
    const { guard: run, tick } = guard({ heapBytes: 5000 });
    const active = run.startEval();
    active.cancelled = true;
    expect(run.trustedRun(() => run.shouldInterrupt())).toBe(false);
    expect(run.shouldInterrupt()).toBe(true);
    expect(run.interruptError(run.interrupted!)).toBeInstanceOf(CancelledError);
    run.endEval();
    run.startEval();
    tick(10);
    expect(run.shouldInterrupt()).toBe(true);
    expect(run.interrupted).toBe('memory');
  });

  it('routes growth of the instance memory through the guard only while guest code runs', () => {
    const { guard: run, slot, refusals } = guard();
    run.startEval();
    expect(slot.allowGrowth).toBeUndefined();
    const allowed = run.enter(() => [slot.allowGrowth!(600), slot.allowGrowth!(600)]);
    expect(allowed).toEqual([true, false]);
    expect(slot.allowGrowth).toBeUndefined();
    // The VM hears of the refusal: its runtime may no longer free cleanly (SessionVm.allocationRefused).
    expect(refusals()).toBe(1);
  });

  it('adds up entries outside evals and drops what they left once they pass the time limit', () => {
    let spent = 0;
    const { guard: run, tick } = guard({ onIdleSpent: () => spent++ });
    for (let entry = 0; entry < 3; entry++) {
      run.beginActivation();
      run.enter(() => tick(40));
    }
    expect(spent).toBe(1);
    expect(run.idleSpent).toBe(true);
    expect(run.idleSpentError()).toBeInstanceOf(LimitExceededError);
    run.startEval();
    expect(run.idleSpent).toBe(false);
  });

  it('keeps one listener on the session lifetime however many calls wait outside evals, and none once they end', async () => {
    const { guard: run, lifetime } = guard();
    const waits = Array.from({ length: 50 }, () => run.untilStoppedOutsideEval());
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(1);
    for (const wait of waits) wait.release();
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);
    // Released one at a time, as calls end, the count never grows either.
    for (let call = 0; call < 20; call++) run.untilStoppedOutsideEval().release();
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);

    const pending = Array.from({ length: 3 }, () => run.untilStoppedOutsideEval());
    const released = run.untilStoppedOutsideEval();
    released.release();
    lifetime.abort();
    for (const wait of pending) await expect(wait.stopped).rejects.toThrow(new CancelledError('runtime disposed'));
    await expect(Promise.race([released.stopped, Promise.resolve('still waiting')])).resolves.toBe('still waiting');
    await expect(run.untilStoppedOutsideEval().stopped).rejects.toBeInstanceOf(CancelledError);
  });

  it('fails the calls waiting outside evals once the allowance outside evals runs out', async () => {
    const { guard: run, lifetime, tick } = guard();
    const waits = [run.untilStoppedOutsideEval(), run.untilStoppedOutsideEval()];
    run.beginActivation();
    run.enter(() => tick(150));
    for (const wait of waits) await expect(wait.stopped).rejects.toBeInstanceOf(LimitExceededError);
    await expect(run.untilStoppedOutsideEval().stopped).rejects.toMatchObject({ detail: { limit: 'time', max: 100 } });
    for (const wait of waits) wait.release();
    expect(getEventListeners(lifetime.signal, 'abort')).toHaveLength(0);
  });
});

describe('session VM', () => {
  it('drops what the parts hold before freeing the VM, and moves to another instance when this one broke', async () => {
    const pool = new ModulePool({ variant, sessionsPerModule: 4, retireModuleAboveBytes: 256 * 1024 * 1024 });
    const first = await pool.acquire();
    const vm = new SessionVm(pool, first, DEFAULT_LIMITS, noHooks);
    const order: string[] = [];
    vm.onTeardown(() => order.push(`drop while ${vm.vm.alive ? 'alive' : 'freed'}`));
    const before = vm.vm;
    await vm.replace(false);
    expect(order).toEqual(['drop while alive']);
    expect(before.alive).toBe(false);
    expect(vm.slot).toBe(first);
    await vm.replace(true);
    expect(first.broken).toBe(true);
    expect(vm.slot).not.toBe(first);
    expect(pool.stats()).toMatchObject({ modules: 1, sessions: 1 });
    vm.dispose();
    expect(pool.stats().sessions).toBe(0);
  });

  it('never frees a VM its instance refused to grow for: the instance retires and goes with its last session', async () => {
    const pool = new ModulePool({ variant, sessionsPerModule: 4, retireModuleAboveBytes: 256 * 1024 * 1024 });
    const first = await pool.acquire();
    const vm = new SessionVm(pool, first, DEFAULT_LIMITS, noHooks);
    const refusedVm = vm.vm;
    vm.allocationRefused();
    expect(first.retired).toBe(true);
    // A reset leaves the refused runtime as it is and makes the fresh VM on another instance; the
    // retired one, now empty, is gone.
    await vm.replace(false);
    expect(refusedVm.alive).toBe(true);
    expect(vm.slot).not.toBe(first);
    expect(pool.stats()).toMatchObject({ modules: 1, brokenModules: 0, sessions: 1 });
    // The fresh VM was not refused anything: it is freed as usual.
    const fresh = vm.vm;
    vm.dispose();
    expect(fresh.alive).toBe(false);
    expect(pool.stats()).toMatchObject({ modules: 1, brokenModules: 0, sessions: 0 });
  });
});

describe('marshaller', () => {
  async function parts(): Promise<{ marshaller: Marshaller; vm: SessionVm; dispose(): void }> {
    const pool = new ModulePool({ variant, sessionsPerModule: 4, retireModuleAboveBytes: 256 * 1024 * 1024 });
    const lifetime = new AbortController();
    let jobs!: JobPump;
    let guard!: RunGuard;
    const vm = new SessionVm(pool, await pool.acquire(), DEFAULT_LIMITS, {
      ...noHooks,
      shouldInterrupt: () => guard.shouldInterrupt(),
      settled: (token, ok, value) => jobs.settled(token, ok, value),
    });
    guard = new RunGuard(vm, {
      limits: DEFAULT_LIMITS,
      clock: () => performance.now(),
      memoryCheckIntervalMs: 10,
      lifetime: lifetime.signal,
      onIdleSpent: () => {},
    });
    let marshaller!: Marshaller;
    jobs = new JobPump(vm, guard, { lifetime: lifetime.signal, otherWork: () => marshaller.holdsWork, uncaught: () => {} });
    marshaller = new Marshaller(vm, guard, jobs, { maxValueBytes: 1024, lifetime: lifetime.signal });
    vm.vm.installPrelude();
    return {
      marshaller,
      vm,
      dispose: () => {
        lifetime.abort();
        vm.dispose();
      },
    };
  }

  it('carries a value with a host function into the guest and back, where the guest calls it', async () => {
    const { marshaller, vm, dispose } = await parts();
    try {
      const double = (async (args: unknown) => (args as { n: number }).n * 2) as HostFunction;
      const back = marshaller.toHost(marshaller.toGuest({ label: 'x', double })) as { label: string; double: HostFunction };
      expect(back.label).toBe('x');
      expect(await back.double({ n: 21 })).toBe(42);
      expect(marshaller.stats()).toMatchObject({ liveFunctions: 1, receivedFunctions: 1, pendingHostCalls: 0 });
      back.double[Symbol.dispose]!();
      expect(marshaller.stats().liveFunctions).toBe(0);
      expect(vm.vm.alive).toBe(true);
    } finally {
      dispose();
    }
  });

  it('refuses a guest value over the byte limit with LimitExceeded resultBytes', async () => {
    const { marshaller, vm, dispose } = await parts();
    try {
      const big = vm.vm.context.newString('x'.repeat(2000));
      expect(() => marshaller.toHost(big)).toThrow(expect.objectContaining({ detail: { limit: 'resultBytes', max: 1024 } }));
    } finally {
      dispose();
    }
  });
});

describe('a spare VM made ahead (worker threads)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const spareSessions = (options: { retireModuleAboveBytes?: number; sessionsPerModule?: number } = {}) =>
    new InlineSessions({
      variant,
      sessionsPerModule: options.sessionsPerModule ?? 256,
      retireModuleAboveBytes: options.retireModuleAboveBytes ?? 256 * 1024 * 1024,
      memoryCheckIntervalMs: 10,
      clock: () => performance.now(),
      spareAfterIdleMs: 10,
    });
  const twice: RuntimeBinding = { meta: { name: 'twice', input: {} }, call: async (args) => (args as { n: number }).n * 2 };

  it('is taken by the next session, with that session\'s limits, hooks and bindings', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sessions = spareSessions();
    await sessions.warm();
    expect(sessions.stats()).toMatchObject({ modules: 1, sessions: 0, spareVms: 1 });
    const runtime = await sessions.create({ sessionId: 's', bindings: [twice], limits: { memoryBytes: 4 * 1024 * 1024, evalTimeoutMs: 200 } });
    // The session took the spare's place on its instance, not another one.
    expect(sessions.stats()).toMatchObject({ modules: 1, sessions: 1, spareVms: 0 });
    const logs: unknown[] = [];
    runtime.setClientBindings([{ meta: { name: 'console', input: {} }, call: async () => null, notify: (args) => logs.push(args) }]);
    try {
      expect(await runtime.eval('console.log("hi"); await twice({ n: 21 })')).toBe(42);
      expect(logs).toEqual([{ level: 'log', args: ['hi'] }]);
      // The session's own limits, not the spare's defaults: its time and its heap.
      expect(await runtime.eval('while (true) {}').catch((e: unknown) => e)).toMatchObject({ detail: { limit: 'time' } });
      expect(await runtime.eval('"x".repeat(8e6).length').catch((e: unknown) => e)).toMatchObject({ detail: { limit: 'memory' } });
    } finally {
      runtime.dispose();
    }
    expect(sessions.stats()).toMatchObject({ sessions: 0, spareVms: 0 });
  });

  it('is made again only once creations pause', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sessions = spareSessions();
    await sessions.warm();
    const first = await sessions.create({ sessionId: 'a', bindings: [] });
    vi.advanceTimersByTime(9);
    const second = await sessions.create({ sessionId: 'b', bindings: [] });
    vi.advanceTimersByTime(9);
    expect(sessions.stats()).toMatchObject({ sessions: 2, spareVms: 0 });
    vi.advanceTimersByTime(1);
    await sessions.warm();
    expect(sessions.stats()).toMatchObject({ modules: 1, sessions: 2, spareVms: 1 });
    first.dispose();
    second.dispose();
    expect(sessions.stats()).toMatchObject({ sessions: 0, spareVms: 1 });
  });

  it('is never given to a session reset by a limit: the fresh VM is made with the session\'s own limits', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // One place per instance: the session, the next spare and the session's fresh VM each get their own.
    const sessions = spareSessions({ sessionsPerModule: 1 });
    await sessions.warm();
    const runtime = await sessions.create({ sessionId: 's', bindings: [], limits: { memoryBytes: 32 * 1024 * 1024 } });
    vi.advanceTimersByTime(10);
    await sessions.warm();
    expect(sessions.stats()).toMatchObject({ modules: 2, sessions: 1, spareVms: 1 });
    try {
      await runtime.eval('const before = 1');
      // Native recursion exhausts the host stack: the session's instance is broken, and it moves on.
      const reset = await runtime.eval('let o = {}; for (let i = 0; i < 100000; i++) o = { o }; JSON.stringify(o).length').catch((e: unknown) => e);
      expect(reset).toMatchObject({ detail: { limit: 'stack', sessionReset: true } });
      expect(sessions.stats()).toMatchObject({ sessions: 1, spareVms: 1 });
      expect(await runtime.eval('typeof before')).toBe('undefined');
      expect(await runtime.eval('"x".repeat(4e7).length').catch((e: unknown) => e)).toMatchObject({ detail: { limit: 'memory' } });
    } finally {
      runtime.dispose();
    }
    expect(sessions.stats()).toMatchObject({ sessions: 0, spareVms: 1 });
  });

  it('is let go, not handed out, once its instance is retired, and the instance goes with it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Every instance is past this threshold once loaded: it takes its first place and no more.
    const sessions = spareSessions({ retireModuleAboveBytes: 1 });
    await sessions.warm();
    expect(sessions.stats()).toMatchObject({ modules: 1, sessions: 0, spareVms: 1 });
    const runtime = await sessions.create({ sessionId: 's', bindings: [] });
    expect(sessions.stats()).toMatchObject({ modules: 1, sessions: 1, spareVms: 0 });
    expect(await runtime.eval('1 + 1')).toBe(2);
    runtime.dispose();
    expect(sessions.stats()).toMatchObject({ modules: 0, sessions: 0, spareVms: 0 });
  });
});
