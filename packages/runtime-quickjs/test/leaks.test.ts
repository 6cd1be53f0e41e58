import debugVariant from '@jitl/quickjs-wasmfile-debug-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';
import { binding } from './support.js';

// The debug build checks on runtime disposal that no object is still referenced: a leaked handle
// makes dispose() throw (and the instance is marked broken).
const modes = {
  main: () => createQuickJsRuntimeFactory({ runIn: 'main', variant: debugVariant as unknown as QuickJSSyncVariant }),
  worker: () => createQuickJsRuntimeFactory({ variant: '@jitl/quickjs-wasmfile-debug-sync' }),
};

// The debug build runs several times slower than the release build; on a loaded machine these take long.
describe.each(Object.entries(modes))('handle hygiene (debug build, runIn: %s)', { timeout: 120_000 }, (_, create) => {
  const factory = create();
  afterAll(() => factory.close());

  it('frees every handle on success, error, limit, cancel and dispose paths', async () => {
    const apply = binding('apply', async (args: { fn: (a: unknown) => Promise<unknown>; n: number }) => {
      const value = await args.fn({ n: args.n });
      (args.fn as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
      return { value, back: async (a: { x: number }) => a.x + 1 };
    });
    const never = binding('never', () => new Promise(() => {}));
    const failing = binding('failing', () => {
      throw new Error('nope');
    });
    const runtime = await factory.create({
      sessionId: 's',
      bindings: [apply, never, failing],
      // Roomy: the debug build on a loaded machine is slow, and only the endless loop below may meet it.
      limits: { evalTimeoutMs: 60_000, resultBytes: 10_000, memoryBytes: 8 * 1024 * 1024 },
    });
    runtime.setClientBindings([binding('console', () => undefined), binding('client.fn', () => 1)]);
    await runtime.eval('const r = await apply({ n: 2, fn: async (a) => a.n * 2 }); console.log(r.value, new Map([[1, 2]]))');
    expect(await runtime.eval('await r.back({ x: 1 })')).toBe(2);
    await runtime.eval('await failing({}).catch((e) => e.message)');
    await runtime.eval('throw new Error("boom")').catch(() => {});
    await runtime.eval('while (true) {}', { timeoutMs: 50 }).catch(() => {});
    await runtime.eval('"x".repeat(20_000)').catch(() => {});
    await runtime.eval('const cyc = {}; cyc.self = cyc; cyc').catch(() => {});
    const controller = new AbortController();
    const parked = runtime.eval('await never({})', { signal: controller.signal });
    controller.abort();
    await parked.catch(() => {});
    const fn = (await runtime.eval('(a) => a')) as ((a: unknown) => Promise<unknown>) & { [Symbol.dispose]: () => void };
    expect(await fn({ k: [1] })).toEqual({ k: [1] });
    fn[Symbol.dispose]();
    expect(await runtime.eval("await new Promise((resolve) => setTimeout(resolve, 0, 'tick'))")).toBe('tick');
    await runtime.eval('setTimeout(() => {}, 60_000); clearTimeout(setTimeout(() => {}, 1))');
    const kept = (await runtime.eval('() => 1')) as () => Promise<unknown>;
    const pending = runtime.eval('await never({})');
    await expect(Promise.resolve().then(() => runtime.dispose())).resolves.toBeUndefined();
    await expect(pending).rejects.toThrow();
    await expect(kept()).rejects.toThrow();
    expect(factory.stats().brokenModules).toBe(0);
  });

  it('frees a session reset by the memory limit', async () => {
    const runtime = await factory.create({ sessionId: 's', bindings: [], limits: { memoryBytes: 1024 * 1024 } });
    await runtime.eval('const bomb = []; for (;;) bomb.push({ n: Math.random() })').catch(() => {});
    expect(await runtime.eval('1')).toBe(1);
    await expect(Promise.resolve().then(() => runtime.dispose())).resolves.toBeUndefined();
    expect(factory.stats().brokenModules).toBe(0);
  });
});

describe('a VM the instance refused to grow for (debug build)', { timeout: 120_000 }, () => {
  it('is dropped with its instance, not freed, so memory grown later on that instance cannot abort the free', async () => {
    const factory = createQuickJsRuntimeFactory({ runIn: 'main', variant: debugVariant as unknown as QuickJSSyncVariant });
    try {
      const neighbour = await factory.create({ sessionId: 'n', bindings: [], limits: { evalTimeoutMs: 60_000 } });
      const runtime = await factory.create({ sessionId: 's', bindings: [], limits: { memoryBytes: 1024 * 1024 } });
      expect(factory.stats()).toMatchObject({ modules: 1, sessions: 2 });
      // The instance grows in steps of megabytes, more than this session may: the growth is refused.
      const bomb = await runtime.eval('const bomb = []; for (;;) bomb.push({ n: Math.random() })').catch((error: unknown) => error);
      expect(bomb).toMatchObject({ detail: { limit: 'memory' } });
      // Another VM on the same instance grows its memory afterwards. Freeing the refused VM's
      // runtime after that aborted the instance (`list_empty(&rt->gc_obj_list)` in JS_FreeRuntime).
      expect(await runtime.eval('1')).toBe(1);
      const grownFrom = factory.stats().memoryBytes;
      expect(await neighbour.eval('const many = []; for (let i = 0; i < 2e4; i++) many.push({ i }); many.length')).toBe(2e4);
      expect(factory.stats().memoryBytes).toBeGreaterThan(grownFrom);
      await runtime.dispose();
      await neighbour.dispose();
      // The instance took no sessions since and is gone with its last one; nothing aborted.
      expect(factory.stats()).toMatchObject({ modules: 0, brokenModules: 0, sessions: 0 });
    } finally {
      await factory.close();
    }
  });
});
