import { EvalError } from '@scomp/peer';
import { describe, expect, it } from 'vitest';
import { binding, withSession } from './support.js';

describe('sandbox', () => {
  it('offers no host globals', () =>
    withSession({}, async (runtime) => {
      const names = ['require', 'process', 'module', 'Buffer', 'fetch', 'setInterval', 'queueMicrotask', 'WebAssembly', 'globalThis.os', 'globalThis.std'];
      const kinds = await runtime.eval(`[${names.map((name) => `typeof ${name}`).join(', ')}]`);
      expect(kinds).toEqual(names.map(() => 'undefined'));
    }));

  it('keeps the Function constructor inside the guest', () =>
    withSession({}, async (runtime) => {
      expect(await runtime.eval("(() => {}).constructor.constructor('return typeof process')()")).toBe('undefined');
      expect(await runtime.eval("Function('return this')() === globalThis")).toBe(true);
      expect(await runtime.eval("(0, eval)('typeof require')")).toBe('undefined');
    }));

  it('refuses dynamic import', () =>
    withSession({}, async (runtime) => {
      await expect(runtime.eval("await import('fs')")).rejects.toBeInstanceOf(EvalError);
    }));

  it('hands bindings plain host objects that guest prototype changes cannot reach', () => {
    let received: any;
    const keep = binding('keep', (args) => {
      received = args;
      return { nested: { ok: true } };
    });
    return withSession({ bindings: [keep] }, async (runtime) => {
      await runtime.eval(`
        Object.prototype.polluted = 'yes';
        Array.prototype.push = () => 'hijacked';
        const result = await keep({ list: [1], __proto__: { injected: true } });
        result.nested.__proto__.polluted2 = 'yes';
        result.constructor.constructor('return 1')();
      `);
      expect(({} as any).polluted).toBeUndefined();
      expect(({} as any).polluted2).toBeUndefined();
      expect(Object.getPrototypeOf(received)).toBe(Object.prototype);
      expect(received.injected).toBeUndefined();
      expect([].push).toBe(Array.prototype.push);
    });
  });

  it('does not let a result reach host prototypes through __proto__ keys', () =>
    withSession({}, async (runtime) => {
      const value = (await runtime.eval('JSON.parse(\'{"__proto__": {"polluted": true}}\')')) as object;
      expect(({} as any).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    }));

  it('survives guest tampering with the intrinsics the conversions use', () =>
    withSession({}, async (runtime) => {
      await runtime.eval('JSON.stringify = () => "{}"; JSON.parse = () => 1; Object.keys = () => []; Array.isArray = () => false;');
      expect(await runtime.eval('({ a: [1, 2] })')).toEqual({ a: [1, 2] });
    }));

  it('converts results by the toJSON rule even when the code plants toJSON on Object.prototype', () =>
    withSession({}, async (runtime) => {
      expect(await runtime.eval('Object.prototype.toJSON = () => "x"; ({ a: 1 })')).toBe('x');
      await runtime.eval('delete Object.prototype.toJSON');
      const fn = (await runtime.eval('({ f: () => 1 })')) as { f: (() => Promise<unknown>) & { [Symbol.dispose]: () => void } };
      expect(await fn.f()).toBe(1);
      fn.f[Symbol.dispose]();
    }));

  it('settles evals and binding calls after the code replaces Promise.prototype.then and Promise.resolve', () =>
    withSession({ bindings: [binding('one', () => 1)] }, async (runtime) => {
      await runtime.eval('Promise.prototype.then = function () { return this }; Promise.resolve = () => ({})');
      expect(await runtime.eval('await null; (await one({})) + 1')).toBe(2);
    }));

  it('keeps its own helper frames out of the stacks it reports', () =>
    withSession({}, async (runtime) => {
      const error = (await runtime.eval('new Proxy({}, { get() { throw new Error("trap") } })').catch((e: unknown) => e)) as EvalError;
      expect(error.detail.message).toBe('trap');
      expect(error.detail.stack).toMatch(/\(<eval>:1:/);
      expect(error.detail.stack).not.toMatch(/prelude/);
    }));
});
