import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../src/index.js';
import { PendingRequests } from '../src/pending.js';

describe('pending requests', () => {
  it('keeps one abort listener per signal however many requests share it, and none once they settle', async () => {
    const pending = new PendingRequests();
    const controller = new AbortController();
    const calls = Array.from({ length: 50 }, (_, id) => pending.track(id, { signal: controller.signal }));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (let id = 0; id < 25; id++) pending.resolve(id, id);
    expect(await Promise.all(calls.slice(0, 25))).toEqual(Array.from({ length: 25 }, (_, id) => id));
    controller.abort();
    const rest = await Promise.allSettled(calls.slice(25));
    expect(rest.every((outcome) => outcome.status === 'rejected' && outcome.reason instanceof AbortedError)).toBe(true);
    expect(pending.size).toBe(0);

    const reused = new AbortController();
    for (let round = 0; round < 3; round++) {
      const call = pending.track(100 + round, { signal: reused.signal });
      pending.resolve(100 + round, round);
      await call;
    }
    expect(getEventListeners(reused.signal, 'abort')).toHaveLength(0);
  });
});
