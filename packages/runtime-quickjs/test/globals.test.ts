import { describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';

describe('reserved names', () => {
  it('are exactly the globals a session without bindings has, own and inherited', async () => {
    const factory = createQuickJsRuntimeFactory({ runIn: 'main' });
    const runtime = await factory.create({ sessionId: 'sess_globals', bindings: [] });
    try {
      const names = (await runtime.eval(
        '(() => { const names = new Set(); for (let o = globalThis; o; o = Object.getPrototypeOf(o)) for (const n of Object.getOwnPropertyNames(o)) names.add(n); return [...names]; })()',
      )) as string[];
      expect([...factory.reservedNames].sort()).toEqual(names.sort());
    } finally {
      await runtime.dispose();
    }
  });
});
