import { ConnectionClosedError } from '../errors.js';
import type { Transport, TransportCloseInfo, TransportHandler } from '../transport.js';

/** Two connected transports under test, and how to release what the pair holds (servers, processes). */
export interface TransportPair {
  client: Transport;
  server: Transport;
  dispose(): Promise<void>;
}

export interface TransportConformanceOptions {
  /** The test framework's `describe` (vitest, node:test, mocha, …). */
  describe: (name: string, body: () => void) => void;
  /** The test framework's `it`; the suite relies on its timeout to fail a test that waits forever. */
  it: (name: string, body: () => Promise<void>) => void;
  createPair: () => Promise<TransportPair>;
}

/** Records what a transport delivers and flags contract violations as they happen. */
class Recorder implements TransportHandler {
  readonly messages: string[] = [];
  readonly closes: TransportCloseInfo[] = [];
  readonly violations: string[] = [];
  private waiters: Array<() => void> = [];

  message(data: string): void {
    if (this.closes.length > 0) this.violations.push(`message delivered after close: ${data.slice(0, 40)}`);
    this.messages.push(data);
    this.wake();
  }

  close(info: TransportCloseInfo): void {
    if (this.closes.length > 0) this.violations.push('close delivered more than once');
    this.closes.push(info);
    this.wake();
  }

  /** Resolves once `predicate` holds; re-checked after every delivery. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  untilMessages(count: number): Promise<void> {
    return this.until(() => this.messages.length >= count);
  }

  untilClosed(): Promise<void> {
    return this.until(() => this.closes.length > 0);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

function fail(message: string): never {
  throw new Error(`transport conformance: ${message}`);
}

function assertEqualList(actual: readonly string[], expected: readonly string[], what: string): void {
  if (actual.length !== expected.length) fail(`${what}: expected ${expected.length} messages, got ${actual.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      fail(`${what}: message ${i} differs (expected ${JSON.stringify(expected[i]?.slice(0, 60))}, got ${JSON.stringify(actual[i]?.slice(0, 60))})`);
    }
  }
}

function assertNoViolations(...recorders: Recorder[]): void {
  for (const recorder of recorders) if (recorder.violations.length > 0) fail(recorder.violations.join('; '));
}

/**
 * Lets in-flight I/O land without waiting for any particular event: a few macrotask turns.
 * Used only where the assertion holds whatever the timing (it just makes the check meaningful).
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

const message = (side: string, index: number): string =>
  JSON.stringify({ jsonrpc: '2.0', method: 'invoke', params: { name: side, args: { index } } });

/**
 * The shared contract every {@link Transport} must meet, as a framework-agnostic test suite.
 * Messages are compact JSON texts, as scomp sends them.
 */
export function transportConformance(options: TransportConformanceOptions): void {
  const { describe, it, createPair } = options;

  async function withPair(
    body: (pair: TransportPair, client: Recorder, server: Recorder) => Promise<void>,
    startBoth = true,
  ): Promise<void> {
    const pair = await createPair();
    const client = new Recorder();
    const server = new Recorder();
    try {
      if (startBoth) {
        pair.client.start(client);
        pair.server.start(server);
      }
      await body(pair, client, server);
    } finally {
      await pair.dispose();
    }
    assertNoViolations(client, server);
  }

  async function exchange(pair: TransportPair, client: Recorder, server: Recorder, count: number): Promise<void> {
    const fromClient = Array.from({ length: count }, (_, i) => message('client', i));
    const fromServer = Array.from({ length: count }, (_, i) => message('server', i));
    for (let i = 0; i < count; i++) {
      pair.client.send(fromClient[i]!);
      pair.server.send(fromServer[i]!);
    }
    await Promise.all([server.untilMessages(count), client.untilMessages(count)]);
    assertEqualList(server.messages, fromClient, 'client → server');
    assertEqualList(client.messages, fromServer, 'server → client');
  }

  describe('transport conformance', () => {
    it('delivers messages both ways, in order', async () => {
      await withPair((pair, client, server) => exchange(pair, client, server, 3));
    });

    it('delivers many messages in order', async () => {
      await withPair((pair, client, server) => exchange(pair, client, server, 2000));
    });

    it('delivers a 1 MiB message intact both ways', async () => {
      await withPair(async (pair, client, server) => {
        const filler = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(30_000).slice(0, 1024 * 1024 - 20);
        const big = JSON.stringify({ filler });
        pair.client.send(big);
        pair.server.send(big);
        await Promise.all([server.untilMessages(1), client.untilMessages(1)]);
        if (server.messages[0] !== big) fail('large message client → server arrived altered');
        if (client.messages[0] !== big) fail('large message server → client arrived altered');
      });
    });

    it('delivers unicode text unchanged', async () => {
      await withPair(async (pair, client, server) => {
        const text = JSON.stringify({
          s: 'héllo wörld — 世界 🎉👩‍👩‍👧 \u2028\u2029 \u0000 \ud800 e\u0301',
          escapedNewline: 'line1\nline2\r\n',
        });
        pair.client.send(text);
        pair.server.send(text);
        await Promise.all([server.untilMessages(1), client.untilMessages(1)]);
        assertEqualList(server.messages, [text], 'client → server');
        assertEqualList(client.messages, [text], 'server → client');
      });
    });

    it('buffers messages that arrive before start', async () => {
      await withPair(async (pair, client, server) => {
        const fromClient = [message('client', 0), message('client', 1)];
        const fromServer = [message('server', 0), message('server', 1)];
        for (const m of fromClient) pair.client.send(m);
        for (const m of fromServer) pair.server.send(m);
        await settle();
        pair.server.start(server);
        pair.client.start(client);
        await Promise.all([server.untilMessages(2), client.untilMessages(2)]);
        assertEqualList(server.messages, fromClient, 'client → server');
        assertEqualList(client.messages, fromServer, 'server → client');
      }, false);
    });

    for (const side of ['client', 'server'] as const) {
      it(`delivers close exactly once on both ends when the ${side} closes`, async () => {
        await withPair(async (pair, client, server) => {
          await exchange(pair, client, server, 1);
          pair[side].close();
          await Promise.all([client.untilClosed(), server.untilClosed()]);
          if (!pair.client.closed || !pair.server.closed) fail('`closed` is false after close was delivered');
          for (const recorder of [client, server]) {
            if (recorder.closes[0]?.error) fail(`an orderly close reported an error: ${recorder.closes[0].error.message}`);
          }
          await settle();
          if (client.closes.length !== 1 || server.closes.length !== 1) fail('close delivered more than once');
        });
      });

      it(`settles \`ended\` on both ends, after the handler, when the ${side} closes`, async () => {
        await withPair(async (pair, client, server) => {
          await exchange(pair, client, server, 1);
          pair[side].close({ code: 1000, reason: 'done' });
          const ended = await Promise.all([pair.client.ended, pair.server.ended]);
          for (const [index, recorder] of [client, server].entries()) {
            const delivered = recorder.closes[0];
            if (!delivered) fail('`ended` settled before the handler was told of the close');
            if (ended[index]!.code !== delivered.code || ended[index]!.reason !== delivered.reason) {
              fail(`\`ended\` settled with ${JSON.stringify(ended[index])}, the handler got ${JSON.stringify(delivered)}`);
            }
          }
          if (pair[side].ended !== pair[side].ended) fail('`ended` is a new promise on each read');
        });
      });
    }

    it('settles `ended` on both ends when neither side ever started', async () => {
      await withPair(async (pair) => {
        pair.client.close();
        await Promise.all([pair.client.ended, pair.server.ended]);
        if (!pair.client.closed || !pair.server.closed) fail('`closed` is false after `ended` settled');
      }, false);
    });

    it('throws ConnectionClosedError on send after close, on both ends', async () => {
      await withPair(async (pair, client, server) => {
        pair.client.close();
        expectClosedError(() => pair.client.send(message('client', 0)), 'client right after close');
        await Promise.all([client.untilClosed(), server.untilClosed()]);
        expectClosedError(() => pair.server.send(message('server', 0)), 'server after remote close');
      });
    });

    it('treats repeated close as a no-op', async () => {
      await withPair(async (pair, client, server) => {
        pair.server.close();
        pair.server.close();
        pair.client.close();
        await Promise.all([client.untilClosed(), server.untilClosed()]);
        pair.client.close();
        pair.server.close();
        await settle();
        if (client.closes.length !== 1 || server.closes.length !== 1) fail('close delivered more than once');
      });
    });

    it('delivers nothing after close', async () => {
      await withPair(async (pair, client, server) => {
        for (let i = 0; i < 50; i++) pair.server.send(message('server', i));
        pair.client.close();
        await Promise.all([client.untilClosed(), server.untilClosed()]);
        await settle();
        assertNoViolations(client, server);
        const delivered = client.messages.length;
        if (delivered > 50) fail('more messages delivered than were sent');
      });
    });

    it('delivers close to a handler that starts after the close', async () => {
      await withPair(async (pair, client, server) => {
        pair.client.start(client);
        pair.client.close();
        await client.untilClosed();
        await settle();
        pair.server.start(server);
        await server.untilClosed();
      }, false);
    });
  });
}

function expectClosedError(action: () => void, what: string): void {
  try {
    action();
  } catch (error) {
    if (error instanceof ConnectionClosedError) return;
    fail(`${what}: send threw ${String(error)}, expected ConnectionClosedError`);
  }
  fail(`${what}: send did not throw`);
}
