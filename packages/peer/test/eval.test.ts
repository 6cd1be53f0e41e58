import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { CancelledError, EvalError, LimitExceededError, defineBinding } from '../src/index.js';
import { memoryServer } from './support/fixture.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';
import { settle } from './support/settle.js';

function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const getOrder = defineBinding({
  name: 'getOrder',
  input: Type.Object({ id: Type.String() }),
  output: Type.Object({ id: Type.String(), total: Type.Number() }),
  handler: ({ id }) => ({ id, total: 142.5 }),
});

describe('eval', () => {
  it("returns the final expression's value and keeps state across evals", async () => {
    const runtime = scriptRuntimeFactory({
      first: async ({ call, state }) => {
        state.o = await call('getOrder', { id: 'o_001' });
        return (state.o as { total: number }).total;
      },
      second: ({ state }) => (state.o as { id: string }).id,
      nothing: () => undefined,
    });
    await using fixture = memoryServer({ runtime, bindings: [getOrder] });
    const client = await fixture.connect();
    expect(await client.eval('first')).toBe(142.5);
    expect(await client.eval('second')).toBe('o_001');
    expect(await client.eval('nothing')).toBeUndefined();
  });

  it('runs evals one at a time in arrival order', async () => {
    const gate = deferred();
    const log: string[] = [];
    const runtime = scriptRuntimeFactory({
      slow: async () => {
        log.push('slow:start');
        await gate.promise;
        log.push('slow:end');
        return 'slow';
      },
      fast: () => {
        log.push('fast');
        return 'fast';
      },
    });
    await using fixture = memoryServer({ runtime });
    const client = await fixture.connect();
    const slow = client.eval('slow');
    const fast = client.eval('fast');
    await settle();
    expect(log).toEqual(['slow:start']);
    gate.resolve(undefined);
    expect(await Promise.all([slow, fast])).toEqual(['slow', 'fast']);
    expect(log).toEqual(['slow:start', 'slow:end', 'fast']);
  });

  it('reports what the code threw as an EvalError', async () => {
    await using fixture = memoryServer({
      runtime: scriptRuntimeFactory({
        boom: () => {
          throw new TypeError('nope');
        },
      }),
    });
    const client = await fixture.connect();
    const error = await client.eval('boom').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvalError);
    expect((error as EvalError).detail).toMatchObject({ name: 'TypeError', message: 'nope' });
  });

  it('refuses evals beyond the queue limit with LimitExceeded', async () => {
    const gate = deferred();
    await using fixture = memoryServer({
      runtime: scriptRuntimeFactory({ wait: () => gate.promise, quick: () => 1 }),
      maxQueuedEvals: 1,
    });
    const client = await fixture.connect();
    const running = client.eval('wait');
    const queued = client.eval('quick');
    const refused = await client.eval('quick').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LimitExceededError);
    expect((refused as LimitExceededError).detail).toMatchObject({ limit: 'evalQueue', max: 1 });
    gate.resolve('done');
    expect(await running).toBe('done');
    expect(await queued).toBe(1);
  });

  it('runs an eval retried with the same key only once', async () => {
    const runtime = scriptRuntimeFactory({ count: ({ state }) => (state.n = ((state.n as number) ?? 0) + 1) });
    await using fixture = memoryServer({ runtime });
    const client = await fixture.connect();
    expect(await client.eval('count', { key: 'k1' })).toBe(1);
    expect(await client.eval('count', { key: 'k1' })).toBe(1);
    expect(await client.eval('count', { key: 'k2' })).toBe(2);
    expect(runtime.runtimes[0]!.evals).toBe(2);
  });

  it('passes cancellation through to the runtime', async () => {
    let seen: AbortSignal | undefined;
    const runtime = scriptRuntimeFactory({
      forever: ({ signal }) => {
        seen = signal;
        return new Promise(() => {});
      },
      after: () => 'still usable',
    });
    await using fixture = memoryServer({ runtime });
    const client = await fixture.connect();
    const controller = new AbortController();
    const running = client.eval('forever', { signal: controller.signal });
    await settle();
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'ABORTED' });
    await settle();
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(CancelledError);
    expect(await client.eval('after')).toBe('still usable');
  });
});
