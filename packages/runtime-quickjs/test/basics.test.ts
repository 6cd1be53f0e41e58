import { describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';

const factory = createQuickJsRuntimeFactory();
const binding = (name: string, fn: (args: any) => unknown) => ({ meta: { name, input: {} }, call: async (args: unknown) => fn(args) });

describe('smoke', () => {
  it('works', async () => {
    const rt = await factory.create({ sessionId: 's', bindings: [binding('getOrder', (a) => ({ id: a.id, total: 142.5 })), binding('db.query', (a) => [a])] });
    expect(await rt.eval('const o = await getOrder({ id: "o_001" }); o.total')).toBe(142.5);
    expect(await rt.eval('o.id')).toBe('o_001');
    expect(await rt.eval('const o = 5; o')).toBe(5);
    expect(await rt.eval('await db.query({ q: 1 })')).toEqual([{ q: 1 }]);
    expect(await rt.eval('getOrder({ id: "x" })')).toEqual({ id: 'x', total: 142.5 });
    await expect(rt.eval('\n\nthrow new TypeError("boom")')).rejects.toMatchObject({ data: { name: 'TypeError', message: 'boom' } });
    const f = (await rt.eval('(x) => x.a * 2')) as any;
    expect(await f({ a: 21 })).toBe(42);
    f[Symbol.dispose]();
    expect(rt.stats().liveFunctions).toBe(0);
    await rt.dispose();
  });
});
