import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { EvalError, defineBinding, type HostFunction } from '@scomp/peer';
import { wsStack } from '../support/wsStack.js';
import { neighbour, stdioServer, wsServer, type RealServer } from './realServer.js';

// Values are data (SECURITY.md): keys named after prototypes and their members are ordinary keys on
// every path, and no value reaches a prototype of the host.

const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'then', 'toString', 'toJSON', 'valueOf', 'hasOwnProperty', 'length'),
  fc.string({ maxLength: 5 }),
);

function record(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, item] of entries) Object.defineProperty(out, name, { value: item, enumerable: true, writable: true, configurable: true });
  return out;
}

/** JSON values with prototype-named keys at any depth (`toJSON` holds no function, so it stays data). */
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(record),
  ),
})).value;

const prototypes = [Object.prototype, Array.prototype, Function.prototype, Promise.prototype];
const snapshot = () => prototypes.map((proto) => Reflect.ownKeys(proto).map(String).join(','));

const echo = defineBinding({ name: 'echo', input: Type.Unknown(), output: Type.Unknown(), handler: (args) => args });
const clientEcho = defineBinding({ name: 'clientEcho', input: Type.Unknown(), output: Type.Unknown(), handler: (args) => args });

describe('values are data', () => {
  it('round-trip exactly through every path, prototype-named keys included, and leave the host prototypes untouched', async () => {
    const before = snapshot();
    await using stack = await wsStack({ bindings: [echo] });
    const client = await stack.connect({ bindings: [clientEcho] });
    const other = await neighbour(await stack.connect());
    await fc.assert(
      fc.asyncProperty(value, async (sent) => {
        const json = JSON.stringify(sent);
        const literal = `JSON.parse(${JSON.stringify(json)})`;
        // client → server binding → client
        expect(JSON.stringify(await client.invoke('echo', sent))).toBe(json);
        // guest → worker thread → main thread → client
        expect(JSON.stringify(await client.eval(literal))).toBe(json);
        // guest → server binding → guest, and guest → client binding (the client's answer) → guest
        expect(JSON.stringify(await client.eval(`await echo(${literal})`))).toBe(json);
        expect(JSON.stringify(await client.eval(`await clientEcho(${literal})`))).toBe(json);
      }),
      { numRuns: 40 },
    );
    await other.check();
    expect(snapshot()).toEqual(before);
  });

  it('keeps functions under prototype-named keys in their own value, on every path', async () => {
    const before = snapshot();
    await using stack = await wsStack({ bindings: [echo] });
    const answer = defineBinding({
      name: 'answer',
      input: Type.Unknown(),
      handler: () => record([['__proto__', { f: () => 5 }]]),
    });
    const client = await stack.connect({ bindings: [answer] });
    const other = await neighbour(await stack.connect());
    const result = (await client.eval('({ ["__proto__"]: { then() { throw new Error("boom") } }, constructor: { prototype: { f: () => 1 } } })')) as Record<
      string,
      Record<string, HostFunction>
    >;
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(typeof result.__proto__!.then).toBe('function');
    expect(await (result.constructor as unknown as Record<string, Record<string, HostFunction>>).prototype!.f!()).toBe(1);
    // Into a server binding (its argument), and back from a client's answer to a server→client invoke.
    expect(await client.eval('await echo({ ["__proto__"]: { g: () => 2 } }).then((v) => Object.keys(v))')).toEqual(['__proto__']);
    expect(await client.eval('const a = await answer(); [Object.getPrototypeOf(a) === Object.prototype, await a["__proto__"].f()]')).toEqual([true, 5]);
    await other.check();
    expect(await other.client.eval('typeof ({}).then')).toBe('undefined');
    expect(snapshot()).toEqual(before);
  });

  it('refuses an object with a $scomp member in guest values, binding arguments and answers', async () => {
    await using stack = await wsStack({ bindings: [echo] });
    const forged = defineBinding({ name: 'forged', input: Type.Unknown(), handler: () => ({ $scomp: { kind: 'fn', id: 'fn_other' } }) });
    const client = await stack.connect({ bindings: [forged] });
    const error = await client.eval('({ a: { $scomp: { kind: "fn", id: "fn_forged" } } })').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvalError);
    expect((error as Error).message).toContain('must not contain a $scomp member (at /a)');
    expect(await client.eval('await echo({ $scomp: { kind: "fn", id: "x" } }).then(() => "sent", (e) => e.message)')).toContain('$scomp member');
    expect(await client.eval('await forged().then(() => "accepted", (e) => e.message)')).toContain('$scomp member');
    // The peer refuses to send such data as well: only references it issued leave it as sentinels.
    await expect(client.invoke('echo', { a: [{ $scomp: { kind: 'fn', id: 'fn_x' } }] })).rejects.toThrow('must not contain a $scomp member (at /a/0)');
  });
});

describe.each([
  ['WebSocket', wsServer],
  ['stdio', stdioServer],
] as const)('a scomp-server process over %s', (_, start) => {
  it('survives guest values with prototype-named keys and keeps the session answering', async () => {
    await using server: RealServer = await start();
    const client = await server.connect();
    const other = server.kind === 'ws' ? await neighbour(await server.connect()) : await neighbour(client);
    expect(JSON.stringify(await client.eval('({ ["__proto__"]: { a: 1 }, b: 2 })'))).toBe('{"__proto__":{"a":1},"b":2}');
    const result = (await client.eval('({ ["__proto__"]: { then() { throw new Error("boom") } } })')) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['__proto__']);
    await client.eval('({ ["__proto__"]: { leak(x) { globalThis.stolen = x } } })');
    await other.check();
    expect(await other.client.eval('typeof ({ x: 1 }).leak')).toBe('undefined');
    server.expectAlive();
  });
});
