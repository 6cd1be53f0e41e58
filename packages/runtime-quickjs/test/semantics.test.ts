import { readFileSync } from 'node:fs';
import { EvalError, InvalidParamsError, type HostFunction } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { rewriteDeclarations } from '../src/rewrite.js';
import { binding, withSession } from './support.js';

describe('evaluation semantics', () => {
  it('keeps an awaited declaration for the next eval, as in the issue example', () =>
    withSession({ bindings: [binding('getOrder', (args) => ({ id: args.id, total: 142.5 }))] }, async (runtime) => {
      expect(await runtime.eval("const o = await getOrder({ id: 'o_001' }); o.total")).toBe(142.5);
      expect(await runtime.eval('o.id')).toBe('o_001');
    }));

  it('lets a later eval redeclare let, const, class and function names', () =>
    withSession({}, async (runtime) => {
      await runtime.eval('const a = 1; let b = 2; class C { v() { return 1 } } function f() { return 1 }');
      await runtime.eval('const a = 10; let b; class C { v() { return 2 } } function f() { return 2 }');
      // `let b;` resets b to undefined, which an array carries as null.
      expect(await runtime.eval('[a, b, new C().v(), f()]')).toEqual([10, null, 2, 2]);
    }));

  it('keeps block-scoped declarations block-scoped', () =>
    withSession({}, async (runtime) => {
      expect(await runtime.eval('for (let i = 0; i < 2; i++) {} typeof i')).toBe('undefined');
      expect(await runtime.eval('{ const hidden = 1 } typeof hidden')).toBe('undefined');
    }));

  it('rewrites declarations without moving lines', () => {
    const code = 'const a = 1;\nlet b;\nclass C {}\nthrow new Error("x")';
    const rewritten = rewriteDeclarations(code);
    expect(rewritten.split('\n')).toHaveLength(4);
    expect(rewritten).toBe('var   a = 1;\nvar b = void 0;\nvar C = class C {};\nthrow new Error("x")');
  });

  it('reports a syntax error as EvalError SyntaxError', () =>
    withSession({}, async (runtime) => {
      const error = await runtime.eval('let = = 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EvalError);
      expect((error as EvalError).detail.name).toBe('SyntaxError');
    }));

  it('fails the code of the spec example eval-error with exactly the error the spec shows', () =>
    withSession({}, async (runtime) => {
      const example = JSON.parse(readFileSync(new URL('../../../spec/examples/eval-error.json', import.meta.url), 'utf8')) as {
        messages: [{ message: { params: { code: string } } }, { message: { error: { code: number; message: string; data: unknown } } }];
      };
      const [request, response] = example.messages;
      const error = (await runtime.eval(request.message.params.code).catch((e: unknown) => e)) as EvalError;
      expect(error).toBeInstanceOf(EvalError);
      expect({ code: error.code, message: error.message, data: error.detail }).toEqual(response.message.error);
    }));

  it('names the submitted code <eval> in stack frames, its lines counted from its first line', () =>
    withSession({}, async (runtime) => {
      // The declarations on the first lines are rewritten before the code runs: the lines must not move.
      const code = 'class Box {}\nlet n = 1\nfunction f() {\n  null.x\n}\nf()';
      const error = (await runtime.eval(code).catch((e: unknown) => e)) as EvalError;
      expect(error.detail.stack?.split('\n')).toEqual([expect.stringMatching(/^ {4}at f \(<eval>:4:\d+\)$/), expect.stringMatching(/^ {4}at <eval> \(<eval>:6:\d+\)$/), '']);
    }));

  it('reports the line of an error thrown after an await', () =>
    withSession({}, async (runtime) => {
      const error = (await runtime.eval('await null;\n\nthrow new Error("late")').catch((e: unknown) => e)) as EvalError;
      expect(error.detail.stack).toMatch(/\(<eval>:3:/);
    }));

  it('reports an uncaught binding failure with its wire code, data and the calling line', () =>
    withSession(
      {
        bindings: [
          binding('getOrder', () => {
            throw new InvalidParamsError('invalid params', { issues: [{ path: '/id', message: 'must be string' }] });
          }),
        ],
      },
      async (runtime) => {
        const code = 'const x = 1;\nawait getOrder({ id: 5 })';
        const error = (await runtime.eval(code).catch((e: unknown) => e)) as EvalError;
        expect(error).toBeInstanceOf(EvalError);
        expect(error.detail).toMatchObject({
          name: 'InvalidParamsError',
          code: -32602,
          data: { issues: [{ path: '/id', message: 'must be string' }] },
        });
        expect(error.detail.stack).toMatch(/\(<eval>:2:/);
        expect(error.detail.stack).not.toMatch(/prelude/);
        // A peer that sent only "invalid params" still gets the issue named in the guest's message.
        expect(error.detail.message).toBe('invalid params: /id must be string');
        expect(error.message).toBe('InvalidParamsError: invalid params: /id must be string');
      },
    ));

  it('fails an eval that awaits a promise nothing can settle, instead of waiting forever', () =>
    withSession({ bindings: [binding('echo', (args) => args)] }, async (runtime) => {
      const error = await runtime.eval('await new Promise(() => {})').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EvalError);
      expect((error as EvalError).detail).toMatchObject({ name: 'Error', message: expect.stringMatching(/nothing can settle/) });
      // Also once the last call that could have settled it was answered.
      const afterCall = await runtime.eval('const never = new Promise(() => {}); await echo({}); await never').catch((caught: unknown) => caught);
      expect(afterCall).toBeInstanceOf(EvalError);
      // A pending timer or call can still settle what the eval awaits.
      expect(await runtime.eval('await new Promise((resolve) => setTimeout(() => resolve("timer"), 1))')).toBe('timer');
      expect(await runtime.eval('let done; const later = new Promise((resolve) => (done = resolve)); echo({}).then(() => done("call")); await later')).toBe('call');
    }));

  it('keeps waiting while the host holds a function of the session that could settle the promise', () =>
    withSession({}, async (runtime) => {
      const { open } = (await runtime.eval('var release; var gate = new Promise((resolve) => (release = resolve)); ({ open: () => release("opened") })')) as {
        open: HostFunction;
      };
      const waiting = runtime.eval('await gate');
      await open();
      expect(await waiting).toBe('opened');
      open[Symbol.dispose]?.();
    }));

  it('awaits a promise given as the final value', () =>
    withSession({ bindings: [binding('getOrder', () => ({ total: 1 }))] }, async (runtime) => {
      expect(await runtime.eval('getOrder({})')).toEqual({ total: 1 });
    }));

  it('gives bindings the session id and an abort signal', () => {
    const seen: string[] = [];
    return withSession({ bindings: [binding('who', (_, context) => seen.push(context.sessionId))] }, async (runtime) => {
      await runtime.eval('await who({})');
      expect(seen).toEqual(['sess_test']);
    });
  });

  it('runs concurrent binding calls and nested callbacks without blocking each other', () => {
    const later = binding('later', async (args: { fn: (a: unknown) => Promise<unknown>; n: number }) => {
      const value = await args.fn({ n: args.n });
      (args.fn as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
      return value;
    });
    return withSession({ bindings: [later] }, async (runtime) => {
      const value = await runtime.eval('await Promise.all([1, 2, 3].map((n) => later({ n, fn: async (a) => a.n * 10 })))');
      expect(value).toEqual([10, 20, 30]);
      expect(runtime.stats().liveFunctions).toBe(0);
    });
  });

  it('converts plain data, shared objects and mixed values the same whichever way the conversion takes', () =>
    withSession({ factory: { runIn: 'main' } }, async (runtime) => {
      // Plain data leaves through the native JSON.stringify; a shared object, a Map or a getter next
      // to them sends the value through the full walk. Both give the conversion table's result.
      expect(await runtime.eval('({ n: -0, inf: Infinity, s: "é", list: [1, undefined, Symbol()], skip: undefined })')).toEqual({
        n: 0,
        inf: null,
        s: 'é',
        list: [1, null, null],
      });
      expect(await runtime.eval('const shared = { a: 1 }; ({ x: shared, y: [shared] })')).toEqual({ x: { a: 1 }, y: [{ a: 1 }] });
      // A getter read before the plain path gave up (at the Map) runs once more for the walk.
      expect(await runtime.eval('let reads = 0; const g = { get v() { return ++reads } }; [g, new Map([[1, 2]])]')).toEqual([{ v: 2 }, [[1, 2]]]);
      expect(await runtime.eval('reads')).toBe(2);
      expect(await runtime.eval('let once = 0; ({ get v() { return ++once } })')).toEqual({ v: 1 });
      expect(await runtime.eval('once')).toBe(1);
    }));

  it('converts typed arrays, DataView and BigInt arrays', () =>
    withSession({}, async (runtime) => {
      expect(await runtime.eval('[new DataView(new Uint8Array([7, 8]).buffer), new BigInt64Array([5n]), new Float64Array([NaN])]')).toEqual([
        [7, 8],
        ['5'],
        [null],
      ]);
    }));

  it('keeps a __proto__ key an ordinary property of a result holding functions', () =>
    withSession({}, async (runtime) => {
      const value = (await runtime.eval('({ ["__proto__"]: () => 1 })')) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(typeof Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('function');
      (value['__proto__'] as { [Symbol.dispose]: () => void })[Symbol.dispose]();
    }));

  it('disposes HostFunctions it still holds when the session is disposed', async () => {
    let disposed = 0;
    const make = binding('make', () => {
      const fn = Object.assign(async () => 1, { [Symbol.dispose]: () => void disposed++ });
      return { fn };
    });
    await withSession({ bindings: [make] }, async (runtime) => {
      expect(await runtime.eval('const made = await make({}); await made.fn()')).toBe(1);
      expect(disposed).toBe(0);
    });
    expect(disposed).toBe(1);
  });
});
