import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Type from 'typebox';
import { classifyMessage, PROTOCOL_VERSION } from '@scomp/protocol';
import { Client, Server, defineBinding, type Transport } from '@scomp/peer';
import { createMemoryTransportPair } from '@scomp/peer/testing';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { connectWebSocket, listenWebSocket, type WebSocketListener } from '@scomp/transport-ws/node';
import { expectedAnswer, fuzzRuns, fuzzSeed, wireText } from './support/wireArbitraries.js';
import { rawWire, type RawWire } from './support/rawWire.js';

const echo = defineBinding({ name: 'echo', input: Type.Unknown(), handler: (args) => args });
const strict = defineBinding({
  name: 'strict',
  input: Type.Object({ n: Type.Integer() }, { additionalProperties: false }),
  output: Type.Integer(),
  handler: ({ n }) => n,
});

const runtime = createQuickJsRuntimeFactory({ limits: { evalTimeoutMs: 1_000 } });
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  console.info(`wire fuzz: seed ${fuzzSeed}, ${fuzzRuns} runs (set SCOMP_FUZZ_SEED / SCOMP_FUZZ_RUNS to change)`);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await runtime.close();
});
afterEach(() => {
  expect(unhandled).toEqual([]);
});

const messages = fc.array(wireText, { minLength: 1, maxLength: 12 });
const params = { seed: fuzzSeed, numRuns: fuzzRuns, endOnFailure: true };

/** Counts answers by id text ('null' for a null id), as the invariant compares them. */
function tally(ids: (string | null | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) if (id !== undefined) counts.set(id ?? 'null', (counts.get(id ?? 'null') ?? 0) + 1);
  return counts;
}

/**
 * Sends `texts` after a fence, then proves: each message got exactly the answers JSON-RPC asks
 * for (one response per request, with its id), every message received is valid JSON-RPC, and
 * the peer still serves valid traffic afterwards. `finish` sends one last request that is answered
 * only after everything before it (an eval queues behind earlier evals).
 */
async function throwAt(raw: RawWire, texts: string[], finish: (raw: RawWire) => Promise<void>) {
  const start = raw.received.length;
  for (const text of texts) raw.send(text);
  await finish(raw);
  const answers = raw.received.slice(start).filter((message) => !('method' in message) && !String(message.id).startsWith('fence-'));
  for (const message of raw.received.slice(start)) {
    const kind = classifyMessage(message).kind;
    expect(['success', 'error', 'notification'], JSON.stringify(message).slice(0, 300)).toContain(kind);
    if (kind === 'notification') expect(['release', 'cancel']).toContain(message.method);
  }
  expect(tally(answers.map((message) => JSON.stringify(message.id)))).toEqual(tally(texts.map(expectedAnswer)));
}

async function handshaken(transport: Transport): Promise<RawWire> {
  const raw = rawWire(transport);
  const reply = await raw.request('hs-0000', 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
  expect(reply.result.resumed).toBe(false);
  return raw;
}

let fence = 0;
async function serverFence(raw: RawWire) {
  const id = `fence-${fence++}`;
  const [evalled, invoked] = await Promise.all([
    raw.request(id, 'eval', { code: '40 + 2' }),
    raw.request(`${id}-i`, 'invoke', { name: 'strict', args: { n: 7 } }),
  ]);
  expect(evalled.result).toEqual({ value: 42 });
  expect(invoked.result).toEqual({ value: 7 });
  // Answers queued behind the fence in the same turn are in by the next macrotask.
  await new Promise((resolve) => setImmediate(resolve));
}

describe('wire fuzzing: random and mutated messages', () => {
  it('a server over the in-memory pair answers each request once and keeps serving', async () => {
    const server = new Server({ runtime, bindings: [echo, strict] });
    try {
      await fc.assert(
        fc.asyncProperty(messages, async (texts) => {
          const [near, far] = createMemoryTransportPair();
          server.accept(far);
          const raw = await handshaken(near);
          await throwAt(raw, texts, serverFence);
          raw.close();
        }),
        params,
      );
      // New connections are served as usual.
      const client = await Client.connect(() => {
        const [near, far] = createMemoryTransportPair();
        server.accept(far);
        return near;
      });
      expect(await client.eval('[1, 2].length')).toBe(2);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('a server answers before the handshake too, then still accepts the handshake', async () => {
    const server = new Server({ runtime, bindings: [echo, strict] });
    const beforeHandshake = messages.map((texts) => texts.filter((text) => !text.includes('"handshake"')));
    try {
      await fc.assert(
        fc.asyncProperty(beforeHandshake, async (texts) => {
          const [near, far] = createMemoryTransportPair();
          server.accept(far);
          const raw = rawWire(near);
          await throwAt(raw, texts, async (wire) => {
            const early = await wire.request('fence-early', 'eval', { code: '1' });
            expect(early.error.code).toBe(-32000);
          });
          const reply = await raw.request('hs-0000', 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
          expect(reply.result.resumed).toBe(false);
          raw.close();
        }),
        params,
      );
      expect(server.stats().attachedSessions).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('a client answers each request from a hostile server once and keeps working', async () => {
    await fc.assert(
      fc.asyncProperty(messages, async (texts) => {
        const [near, far] = createMemoryTransportPair();
        const raw = rawWire(far);
        const handshake = raw.waitFor((message) => message.method === 'handshake');
        const connecting = Client.connect(near, { bindings: [echo, strict] });
        const request = await handshake;
        raw.send({
          jsonrpc: '2.0',
          id: request.id,
          result: { protocol: PROTOCOL_VERSION, sessionId: 'sess_fuzz', bindings: [], resumed: false },
        });
        const client = await connecting;
        await throwAt(raw, texts, async (wire) => {
          const answer = await wire.request('fence-client', 'invoke', { name: 'strict', args: { n: 3 } });
          expect(answer.result).toEqual({ value: 3 });
          await new Promise((resolve) => setImmediate(resolve));
        });
        // The client still makes calls and reads their answers.
        const evalRequest = raw.waitFor((message) => message.method === 'eval');
        const evaluation = client.eval('6 * 7');
        raw.send({ jsonrpc: '2.0', id: (await evalRequest).id, result: { value: 42 } });
        expect(await evaluation).toBe(42);
        client.close();
      }),
      params,
    );
  });

  describe('over WebSocket', () => {
    let server: Server;
    let listener: WebSocketListener;
    beforeAll(async () => {
      server = new Server({ runtime, bindings: [echo, strict] });
      listener = await listenWebSocket({ host: '127.0.0.1', port: 0, onConnection: (transport) => server.accept(transport) });
    });
    afterAll(async () => {
      await server.close();
      await listener.close();
    });

    it('a server answers each request once and keeps serving', async () => {
      await fc.assert(
        fc.asyncProperty(messages, async (texts) => {
          const raw = await handshaken(await connectWebSocket(listener.url));
          await throwAt(raw, texts, serverFence);
          raw.close();
          await raw.whenClosed();
        }),
        { ...params, numRuns: Math.max(5, Math.round(fuzzRuns / 2)) },
      );
      const client = await Client.connect(() => connectWebSocket(listener.url));
      expect(await client.eval('"still serving"')).toBe('still serving');
      client.close();
    });
  });
});
