import { describe, expect, it } from 'vitest';
import { createFakeRuntimeFactory, FAKE_RUNTIME_CAPABILITIES, runtimeConformance } from '../src/testing/index.js';

runtimeConformance({ describe, it, createFactory: createFakeRuntimeFactory, capabilities: FAKE_RUNTIME_CAPABILITIES });

describe('FakeRuntime', () => {
  it('keeps assignments to undeclared names across evals', async () => {
    const runtime = await createFakeRuntimeFactory().create({ sessionId: 's', bindings: [] });
    await runtime.eval('total = 40');
    expect(await runtime.eval('total + 2')).toBe(42);
    await runtime.dispose();
  });

  it('runs statements as a function body that returns its value', async () => {
    const runtime = await createFakeRuntimeFactory().create({ sessionId: 's', bindings: [] });
    expect(await runtime.eval('const a = 2;\nreturn a * 3;')).toBe(6);
    await runtime.dispose();
  });
});
