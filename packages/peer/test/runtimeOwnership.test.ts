import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Server, defineBinding, type RuntimeFactory } from '../src/index.js';
import { createFakeRuntimeFactory } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';

/** A fake factory that counts its `close` calls. */
function countingFactory(extra: Partial<RuntimeFactory> = {}) {
  const counts = { closed: 0 };
  const factory: RuntimeFactory = {
    ...createFakeRuntimeFactory(),
    close: () => {
      counts.closed++;
    },
    ...extra,
  };
  return { factory, counts };
}

describe('runtime factory ownership', () => {
  it('closes a factory the server created, once, after its sessions', async () => {
    const { factory, counts } = countingFactory();
    let created = 0;
    const fixture = memoryServer({
      runtime: () => {
        created++;
        return factory;
      },
    });
    const client = await fixture.connect();
    expect(await client.eval('1 + 1')).toBe(2);
    expect(created).toBe(1);
    await Promise.all([fixture.server.close(), fixture.server.close()]);
    expect(counts.closed).toBe(1);
    expect(fixture.server.stats().sessions).toBe(0);
    await fixture[Symbol.asyncDispose]();
    expect(counts.closed).toBe(1);
  });

  it('leaves a factory passed in open for its owner to close', async () => {
    const { factory, counts } = countingFactory();
    {
      await using fixture = memoryServer({ runtime: factory });
      const client = await fixture.connect();
      expect(await client.eval('40 + 2')).toBe(42);
    }
    expect(counts.closed).toBe(0);
  });

  it('closes a factory it created when its own bindings turn out to be invalid', () => {
    const { factory, counts } = countingFactory({ reservedNames: new Set(['Object']) });
    const bad = defineBinding({ name: 'Object.keys', input: Type.Object({}), output: Type.Null(), handler: () => null });
    expect(() => new Server({ runtime: () => factory, bindings: [bad] })).toThrow(/Object/);
    expect(counts.closed).toBe(1);
  });
});
