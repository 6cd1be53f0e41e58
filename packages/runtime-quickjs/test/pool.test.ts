import { describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';

describe('instance pool', () => {
  it('places at most sessionsPerModule sessions on one instance, also when created concurrently', async () => {
    const factory = createQuickJsRuntimeFactory({ sessionsPerModule: 2 });
    const runtimes = await Promise.all([1, 2, 3].map((n) => factory.create({ sessionId: `s${n}`, bindings: [] })));
    expect(factory.stats()).toMatchObject({ modules: 2, sessions: 3, brokenModules: 0 });
    expect(await Promise.all(runtimes.map((runtime, index) => runtime.eval(`${index} * 2`)))).toEqual([0, 2, 4]);
    for (const runtime of runtimes) runtime.dispose();
    expect(factory.stats().sessions).toBe(0);
  });

  it('drops a retired instance once its last session is gone', async () => {
    const factory = createQuickJsRuntimeFactory({ retireModuleAboveBytes: 1 });
    const first = await factory.create({ sessionId: 'a', bindings: [] });
    const second = await factory.create({ sessionId: 'b', bindings: [] });
    expect(factory.stats().modules).toBe(2);
    first.dispose();
    second.dispose();
    expect(factory.stats().modules).toBe(0);
  });
});
