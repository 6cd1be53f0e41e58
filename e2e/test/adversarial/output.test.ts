import { describe, expect, it } from 'vitest';
import { handshake, neighbour, serverProcess, stdioWire, wsWire } from '../support/serverUnderTest.js';
import type { RawWire } from '../support/rawWire.js';

// The guest builds 20 MB strings: give it room, so the cut, not the memory limit, is what is seen.
const ROOMY = ['--memory-mb', '256'];
const CUT = /… \[\d+ more characters cut\]$/;

/** Every message the server sent stays far below what the guest tried to send. */
function largestMessage(wire: RawWire): number {
  return Math.max(...wire.received.map((message) => JSON.stringify(message).length));
}

async function hostileOutput(wire: RawWire): Promise<void> {
  expect((await wire.request(1, 'handshake', handshake([{ name: 'console', input: {} }]))).result).toBeDefined();
  const thrown = await wire.request(2, 'eval', { code: 'throw new Error("E".repeat(20e6))' });
  expect(thrown.error.code).toBe(-32020);
  expect(thrown.error.data.name).toBe('Error');
  expect(thrown.error.data.message).toMatch(CUT);
  expect(thrown.error.data.message).toMatch(/^E+… \[19934464 more characters cut\]$/);
  const logged = await wire.request(3, 'eval', { code: 'console.log("L".repeat(20e6)); "logged"' });
  expect(logged.result).toEqual({ value: 'logged' });
  const line = await wire.waitFor((message) => message.method === 'invoke');
  expect(line.params.args.level).toBe('log');
  expect(line.params.args.args).toHaveLength(1);
  expect(line.params.args.args[0]).toMatch(/^L+… \[19934464 more characters cut\]$/);
  expect(largestMessage(wire)).toBeLessThan(200_000);
  expect((await wire.request(4, 'eval', { code: '1 + 1' })).result).toEqual({ value: 2 });
}

describe('output: every message the server sends stays within its limits (scomp-server processes)', () => {
  it('cuts a 20 MB error and a 20 MB console line with a marker (WebSocket), and the neighbour is answered', async () => {
    await using server = await serverProcess(...ROOMY);
    using calm = await neighbour(server.url);
    await using wire = await wsWire(server.url);
    await hostileOutput(wire);
    await calm.check();
  });

  it('cuts a 20 MB error and a 20 MB console line with a marker (stdio)', async () => {
    await using wire = await stdioWire(...ROOMY);
    await hostileOutput(wire);
  });

  it('answers a result past --max-message-bytes with LimitExceeded instead of sending it', async () => {
    await using server = await serverProcess('--max-message-bytes', '100000');
    using calm = await neighbour(server.url);
    await using wire = await wsWire(server.url);
    await wire.request(1, 'handshake', handshake());
    const answer = await wire.request(2, 'eval', { code: '"R".repeat(200000)' });
    expect(answer.error).toMatchObject({ code: -32021, data: { limit: 'messageBytes', max: 100_000 } });
    await calm.check();
  });
});
