import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_DEPTH, PROTOCOL_VERSION } from '@scomp/protocol';
import { rawWire, type RawWire } from '../support/rawWire.js';
import { neighbour, stdioServer, wsServer, type RealServer } from './realServer.js';

// Nothing a peer sends can end the process (SECURITY.md): structures nested to any depth, anywhere
// in a message, up to the message size limit, either work or are refused with a clear error, and a
// neighbour session keeps its state and its answers.

/** JSON text nesting `depth` objects (`{"a":…}`) or arrays around `{}`. */
function nest(depth: number, kind: 'object' | 'array'): string {
  return kind === 'object' ? '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth) : '['.repeat(depth) + '{}' + ']'.repeat(depth);
}

/** scomp-server's default `--max-handshake-bytes`. */
const HANDSHAKE_BYTES = 1024 * 1024;

type Place = 'schema' | 'metadata' | 'args' | 'evalParams' | 'answer';
const HANDSHAKE_PLACES: Place[] = ['schema', 'metadata'];

function handshakeText(place: Place, deep: string): string {
  const binding = place === 'schema' ? `{"name":"cb","input":{"properties":{"x":${deep}}}}` : '{"name":"cb","input":{}}';
  const metadata = place === 'metadata' ? `,"metadata":{"m":${deep}}` : '';
  return `{"jsonrpc":"2.0","id":1,"method":"handshake","params":{"protocol":"${PROTOCOL_VERSION}","bindings":[${binding}]${metadata}}}`;
}

/** Sends `deep` at `place` on a handshaken connection; resolves with the answer it got. */
async function sendDeep(raw: RawWire, place: Place, deep: string, id: number): Promise<any> {
  if (place === 'args') {
    raw.send(`{"jsonrpc":"2.0","id":${id},"method":"invoke","params":{"name":"cb","args":${deep}}}`);
    return raw.waitFor((message) => message.id === id);
  }
  if (place === 'evalParams') {
    raw.send(`{"jsonrpc":"2.0","id":${id},"method":"eval","params":{"code":"1","extra":${deep}}}`);
    return raw.waitFor((message) => message.id === id);
  }
  // The guest calls the client's binding; the client answers with the deep value.
  const evaluated = raw.request(id, 'eval', { code: 'await cb({}).then(() => "accepted", (e) => e.message)' });
  const call = await raw.waitFor((message) => message.method === 'invoke' && !raw.received.some((m) => m.answered === message.id));
  call.answered = call.id;
  raw.send(`{"jsonrpc":"2.0","id":${JSON.stringify(call.id)},"result":{"value":${deep}}}`);
  return evaluated;
}

/** Either a result or an error with a code and a message: never silence, never a crash. */
function expectAnswered(reply: any): void {
  if (reply.error) {
    expect(typeof reply.error.code).toBe('number');
    expect(reply.error.message.length).toBeGreaterThan(0);
  } else expect(reply).toHaveProperty('result');
}

const depth = fc.oneof(fc.integer({ min: 1, max: 2 * MAX_MESSAGE_DEPTH }), fc.constantFrom(MAX_MESSAGE_DEPTH - 8, MAX_MESSAGE_DEPTH + 1, 6_000, 200_000));
const place = fc.constantFrom<Place>('schema', 'metadata', 'args', 'evalParams', 'answer');
const kind = fc.constantFrom<'object' | 'array'>('object', 'array');

describe('deep messages to a scomp-server process over WebSocket', () => {
  it('are answered or refused anywhere in a message; the process and a neighbour carry on', async () => {
    await using server = await wsServer();
    const other = await neighbour(await server.connect());
    await fc.assert(
      fc.asyncProperty(place, depth, kind, async (where, levels, shape) => {
        const deep = nest(levels, shape);
        const raw = rawWire(await server.dial());
        try {
          if (HANDSHAKE_PLACES.includes(where)) {
            const text = handshakeText(where, deep);
            raw.send(text);
            const reply = await raw.waitFor((message) => message.id === 1);
            expectAnswered(reply);
            // Past the server's limit before the handshake (1 MiB), a message is refused unparsed.
            if (text.length > HANDSHAKE_BYTES) expect(reply.error.message).toBe(`message larger than ${HANDSHAKE_BYTES} bytes`);
            else if (levels > MAX_MESSAGE_DEPTH) expect(reply.error.message).toBe(`message nests deeper than ${MAX_MESSAGE_DEPTH} levels`);
            if (reply.result) expect((await raw.request(2, 'eval', { code: '6 * 7' })).result).toEqual({ value: 42 });
          } else {
            expect((await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [{ name: 'cb', input: {} }] })).result).toBeDefined();
            const reply = await sendDeep(raw, where, deep, 2);
            expectAnswered(reply);
            if (where === 'answer' && levels > MAX_MESSAGE_DEPTH) expect(reply.result.value).toBe(`response message nests deeper than ${MAX_MESSAGE_DEPTH} levels`);
            expect((await raw.request(3, 'eval', { code: '6 * 7' })).result).toEqual({ value: 42 });
          }
        } finally {
          raw.close();
        }
        server.expectAlive();
        await other.check();
      }),
      { numRuns: 30 },
    );
  });
});

describe('deep messages to a scomp-server process over stdio', () => {
  it('are answered or refused, and the session keeps its state', async () => {
    await using server: RealServer = await stdioServer();
    const raw = rawWire(await server.dial());
    expect((await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [{ name: 'cb', input: {} }] })).result).toBeDefined();
    expect((await raw.request(2, 'eval', { code: 'globalThis.count = 7' })).result).toEqual({ value: 7 });
    let id = 10;
    for (const where of ['args', 'evalParams', 'answer'] as const) {
      for (const levels of [MAX_MESSAGE_DEPTH - 8, MAX_MESSAGE_DEPTH + 1, 200_000]) {
        expectAnswered(await sendDeep(raw, where, nest(levels, 'array'), id++));
        expect((await raw.request(id++, 'eval', { code: '++count' })).result).toEqual({ value: 8 + (id - 12) / 2 });
      }
    }
    server.expectAlive();
  });
});
