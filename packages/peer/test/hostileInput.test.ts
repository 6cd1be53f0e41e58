import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { ErrorCode, MAX_MESSAGE_DEPTH, PROTOCOL_VERSION } from '@scomp/protocol';
import { InvalidParamsError, Server, UnauthorizedError, defineBinding } from '../src/index.js';
import { findNameClash } from '../src/bindingNames.js';
import { nestsDeeperThan, topLevelOnly } from '../src/messageDepth.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory } from './support/scriptRuntime.js';

function nested(depth: number, inner = '1'): string {
  return '['.repeat(depth) + inner + ']'.repeat(depth);
}

const meta = (name: string) => ({ name, input: {}, output: {} });

describe('hostile input', () => {
  it('measures nesting in one pass over the text, ignoring brackets inside strings', () => {
    expect(nestsDeeperThan(nested(3), 3)).toBe(false);
    expect(nestsDeeperThan(nested(4), 3)).toBe(true);
    expect(nestsDeeperThan(`{"a":"${'['.repeat(50)}\\"["}`, 3)).toBe(false);
    // A string ending in escaped backslashes ends at its quote; the brackets after it count.
    const text = JSON.stringify({ a: 'x\\\\', b: [[[1]]], c: '"[[[[' });
    expect(nestsDeeperThan(text, 4)).toBe(false);
    expect(nestsDeeperThan(text, 3)).toBe(true);
    expect(JSON.parse(text).a).toBe('x\\\\');
    expect(topLevelOnly(`{"id":7,"params":${nested(10)},"method":"eval"}`)).toEqual({ id: 7, params: [], method: 'eval' });
  });

  it('answers a request nested past the limit with InvalidRequest for its id, and keeps serving', async () => {
    const runtime = scriptRuntimeFactory({ one: () => 1 });
    await using fixture = memoryServer({ runtime });
    const [client, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(client);
    raw.send(`{"jsonrpc":"2.0","id":1,"method":"handshake","params":{"protocol":"${PROTOCOL_VERSION}","bindings":[{"name":"deep","input":${nested(100_000, '{}')}}]}}`);
    const refused = await raw.next();
    expect(refused).toMatchObject({ id: 1, error: { code: ErrorCode.InvalidRequest, message: `message nests deeper than ${MAX_MESSAGE_DEPTH} levels` } });
    expect((await raw.request(2, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] })).result.sessionId).toMatch(/^sess_/);
    expect((await raw.request(3, 'eval', { code: 'one' })).result).toEqual({ value: 1 });
  });

  it('authenticates before it looks at the binding names, so a refused client costs no name check', async () => {
    const order: string[] = [];
    const names = Array.from({ length: 120 }, (_, i) => meta(`a${'.b'.repeat(i)}`));
    await using fixture = memoryServer({
      runtime: scriptRuntimeFactory({}),
      authenticate: () => {
        order.push('authenticate');
        throw new UnauthorizedError('no');
      },
    });
    const [client, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(client);
    // These names all clash; a check before authenticate would answer HandshakeFailed.
    const reply = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: names });
    expect(reply.error.code).toBe(ErrorCode.Unauthorized);
    expect(order).toEqual(['authenticate']);
  });

  it('finds name clashes by reading each name once', () => {
    expect(findNameClash(['db', 'db-x', 'db.q'])).toEqual(['db', 'db.q']);
    expect(findNameClash(['db.q', 'db-x', 'db'])).toEqual(['db', 'db.q']);
    expect(findNameClash(['a.b', 'a.c', 'a.b'])).toEqual(['a.b', 'a.b']);
    expect(findNameClash(['a.b.c', 'a.b.d', 'a.bc', 'b'])).toBeUndefined();
    // Each character is read a bounded number of times: count the reads through a String wrapper.
    let reads = 0;
    const counted = (text: string) => {
      const name = new String(text) as unknown as string;
      const original = String.prototype.indexOf;
      Object.defineProperty(name, 'indexOf', { value: (...args: [string, number?]) => (reads++, original.apply(text, args)) });
      return name;
    };
    const parts = 2000;
    const long = Array.from({ length: parts }, (_, i) => `p${i}`).join('.');
    expect(findNameClash([counted(long), counted(`${long}x`)])).toBeUndefined();
    // One indexOf per dotted part, each starting where the last stopped: linear, not parts².
    expect(reads).toBe(2 * parts);
  });

  it('refuses bindings named after the runtime globals: server ones at construction, client ones at the handshake', async () => {
    const runtime = Object.assign(scriptRuntimeFactory({}), { reservedNames: new Set(['NaN', 'Object']) });
    const handler = () => 1;
    expect(() => new Server({ runtime, bindings: [defineBinding({ name: 'Object.keys2', input: Type.Unknown(), handler })] })).toThrow(InvalidParamsError);
    expect(() => new Server({ runtime, bindings: [defineBinding({ name: 'Object.keys2', input: Type.Unknown(), handler })] })).toThrow(
      "binding name Object.keys2 clashes with the runtime's global Object",
    );
    await using fixture = memoryServer({ runtime });
    const [client, serverSide] = createMemoryTransportPair();
    fixture.server.accept(serverSide);
    const raw = rawPeer(client);
    const reply = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [meta('ok'), meta('NaN')] });
    expect(reply.error).toEqual({ code: ErrorCode.InvalidParams, message: "binding name NaN clashes with the runtime's global NaN", data: { name: 'NaN', global: 'NaN' } });
    expect(fixture.server.stats().sessions).toBe(0);
  });
});
