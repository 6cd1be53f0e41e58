import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostFunction } from '@scomp/peer';
import { memoryChain, transparent } from './support/memoryChain.js';

// The server's FakeRuntime evaluates host JavaScript: a result of 2 MiB and a few characters JSON escapes.
const LARGE = `'x'.repeat(2 * 1024 * 1024) + '\\u00e9\\n"end"'`;
const expected = `${'x'.repeat(2 * 1024 * 1024)}é\n"end"`;

/** The texts of more than 1 MiB that `JSON.parse` was given since `spy` was made. */
function largeParses(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map(([text]) => text as string).filter((text) => text.length > 1024 * 1024);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('eval results through a chain', () => {
  it('pass every component as the JSON text the server sent, parsed only by the client at the head', async () => {
    await using chain = memoryChain([transparent('first'), transparent('second')]);
    const client = await chain.connect();
    const parse = vi.spyOn(JSON, 'parse');
    expect(await client.eval(LARGE)).toBe(expected);
    expect(largeParses(parse)).toHaveLength(1);
  });

  it('still carry functions, which each component passes on as its own references', async () => {
    await using chain = memoryChain([transparent('first'), transparent('second')]);
    const client = await chain.connect();
    const result = (await client.eval('({ label: "twice", twice: async (n) => n * 2 })')) as { label: string; twice: HostFunction };
    expect(result.label).toBe('twice');
    expect(await result.twice(21)).toBe(42);
  });

  it('reach a component that reads them as values', async () => {
    await using chain = memoryChain([
      {
        name: 'measure',
        onEval: async (call, next) => {
          const value = await next(call.code);
          return { length: (value as string).length, tail: (value as string).slice(-5) };
        },
      },
      transparent('second'),
    ]);
    const client = await chain.connect();
    expect(await client.eval(LARGE)).toEqual({ length: expected.length, tail: '"end"' });
  });
});
