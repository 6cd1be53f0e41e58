import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import {
  Client,
  EvalError,
  InternalError,
  SessionNotFoundError,
  UnauthorizedError,
  defineBinding,
  type Principal,
} from '@scomp/peer';
import { PROTOCOL_VERSION } from '@scomp/protocol';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { rawWire } from './support/rawWire.js';
import { wsStack } from './support/wsStack.js';

const tokens: Record<string, Principal> = { 'alice-token': { id: 'alice' }, 'bob-token': { id: 'bob' } };
const authenticate = (metadata: Record<string, unknown>): Principal => {
  const principal = tokens[String(metadata.token)];
  if (!principal) throw new UnauthorizedError('unknown token');
  return principal;
};

/** Host paths and frames that must never reach the peer. */
const hostTraces = /node:internal|node_modules|\/work\/|\.ts:\d|file:\/\/|at async |at Object\.|at process/;

describe('authentication and sessions', () => {
  it('refuses a handshake without valid credentials, closes the connection and creates no session', async () => {
    await using s = await wsStack({ authenticate });
    for (const metadata of [undefined, {}, { token: 'wrong' }, { token: { toString: null } }]) {
      const raw = rawWire(await s.dial());
      const reply = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [], ...(metadata ? { metadata } : {}) });
      expect(reply.error.code).toBe(-32003);
      expect(await raw.whenClosed()).toMatchObject({ code: 1008 });
    }
    await expect(s.connect({ metadata: { token: 'nope' } })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(s.server.stats()).toMatchObject({ sessions: 0, connections: 0 });
  });

  it('refuses an upgrade the transport rejects with UnauthorizedError, before any message', async () => {
    await using s = await wsStack({}, { verifyUpgrade: (request) => request.headers.authorization === 'Bearer ok' });
    await expect(connectWebSocket(s.listener.url)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(s.server.stats().connections).toBe(0);
    const transport = await connectWebSocket(s.listener.url, { headers: { authorization: 'Bearer ok' } });
    const client = await Client.connect(transport);
    expect(await client.eval('1')).toBe(1);
    client.close();
  });

  it('answers a resume by another principal exactly like an unknown session', async () => {
    await using s = await wsStack({ authenticate });
    const alice = await s.connect({ metadata: { token: 'alice-token' } });
    await alice.eval('secret = "alice-private-42"');
    const answers: string[] = [];
    for (const sessionId of [alice.sessionId, 'sess_AAAAAAAAAAAAAAAAAAAAAA']) {
      const raw = rawWire(await s.dial());
      const reply = await raw.request(1, 'handshake', {
        protocol: PROTOCOL_VERSION,
        bindings: [],
        metadata: { token: 'bob-token' },
        sessionId,
      });
      answers.push(JSON.stringify(reply).replace(sessionId, '<id>'));
      await raw.whenClosed();
    }
    expect(answers[0]).toBe(answers[1]);
    expect(answers[0]).not.toContain('alice');
    await expect(s.connect({ metadata: { token: 'bob-token' }, sessionId: alice.sessionId })).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    // The owner's session is untouched.
    expect(await alice.eval('secret')).toBe('alice-private-42');
  });

  it('issues session ids with at least 128 random bits', async () => {
    await using s = await wsStack();
    const ids = new Set<string>();
    const raw = [];
    for (let i = 0; i < 40; i++) {
      const client = await Client.connect(() => s.dial());
      ids.add(client.sessionId);
      raw.push(client.sessionId.slice(5));
      client.close();
    }
    expect(ids.size).toBe(40);
    for (const id of ids) expect(id).toMatch(/^sess_[A-Za-z0-9_-]{22,}$/);
    // 40 ids × 22 characters of base64url: every position takes many values, none is fixed.
    for (let position = 0; position < 21; position++) {
      expect(new Set(raw.map((id) => id[position])).size).toBeGreaterThan(10);
    }
  });
});

describe('what errors reveal', () => {
  const failing = defineBinding({
    name: 'failing',
    input: Type.Object({}),
    handler: () => {
      const error = new Error('db password is hunter2');
      (error as Error & { detail: unknown }).detail = { connection: 'postgres://admin@10.0.0.1' };
      throw error;
    },
  });

  it('sends an EvalError whose stack names only the submitted code', async () => {
    await using s = await wsStack({ bindings: [failing] });
    const client = await s.connect();
    const error = (await client.eval('function inner() {\n  throw new TypeError("bad")\n}\ninner()').catch((e: unknown) => e)) as EvalError;
    expect(error).toBeInstanceOf(EvalError);
    expect(error.detail).toMatchObject({ name: 'TypeError', message: 'bad' });
    expect(error.detail.stack).toMatch(/:2:/);
    expect(error.detail.stack).not.toMatch(hostTraces);
    const viaBinding = (await client.eval('await failing({})').catch((e: unknown) => e)) as EvalError;
    expect(JSON.stringify(viaBinding.data)).not.toMatch(/hunter2|postgres|10\.0\.0\.1/);
    expect(JSON.stringify(viaBinding.data)).not.toMatch(hostTraces);
  });

  it('sends a host failure as a bare InternalError, without message, data or stack', async () => {
    await using s = await wsStack({ bindings: [failing] });
    const raw = rawWire(await s.dial());
    await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [] });
    const reply = await raw.request(2, 'invoke', { name: 'failing', args: {} });
    expect(reply).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'internal error' } });
    const client = await s.connect();
    await expect(client.invoke('failing', {})).rejects.toBeInstanceOf(InternalError);
  });

  it('keeps one session invisible from another', async () => {
    await using s = await wsStack();
    const a = await s.connect();
    const b = await s.connect();
    await a.eval('const privateA = "only-for-a"; globalThis.sharedName = "a"');
    const error = (await b.eval('privateA').catch((e: unknown) => e)) as EvalError;
    expect(error.detail.name).toBe('ReferenceError');
    expect(JSON.stringify(error.data)).not.toContain('only-for-a');
    expect(await b.eval('typeof sharedName')).toBe('undefined');
  });
});
