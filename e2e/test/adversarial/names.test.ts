import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BINDING_NAME_PATTERN, ErrorCode, PROTOCOL_VERSION } from '@scomp/protocol';
import { rawWire } from '../support/rawWire.js';
import { neighbour, stdioServer, wsServer, type RealServer } from './realServer.js';

// Names are data (SECURITY.md): a binding never replaces one of the sandbox's own globals; a name
// that would is refused at the handshake with InvalidParams naming it, on a fresh session or a resume.

const meta = (name: string) => ({ name, input: {}, output: {} });

async function handshake(server: RealServer, names: string[], sessionId?: string) {
  const raw = rawWire(await server.dial());
  const reply = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: names.map(meta), ...(sessionId ? { sessionId } : {}) });
  raw.close();
  return reply;
}

describe('binding names on a scomp-server process', () => {
  it('refuses every global name of the sandbox, alone or dotted, on new sessions and on resume', async () => {
    await using server = await wsServer();
    const probe = await server.connect();
    // The sandbox's globals as guest code sees them: own properties of the global object and what it inherits.
    const globals = (await probe.eval(
      '(() => { const names = new Set(); for (let o = globalThis; o; o = Object.getPrototypeOf(o)) for (const n of Object.getOwnPropertyNames(o)) names.add(n); return [...names]; })()',
    )) as string[];
    expect(globals).toEqual(expect.arrayContaining(['NaN', 'Object', 'globalThis', 'setTimeout', 'undefined', '__proto__', 'constructor']));
    // The server's own bindings are globals of the session too; clashing with those is a different refusal.
    const serverNames = new Set(probe.serverBindings.map((binding) => binding.name.split('.')[0]));
    const valid = globals.filter((name) => new RegExp(BINDING_NAME_PATTERN).test(name) && !serverNames.has(name));
    expect(valid.length).toBeGreaterThan(70);
    const other = await neighbour(await server.connect());
    const owner = await server.connect();
    await owner.eval('kept = 42');
    const resumeId = owner.sessionId;
    // `console` is the standard client binding that receives output; it is never installed as a global.
    expect((await handshake(server, ['console'])).result).toBeDefined();
    for (const global of valid) {
      for (const name of global === 'console' ? ['console.sub'] : [global, `${global}.sub`]) {
        const reply = await handshake(server, ['fine', name]);
        expect(reply.error, name).toEqual({
          code: ErrorCode.InvalidParams,
          message: `binding name ${name} clashes with the runtime's global ${global}`,
          data: { name, global },
        });
      }
    }
    // On resume as well, and the session keeps its state (issue: NaN reset the worker thread).
    owner.close();
    for (const name of ['NaN', 'Object.assign', 'setTimeout']) {
      expect((await handshake(server, [name], resumeId)).error.code).toBe(ErrorCode.InvalidParams);
    }
    const back = await handshake(server, [], resumeId);
    expect(back.result).toMatchObject({ sessionId: resumeId, resumed: true });
    await other.check();
    server.expectAlive();
  });

  it('installs any other name the spec allows without touching the sandbox globals', async () => {
    await using server = await wsServer();
    const other = await neighbour(await server.connect());
    const part = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'NaN', 'Object'), fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,6}$/));
    const reservedFirst = new Set((await other.client.eval('(() => { const r = new Set(); for (let o = globalThis; o; o = Object.getPrototypeOf(o)) for (const n of Object.getOwnPropertyNames(o)) r.add(n); return [...r]; })()')) as string[]);
    const name = fc
      .tuple(part, fc.array(part, { maxLength: 3 }))
      .filter(([first]) => !reservedFirst.has(first))
      .map(([first, rest]) => [first, ...rest].join('.'));
    await fc.assert(
      fc.asyncProperty(name, async (bindingName) => {
        const raw = rawWire(await server.dial());
        const reply = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [meta(bindingName)] });
        expect(reply.result?.sessionId, JSON.stringify(reply.error)).toBeDefined();
        const path = bindingName.split('.').map((p) => `[${JSON.stringify(p)}]`).join('');
        const check = await raw.request(2, 'eval', {
          code: `[typeof globalThis${path}, Object.getPrototypeOf({}) === Object.prototype, Object.keys(Object.prototype).length, NaN !== NaN, typeof Object.keys, typeof setTimeout]`,
        });
        raw.close();
        expect(check.result.value).toEqual(['function', true, 0, true, 'function', 'function']);
      }),
      { numRuns: 30 },
    );
    await other.check();
    server.expectAlive();
  });

  it('refuses such a name over stdio too, answering the handshake instead of failing the process', async () => {
    await using server = await stdioServer();
    const reply = await handshake(server, ['fine', 'globalThis.x']);
    expect(reply.error).toEqual({
      code: ErrorCode.InvalidParams,
      message: "binding name globalThis.x clashes with the runtime's global globalThis",
      data: { name: 'globalThis.x', global: 'globalThis' },
    });
  });
});
