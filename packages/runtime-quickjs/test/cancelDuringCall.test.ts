import { CancelledError, type Runtime } from '@scomp/peer';
import { afterEach, describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory, type QuickJsRuntimeFactory } from '../src/index.js';
import { binding } from './support.js';

// A time limit no test waits out: if a cancelled eval's loop ran on, the next eval would hang
// (and the test time out) instead of reaching a limit first.
const NO_LIMIT = { evalTimeoutMs: 600_000 };

// On worker threads, where the test's own timeout still fires if a loop holds the guest's thread.
describe('a cancel while the eval awaits a call', () => {
  let factory: QuickJsRuntimeFactory | undefined;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    // Closing first stops a thread still looping, which a dispose request would wait behind.
    await factory?.close();
    await runtime?.dispose();
  });

  async function open(started: () => unknown): Promise<Runtime> {
    factory = createQuickJsRuntimeFactory({ limits: NO_LIMIT });
    runtime = await factory.create({ sessionId: 's', bindings: [binding('started', started)] });
    return runtime;
  }

  it('ends the eval, and what awaited the call does not run on once it returns', async () => {
    const controller = new AbortController();
    const session = await open(() => {
      controller.abort();
      return 'answered anyway';
    });
    await session.eval('var kept = 42');
    const pending = session.eval('globalThis.resumed = false; await started(); resumed = true; while (true) {}', { signal: controller.signal });
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    // Answers only if the loop never started: its limit is far beyond the test's timeout.
    expect(await session.eval('[kept, resumed]')).toEqual([42, false]);
  });

  it('ends the eval when the call fails after the cancel', async () => {
    const controller = new AbortController();
    const session = await open(() => {
      controller.abort();
      throw new Error('failed after the cancel');
    });
    const pending = session.eval('try { await started() } catch { while (true) {} }', { signal: controller.signal });
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(await session.eval('6 * 7')).toBe(42);
  });
});
