import { describe, expect, it } from 'vitest';
import { memoryServer } from './support/fixture.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';

describe('stored eval outcomes', () => {
  it('keeps settled outcomes within maxStoredOutcomeBytes, forgetting the oldest first', async () => {
    let runs = 0;
    const runtime = scriptRuntimeFactory({ big: () => `${++runs}`.padEnd(1_000, '.') });
    await using fixture = memoryServer({ runtime, maxStoredOutcomeBytes: 2_500 });
    const client = await fixture.connect();
    for (const key of ['a', 'b', 'c']) await client.eval('big', { key });
    expect(runs).toBe(3);
    // 'a' was forgotten to make room for 'c'; 'b' and 'c' are answered from the store.
    expect(String(await client.eval('big', { key: 'b' }))[0]).toBe('2');
    expect(String(await client.eval('big', { key: 'c' }))[0]).toBe('3');
    expect(String(await client.eval('big', { key: 'a' }))[0]).toBe('4');
    expect(runs).toBe(4);
  });

  it('does not keep an outcome larger than the whole budget', async () => {
    let runs = 0;
    const runtime = scriptRuntimeFactory({
      huge: () => {
        runs++;
        return 'x'.repeat(5_000);
      },
    });
    await using fixture = memoryServer({ runtime, maxStoredOutcomeBytes: 1_000 });
    const client = await fixture.connect();
    await client.eval('huge', { key: 'k' });
    await client.eval('huge', { key: 'k' });
    expect(runs).toBe(2);
  });
});

describe('server shutdown', () => {
  it('closes even when a runtime fails to free itself, and reports the failure as a fault', async () => {
    const faults: unknown[] = [];
    const runtime = scriptRuntimeFactory({ one: () => 1 });
    const fixture = memoryServer({ runtime, onFault: (error) => faults.push(error) });
    const client = await fixture.connect();
    expect(await client.eval('one')).toBe(1);
    runtime.runtimes[0]!.dispose = () => {
      throw new Error('instance aborted');
    };
    await expect(fixture.server.close()).resolves.toBeUndefined();
    expect(faults).toEqual([new Error('instance aborted')]);
    expect(fixture.server.stats().sessions).toBe(0);
  });
});
