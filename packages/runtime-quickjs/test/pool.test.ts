import releaseVariant from '@jitl/quickjs-wasmfile-release-sync';
import { LimitExceededError } from '@scomp/peer';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { describe, expect, it } from 'vitest';
import { INPUT_FILENAME } from '../src/guestVm.js';
import { createQuickJsRuntimeFactory } from '../src/index.js';

type EvalFn = (ctx: number, ...rest: unknown[]) => unknown;

/**
 * The release build, except that once armed, the next evaluation of submitted code is handed an
 * out-of-range context pointer, so the instance itself traps (`RuntimeError: memory access out of
 * bounds`) the way it does on a failed assertion in C.
 */
function trappingVariant(): { variant: QuickJSSyncVariant; arm(): void } {
  const base = releaseVariant as unknown as QuickJSSyncVariant;
  let armed = false;
  const variant: QuickJSSyncVariant = {
    ...base,
    importFFI: async () => {
      const Ffi = await base.importFFI();
      return class extends Ffi {
        constructor(...args: ConstructorParameters<typeof Ffi>) {
          super(...args);
          const evaluate = this.QTS_Eval as unknown as EvalFn;
          (this as unknown as { QTS_Eval: EvalFn }).QTS_Eval = (ctx, ...rest) => {
            const trap = armed && rest[2] === INPUT_FILENAME;
            if (trap) armed = false;
            return evaluate(trap ? 0x7ffffff0 : ctx, ...rest);
          };
        }
      };
    },
  };
  return { variant, arm: () => (armed = true) };
}

describe('instance pool', () => {
  it('places at most sessionsPerModule sessions on one instance, also when created concurrently', async () => {
    const factory = createQuickJsRuntimeFactory({ runIn: 'main', sessionsPerModule: 2 });
    const runtimes = await Promise.all([1, 2, 3].map((n) => factory.create({ sessionId: `s${n}`, bindings: [] })));
    expect(factory.stats()).toMatchObject({ modules: 2, sessions: 3, brokenModules: 0 });
    expect(await Promise.all(runtimes.map((runtime, index) => runtime.eval(`${index} * 2`)))).toEqual([0, 2, 4]);
    for (const runtime of runtimes) await runtime.dispose();
    expect(factory.stats().sessions).toBe(0);
  });

  it('drops a retired instance once its last session is gone', async () => {
    const factory = createQuickJsRuntimeFactory({ runIn: 'main', retireModuleAboveBytes: 1 });
    const first = await factory.create({ sessionId: 'a', bindings: [] });
    const second = await factory.create({ sessionId: 'b', bindings: [] });
    expect(factory.stats().modules).toBe(2);
    await first.dispose();
    await second.dispose();
    expect(factory.stats().modules).toBe(0);
  });

  it('moves a session whose instance aborts to a fresh instance, and drops the broken one after its other sessions', async () => {
    const { variant, arm } = trappingVariant();
    const factory = createQuickJsRuntimeFactory({ runIn: 'main', variant, sessionsPerModule: 2 });
    const failing = await factory.create({ sessionId: 'a', bindings: [] });
    const neighbour = await factory.create({ sessionId: 'b', bindings: [] });
    await failing.eval('const mine = 1');
    await neighbour.eval('const theirs = 2');
    expect(factory.stats()).toMatchObject({ modules: 1, brokenModules: 0, sessions: 2 });

    arm();
    const error = await failing.eval('mine').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).detail).toMatchObject({ limit: 'memory', sessionReset: true });
    expect(factory.stats()).toMatchObject({ modules: 2, brokenModules: 1, sessions: 2 });
    expect(await failing.eval('typeof mine')).toBe('undefined');
    expect(await failing.eval('1 + 1')).toBe(2);

    // The neighbour keeps its state on the broken instance; new sessions go elsewhere.
    expect(await neighbour.eval('theirs')).toBe(2);
    const newcomer = await factory.create({ sessionId: 'c', bindings: [] });
    expect(factory.stats()).toMatchObject({ modules: 2, brokenModules: 1, sessions: 3 });

    await neighbour.dispose();
    expect(factory.stats()).toMatchObject({ modules: 1, brokenModules: 0, sessions: 2 });
    expect(await newcomer.eval('"fresh"')).toBe('fresh');
    await failing.dispose();
    await newcomer.dispose();
    expect(factory.stats()).toMatchObject({ modules: 1, brokenModules: 0, sessions: 0 });
  });
});
