import { describe, expect, it } from 'vitest';
import { LimitExceededError } from '@scomp/peer';
import { neighbour, serverProcess } from '../support/serverUnderTest.js';

// Each step costs milliseconds of native work between the interpreter's interrupt checks, so only
// the watchdog can stop this loop: it stops the loop's whole thread.
const NATIVE_LOOP = 'let n = 0; for (;;) n += "x".repeat(1e6).length';

/** A session that announces on its console that its endless loop has started, then loops. */
async function looping(url: string): Promise<{ running: Promise<unknown>; close(): void }> {
  const session = await neighbour(url);
  const running = session.client.eval('console.log("looping"); for (;;) {}').catch((e: unknown) => e);
  await session.firstLine();
  return { running, close: () => session.client.close() };
}

// A neighbour sharing a thread with an endless loop would wait for the whole eval time limit (ten
// minutes here): these tests finish only because the neighbour has a thread of its own.
describe('neighbours keep their turn (scomp-server processes)', () => {
  it('answers a neighbour while another session runs for (;;) {}', async () => {
    await using server = await serverProcess('--eval-timeout-ms', '600000');
    using calm = await neighbour(server.url);
    const hostile = await looping(server.url);
    await calm.check();
    hostile.close();
  });

  it('answers a neighbour while three sessions run endless loops on a server of four threads', async () => {
    await using server = await serverProcess('--eval-timeout-ms', '600000', '--worker-threads', '4');
    using calm = await neighbour(server.url);
    const hostile = [await looping(server.url), await looping(server.url), await looping(server.url)];
    await calm.check();
    // A fifth session must share a thread: it goes to the one running no guest code, the neighbour's.
    using late = await neighbour(server.url);
    await late.check();
    await calm.check();
    for (const session of hostile) session.close();
  });

  it('keeps the neighbour state when the watchdog stops a thread whose loop of native steps overran its limit', async () => {
    await using server = await serverProcess('--eval-timeout-ms', '200');
    using calm = await neighbour(server.url);
    using culprit = await neighbour(server.url);
    const error = await culprit.client.eval(NATIVE_LOOP).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).detail).toMatchObject({ limit: 'time', sessionReset: true });
    await calm.check();
  });
});
