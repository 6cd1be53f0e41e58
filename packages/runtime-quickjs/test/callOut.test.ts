import { describe, expect, it } from 'vitest';
import { binding, withSession } from './support.js';

// A call out of guest code converts its argument in the guest and is settled by id (the prelude's
// `caller` and `settleCall`): what it refuses, and how it fails, on either thread.
describe.each(['worker', 'main'] as const)('a call out of guest code (%s)', (runIn) => {
  const setup = (calls: unknown[]) => ({
    bindings: [
      binding('take', (args) => {
        calls.push(args);
        return args;
      }),
      binding('fail', () => {
        throw new Error('nope');
      }),
      binding('give', () => ({
        f: async () => {
          throw new Error('no either');
        },
      })),
    ],
    limits: { resultBytes: 5000 },
    factory: { runIn },
  });

  it('refuses an argument over resultBytes or holding a cycle without calling the binding, as errors code can catch', async () => {
    const calls: unknown[] = [];
    await withSession(setup(calls), async (runtime) => {
      const caught = await runtime.eval(`
        const caught = [];
        try { await take({ s: 'x'.repeat(6000) }) } catch (e) { caught.push([e.name, e.message, e.code]) }
        const c = {}; c.self = c;
        try { await take(c) } catch (e) { caught.push([e.name, e.message, e.code]) }
        caught`);
      expect(caught).toEqual([
        ['LimitExceededError', 'resultBytes limit exceeded', -32021],
        ['EvalError', 'TypeError: result contains a cycle at /self', -32020],
      ]);
      expect(calls).toEqual([]);
      // The session goes on, and the binding still answers.
      expect(await runtime.eval('[(await take({ ok: 1 })).ok, await take()]')).toEqual([1, null]);
      expect(calls).toEqual([{ ok: 1 }, undefined]);
    });
  });

  it('rejects a failed binding call, and a failed call of a function the host handed in, with the stack of the call site', async () => {
    await withSession(setup([]), async (runtime) => {
      const stacks = (await runtime.eval(`
        const stacks = [];
        try {
          await fail({});
        } catch (e) { stacks.push(e.stack) }
        const given = await give();
        try { await given.f(1) } catch (e) { stacks.push(e.stack) }
        stacks`)) as string[];
      expect(stacks[0]).toContain('<eval>:4:');
      expect(stacks[1]).toContain('<eval>:7:');
    });
  });
});
