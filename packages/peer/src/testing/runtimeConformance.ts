import { CancelledError, EvalError, LimitExceededError } from '../errors.js';
import type { CallContext, HostFunction, Runtime, RuntimeBinding, RuntimeFactory, RuntimeLimits } from '../runtime.js';

/** What a runtime under test can do beyond the core contract. Every flag defaults to `true`. */
export interface RuntimeCapabilities {
  /** Top-level `const`/`let`/`function`/`class` persist across evals and may be redeclared later. */
  declarations?: boolean;
  /** Code that never yields (`while (true) {}`) is interrupted by a cancel or a time limit. */
  interruptsRunningCode?: boolean;
  /**
   * A cancel reaches code that never yields (`while (true) {}`) while it runs, well before its time
   * limit: the runtime runs guest code off the thread that receives the cancel.
   */
  cancelsBusyCode?: boolean;
  /** Line numbers in `EvalError` stacks refer to lines of the submitted code. */
  stackLines?: boolean;
}

export interface RuntimeConformanceOptions {
  /** The test framework's `describe` (vitest, node:test, mocha, …). */
  describe: (name: string, body: () => void) => void;
  /** The test framework's `it`; the suite relies on its timeout to fail a test that waits forever. */
  it: (name: string, body: () => Promise<void>) => void;
  createFactory: () => RuntimeFactory | Promise<RuntimeFactory>;
  capabilities?: RuntimeCapabilities;
}

/** What a {@link testBinding} runs per call; its result (or a promise of it) is the call's result. */
// Test bindings destructure whatever arguments their case sends; their schemas are not the point.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestBindingHandler = (args: any, context: CallContext) => unknown;

/** A runtime binding from a plain function, recording its calls. */
export function testBinding(name: string, handler: TestBindingHandler): RuntimeBinding & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    meta: { name, input: {} },
    calls,
    call: async (args, context) => {
      calls.push(args);
      return handler(args, context);
    },
  };
}

function fail(message: string): never {
  throw new Error(`runtime conformance: ${message}`);
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value, (_, item: unknown) => (typeof item === 'bigint' ? `${item}n` : item)) ?? String(value);
  } catch {
    return String(value);
  }
}

function deepEqual(actual: unknown, expected: unknown): boolean {
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) {
    return Object.is(actual, expected);
  }
  if (Array.isArray(actual) !== Array.isArray(expected)) return false;
  const actualKeys = Object.keys(actual);
  const expectedKeys = Object.keys(expected);
  if (actualKeys.length !== expectedKeys.length) return false;
  return expectedKeys.every(
    (key) => Object.hasOwn(actual, key) && deepEqual((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]),
  );
}

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  if (!deepEqual(actual, expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    const value = await promise;
    return fail(`${what}: expected a rejection, got ${show(value)}`);
  } catch (error) {
    return error;
  }
}

async function assertRejects<T extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: any[]) => T,
  what: string,
): Promise<T> {
  const error = await rejection(promise, what);
  if (!(error instanceof type)) fail(`${what}: expected ${type.name}, got ${show(error)} (${String(error)})`);
  return error;
}

function asFunction(value: unknown, what: string): HostFunction {
  if (typeof value !== 'function') fail(`${what}: expected a function, got ${show(value)}`);
  return value as HostFunction;
}

/**
 * The contract every {@link Runtime} implementation must meet, as framework-agnostic tests.
 * Code under test is written as single expressions where possible, so runtimes without
 * statement-level REPL semantics can run it; the rest is gated by {@link RuntimeCapabilities}.
 */
export function runtimeConformance(options: RuntimeConformanceOptions): void {
  const { describe, it } = options;
  const can = { declarations: true, interruptsRunningCode: true, cancelsBusyCode: true, stackLines: true, ...options.capabilities };
  let sessions = 0;

  async function withRuntime(
    setup: { bindings?: RuntimeBinding[]; limits?: RuntimeLimits },
    body: (runtime: Runtime) => Promise<void>,
  ): Promise<void> {
    const factory = await options.createFactory();
    const runtime = await factory.create({
      sessionId: `conformance_${++sessions}`,
      bindings: setup.bindings ?? [],
      ...(setup.limits ? { limits: setup.limits } : {}),
    });
    try {
      await body(runtime);
    } finally {
      await runtime.dispose();
    }
  }

  describe('runtime conformance', () => {
    describe('evaluation', () => {
      it('returns the value of the final expression', () =>
        withRuntime({}, async (runtime) => {
          assertEqual(await runtime.eval('1 + 2'), 3, 'arithmetic');
          assertEqual(await runtime.eval("['a', 'b'].join('-')"), 'a-b', 'string');
          assertEqual(await runtime.eval('({ a: [1, { b: null }] })'), { a: [1, { b: null }] }, 'object');
          assertEqual(await runtime.eval('undefined'), undefined, 'undefined');
        }));

      it('supports top-level await', () =>
        withRuntime({}, async (runtime) => {
          assertEqual(await runtime.eval('await Promise.resolve(41) + 1'), 42, 'awaited value');
        }));

      if (can.declarations) {
        it('keeps top-level declarations across evals and allows redeclaring them', () =>
          withRuntime({}, async (runtime) => {
            await runtime.eval('const o = { id: "o_001" }; let n = 1; function twice(x) { return 2 * x } class P {}');
            assertEqual(await runtime.eval('[o.id, n, twice(2), typeof P]'), ['o_001', 1, 4, 'function'], 'persisted');
            assertEqual(await runtime.eval('const o = { id: "o_002" }; o.id'), 'o_002', 'redeclared const');
            assertEqual(await runtime.eval('let n = 5; n'), 5, 'redeclared let');
          }));
      }
    });

    describe('bindings', () => {
      it('exposes bindings as async global functions taking one argument', () => {
        const getOrder = testBinding('getOrder', (args: { id: string }) => ({ id: args.id, total: 142.5 }));
        return withRuntime({ bindings: [getOrder] }, async (runtime) => {
          assertEqual(await runtime.eval('typeof getOrder'), 'function', 'typeof');
          assertEqual(await runtime.eval('(await getOrder({ id: "o_001" })).total'), 142.5, 'result');
          assertEqual(await runtime.eval('getOrder({ id: "o_002" }) instanceof Promise'), true, 'returns a promise');
          assertEqual(getOrder.calls, [{ id: 'o_001' }, { id: 'o_002' }], 'arguments');
        });
      });

      it('reaches dotted names through namespace objects', () => {
        const query = testBinding('db.query', (args: { sql: string }) => [args.sql]);
        const count = testBinding('db.stats.count', () => 7);
        return withRuntime({ bindings: [query, count] }, async (runtime) => {
          assertEqual(await runtime.eval('typeof db'), 'object', 'namespace');
          assertEqual(await runtime.eval('await db.query({ sql: "select 1" })'), ['select 1'], 'query');
          assertEqual(await runtime.eval('await db.stats.count({})'), 7, 'nested');
        });
      });

      it('installs client bindings and replaces them on every call', () =>
        withRuntime({}, async (runtime) => {
          runtime.setClientBindings([testBinding('alpha', () => 'a'), testBinding('ui.show', () => 'shown')]);
          assertEqual(await runtime.eval('await alpha({})'), 'a', 'first list');
          assertEqual(await runtime.eval('await ui.show({})'), 'shown', 'namespaced');
          runtime.setClientBindings([testBinding('beta', () => 'b')]);
          assertEqual(await runtime.eval('[typeof alpha, typeof beta]'), ['undefined', 'function'], 'replaced list');
          assertEqual(await runtime.eval('await beta({})'), 'b', 'second list');
        }));

      it('rejects in the guest when a binding fails, where code can catch it', () => {
        const failing = testBinding('failing', () => {
          throw new Error('no such order');
        });
        return withRuntime({ bindings: [failing] }, async (runtime) => {
          const caught = await runtime.eval('await failing({}).then(() => "resolved", (e) => e instanceof Error)');
          assertEqual(caught, true, 'caught as an Error');
        });
      });

      it('routes console output to a client console binding, and drops it without one', () =>
        withRuntime({}, async (runtime) => {
          assertEqual(await runtime.eval('(console.log("dropped"), 1)'), 1, 'without binding');
          const sink = testBinding('console', () => undefined);
          runtime.setClientBindings([sink]);
          assertEqual(await runtime.eval('(console.warn("careful", { n: 1 }), 2)'), 2, 'with binding');
          await Promise.resolve();
          assertEqual(sink.calls, [{ level: 'warn', args: ['careful', { n: 1 }] }], 'console call');
          assertEqual(await runtime.eval('typeof console.log'), 'function', 'console object');
        }));
    });

    describe('function values', () => {
      it('turns a guest function into a HostFunction', () =>
        withRuntime({}, async (runtime) => {
          const baseline = runtime.stats().liveFunctions;
          const fn = asFunction(await runtime.eval('async (args) => args.n + 1'), 'result');
          assertEqual(await fn({ n: 41 }), 42, 'call');
          const nested = (await runtime.eval('({ inc: (a) => a.n + 1, name: "x" })')) as { inc: HostFunction; name: string };
          assertEqual(await asFunction(nested.inc, 'nested')({ n: 1 }), 2, 'nested call');
          fn[Symbol.dispose]?.();
          nested.inc[Symbol.dispose]?.();
          assertEqual(runtime.stats().liveFunctions, baseline, 'live functions after dispose');
        }));

      it('turns a HostFunction into a guest async function', () => {
        const makeFn = testBinding('makeFn', () => ({ double: async (args: { x: number }) => args.x * 2 }));
        return withRuntime({ bindings: [makeFn] }, async (runtime) => {
          assertEqual(await runtime.eval('await (await makeFn({})).double({ x: 21 })'), 42, 'call from guest');
        });
      });

      it('passes guest functions to bindings, which may call back into the guest', () => {
        const apply = testBinding('apply', async (args: { fn: HostFunction; value: number }) => {
          const result = (await args.fn(args.value)) as number;
          args.fn[Symbol.dispose]?.();
          return result + 1;
        });
        const twice = testBinding('twice', (args: { n: number }) => args.n * 2);
        return withRuntime({ bindings: [apply, twice] }, async (runtime) => {
          const value = await runtime.eval('await apply({ fn: async (v) => (await twice({ n: v })) * 3, value: 5 })');
          assertEqual(value, 31, 'guest → binding → guest → binding');
          assertEqual(runtime.stats().liveFunctions, 0, 'live functions after the call');
        });
      });
    });

    describe('errors', () => {
      it('rejects with EvalError carrying the thrown name and message', () =>
        withRuntime({}, async (runtime) => {
          const thrown = await assertRejects(runtime.eval('(() => { throw new TypeError("boom") })()'), EvalError, 'throw');
          assertEqual([thrown.detail.name, thrown.detail.message], ['TypeError', 'boom'], 'detail');
          const rejected = await assertRejects(runtime.eval('await Promise.reject(new RangeError("r"))'), EvalError, 'rejected');
          assertEqual([rejected.detail.name, rejected.detail.message], ['RangeError', 'r'], 'rejected detail');
          const plain = await assertRejects(runtime.eval('(() => { throw "just text" })()'), EvalError, 'non-Error');
          assertEqual([plain.detail.name, plain.detail.message], ['Thrown', 'just text'], 'non-Error detail');
          assertEqual(await runtime.eval('1'), 1, 'usable afterwards');
        }));

      if (can.stackLines) {
        it('reports stack line numbers of the submitted code', () =>
          withRuntime({}, async (runtime) => {
            const error = await assertRejects(runtime.eval('1;\n2;\nthrow new Error("line three")'), EvalError, 'throw');
            const stack = error.detail.stack ?? '';
            if (!/:3:\d+/.test(stack)) fail(`stack does not point at line 3: ${stack}`);
          }));
      }
    });

    describe('cancellation and limits', () => {
      it('rejects with CancelledError when the signal aborts while a binding is pending', () => {
        const never = testBinding('never', () => new Promise(() => {}));
        return withRuntime({ bindings: [never] }, async (runtime) => {
          const controller = new AbortController();
          const pending = runtime.eval('await never({})', { signal: controller.signal });
          await Promise.resolve();
          controller.abort();
          await assertRejects(pending, CancelledError, 'parked eval');
          const aborted = new AbortController();
          aborted.abort();
          await assertRejects(runtime.eval('1', { signal: aborted.signal }), CancelledError, 'already aborted');
          assertEqual(await runtime.eval('2'), 2, 'usable afterwards');
        });
      });

      if (can.interruptsRunningCode) {
        it('interrupts running code on cancel', () =>
          withRuntime({}, async (runtime) => {
            const controller = new AbortController();
            // Guest code that keeps the interpreter busy through promise jobs only.
            const pending = runtime.eval('for (;;) await null', { signal: controller.signal });
            setTimeout(() => controller.abort(), 0);
            await assertRejects(pending, CancelledError, 'busy eval');
            assertEqual(await runtime.eval('4'), 4, 'usable afterwards');
          }));

        if (can.cancelsBusyCode) {
          it('interrupts code that never yields on cancel, before its time limit', () =>
            withRuntime({ limits: { evalTimeoutMs: 600_000 } }, async (runtime) => {
              const controller = new AbortController();
              const pending = runtime.eval('while (true) {}', { signal: controller.signal });
              setTimeout(() => controller.abort(), 0);
              await assertRejects(pending, CancelledError, 'busy loop');
              assertEqual(await runtime.eval('5'), 5, 'usable afterwards');
            }));
        }

        it('ends an endless loop with LimitExceeded time and stays usable', () =>
          withRuntime({ limits: { evalTimeoutMs: 50 } }, async (runtime) => {
            const error = await assertRejects(runtime.eval('while (true) {}'), LimitExceededError, 'endless loop');
            assertEqual(error.detail.limit, 'time', 'limit kind');
            assertEqual(await runtime.eval('3'), 3, 'usable afterwards');
          }));
      }
    });

    describe('values', () => {
      it('converts values that JSON cannot carry', () =>
        withRuntime({}, async (runtime) => {
          const value = await runtime.eval(`({
            missing: undefined,
            list: [undefined, NaN, Infinity, -Infinity, -0, Symbol('s')],
            big: 12345678901234567890n,
            date: new Date(0),
            map: new Map([['k', 1]]),
            set: new Set(['a', 'b']),
            bytes: new Uint8Array([1, 2]),
            buffer: new Uint8Array([3]).buffer,
            error: new RangeError('bad'),
            instance: new (class Point { constructor() { this.x = 1 } })(),
            symbol: Symbol('gone'),
            [Symbol('key')]: 1,
            custom: { toJSON() { return 'custom' } },
          })`);
          assertEqual(
            value,
            {
              list: [null, null, null, null, 0, null],
              big: '12345678901234567890',
              date: '1970-01-01T00:00:00.000Z',
              map: [['k', 1]],
              set: ['a', 'b'],
              bytes: [1, 2],
              buffer: [3],
              error: { name: 'RangeError', message: 'bad' },
              instance: { x: 1 },
              custom: 'custom',
            },
            'converted',
          );
          assertEqual(await runtime.eval("Symbol('top')"), undefined, 'top-level symbol');
          assertEqual(await runtime.eval('-0'), 0, 'negative zero');
        }));

      it('rejects a cyclic result with a TypeError naming the path', () =>
        withRuntime({}, async (runtime) => {
          const error = await assertRejects(
            runtime.eval('(() => { const o = { a: { b: {} } }; o.a.b.back = o; return o })()'),
            EvalError,
            'cycle',
          );
          assertEqual(error.detail.name, 'TypeError', 'name');
          assertEqual(error.detail.message, 'result contains a cycle at /a/b/back', 'message');
        }));

      it('ends a result over resultBytes with LimitExceeded', () =>
        withRuntime({ limits: { resultBytes: 1000 } }, async (runtime) => {
          const error = await assertRejects(runtime.eval("'x'.repeat(5000)"), LimitExceededError, 'large result');
          assertEqual(error.detail.limit, 'resultBytes', 'limit kind');
        }));
    });

    describe('dispose', () => {
      it('rejects pending and later work', () => {
        const never = testBinding('never', () => new Promise(() => {}));
        return withRuntime({ bindings: [never] }, async (runtime) => {
          const fn = asFunction(await runtime.eval('() => 1'), 'function');
          const pending = runtime.eval('await never({})');
          await Promise.resolve();
          await runtime.dispose();
          await rejection(pending, 'pending eval');
          await rejection(runtime.eval('1'), 'eval after dispose');
          await rejection(fn(), 'function after dispose');
        });
      });
    });
  });
}
