import type { Runtime } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';

const SPIN = 'const spin = () => Promise.resolve().then(spin); await spin()';

/** Resolves after `turns` turns of the check phase, where the session runs its queued promise jobs. */
function afterTurns(turns: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : setImmediate(() => step(left - 1)));
    step(turns);
  });
}

/**
 * Runs `stopChain` on 20 sessions and counts the disposals that fail. Each session gets a fresh
 * instance (one that grew is retired), so every endless chain grows the WebAssembly memory while
 * its promise jobs run. A session stays open on the side so that an instance broken by a failed
 * disposal is still counted. On the calling thread, so the tests can drive its clock and turns
 * (the code in question is the same with worker threads).
 */
async function disposalFailures(setup: {
  evalTimeoutMs: number;
  clock?: () => number;
  stopChain: (runtime: Runtime) => Promise<unknown>;
}): Promise<{ failures: number; brokenModules: number }> {
  const { evalTimeoutMs, clock, stopChain } = setup;
  const factory = createQuickJsRuntimeFactory({ runIn: 'main', retireModuleAboveBytes: 16 * 1024 * 1024, ...(clock ? { clock } : {}) });
  const bystander = await factory.create({ sessionId: 'bystander', bindings: [] });
  let failures = 0;
  for (let i = 0; i < 20; i++) {
    const runtime = await factory.create({ sessionId: `s${i}`, bindings: [], limits: { evalTimeoutMs } });
    await expect(stopChain(runtime)).rejects.toThrow();
    await expect(runtime.eval('"after"')).resolves.toBe('after');
    try {
      await runtime.dispose();
    } catch {
      failures++;
    }
  }
  const { brokenModules } = factory.stats();
  await bystander.dispose();
  return { failures, brokenModules };
}

describe('an endless promise chain', () => {
  it('leaves a session that disposes cleanly once the time limit ends it', async () => {
    // A clock that advances on every reading makes the limit fall at the same job on every run.
    let ticks = 0;
    const outcome = await disposalFailures({ evalTimeoutMs: 100, clock: () => ++ticks, stopChain: (runtime) => runtime.eval(SPIN) });
    expect(outcome).toEqual({ failures: 0, brokenModules: 0 });
  }, 60_000);

  it('leaves a session that disposes cleanly once it is cancelled', async () => {
    const outcome = await disposalFailures({
      evalTimeoutMs: 60_000,
      stopChain: async (runtime) => {
        const controller = new AbortController();
        const running = runtime.eval(SPIN, { signal: controller.signal });
        running.catch(() => {});
        await afterTurns(40);
        controller.abort();
        return running;
      },
    });
    expect(outcome).toEqual({ failures: 0, brokenModules: 0 });
  }, 60_000);
});
