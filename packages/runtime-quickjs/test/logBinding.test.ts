import { describe, expect, it } from 'vitest';
import { createQuickJsRuntimeFactory } from '../src/index.js';

describe('the log client binding', () => {
  for (const runIn of ['main', 'worker'] as const) {
    it(`is sent as notifications, in order, and resolves at once in the guest (${runIn})`, async () => {
      const factory = createQuickJsRuntimeFactory({ runIn });
      try {
        const runtime = await factory.create({ sessionId: 's', bindings: [] });
        const notified: unknown[] = [];
        const called: unknown[] = [];
        runtime.setClientBindings([
          {
            meta: { name: 'log', input: {} },
            call: async (args) => {
              called.push(args);
              return new Promise(() => {});
            },
            notify: (args) => notified.push(args),
          },
        ]);
        expect(await runtime.eval('for (let i = 0; i < 3; i++) await log({ level: "info", message: "step " + i }); "done"')).toBe('done');
        await expect.poll(() => notified.length).toBe(3);
        expect(notified).toEqual([0, 1, 2].map((i) => ({ level: 'info', message: `step ${i}` })));
        expect(called).toEqual([]);
        await runtime.dispose();
      } finally {
        await factory.close();
      }
    });
  }
});
