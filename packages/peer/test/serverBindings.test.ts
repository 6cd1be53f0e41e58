import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { ErrorCode, MAX_BINDING_PATTERNS, PROTOCOL_VERSION, STANDARD_CLIENT_BINDINGS, type Effect } from '@scomp/protocol';
import {
  BindingNotFoundError,
  HandshakeFailedError,
  InvalidParamsError,
  UnauthorizedError,
  defineBinding,
  type Binding,
  type BindingContext,
} from '../src/index.js';
import { createMemoryTransportPair } from '../src/testing/index.js';
import { memoryServer } from './support/fixture.js';
import { rawPeer } from './support/rawPeer.js';
import { scriptRuntimeFactory, type Script } from './support/scriptRuntime.js';
import { settle } from './support/settle.js';

const ran: string[] = [];
const named = (name: string, effects?: Effect[]) =>
  defineBinding({
    name,
    input: Type.Any(),
    ...(effects ? { effects } : {}),
    handler: () => {
      ran.push(name);
      return name;
    },
  });

/** The standard confirm binding, answering with `answer` and recording each question. */
function confirm(answer: (question: any, context: BindingContext) => unknown) {
  const asked: any[] = [];
  const binding: Binding = defineBinding({
    name: 'confirm',
    input: Type.Unsafe<any>(STANDARD_CLIENT_BINDINGS.confirm.input as object),
    handler: (question, context) => {
      asked.push(question);
      return answer(question, context);
    },
  });
  return { binding, asked };
}

/** Scripts that call one binding from "guest code" and report the outcome the way guest code would see it. */
const guestCalls: Record<string, Script> = {};
for (const name of ['db.query', 'db.write', 'mail.send', 'getOrder']) {
  guestCalls[`call ${name}`] = async ({ call }) => {
    try {
      return { value: await call(name, { sql: 'x', callback: () => 1 }) };
    } catch (error) {
      const failure = error as { code?: number; data?: unknown; name?: string };
      return { code: failure.code ?? failure.name, data: failure.data };
    }
  };
}
guestCalls['wait for db.write'] = ({ call }) => call('db.write', {});

function server() {
  ran.length = 0;
  const runtime = scriptRuntimeFactory(guestCalls);
  const bindings = [named('getOrder', ['read']), named('db.query', ['read']), named('db.write', ['write']), named('mail.send', ['external'])];
  return Object.assign(memoryServer({ runtime, bindings }), { runtime });
}

function rawConnection(fixture: ReturnType<typeof server>) {
  const [client, serverSide] = createMemoryTransportPair();
  fixture.server.accept(serverSide);
  return rawPeer(client);
}

const names = (metas: readonly { name: string }[]) => metas.map((meta) => meta.name);

describe('serverBindings.only', () => {
  it('shows the session only the named bindings and namespaces, in the handshake, the runtime and to invokes', async () => {
    await using fixture = server();
    const client = await fixture.connect({ serverBindings: { only: ['getOrder', 'db.*'] } });
    expect(names(client.serverBindings)).toEqual(['getOrder', 'db.query', 'db.write']);
    expect(names(fixture.runtime.runtimes[0]!.init.bindings.map((runtimeBinding) => runtimeBinding.meta))).toEqual([
      'getOrder',
      'db.query',
      'db.write',
    ]);
    expect(await client.invoke('db.query', {})).toBe('db.query');
    // The script runtime fails a call of a global it was not given as guest code would: a ReferenceError.
    expect(await client.eval('call mail.send')).toMatchObject({ code: ErrorCode.EvalError, data: { name: 'ReferenceError' } });
  });

  it('answers an invoke of a hidden binding exactly as one of a binding the server does not have', async () => {
    await using fixture = server();
    const raw = rawConnection(fixture);
    await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [], serverBindings: { only: ['db.*'] } });
    const hidden = await raw.request(2, 'invoke', { name: 'mail.send', args: {} });
    const missing = await raw.request(3, 'invoke', { name: 'mail.sendd', args: {} });
    expect(hidden.error).toEqual({ code: ErrorCode.BindingNotFound, message: 'binding not found: mail.send', data: { name: 'mail.send' } });
    expect(missing.error).toEqual({ code: ErrorCode.BindingNotFound, message: 'binding not found: mail.sendd', data: { name: 'mail.sendd' } });
    expect(ran).toEqual([]);
  });

  it('ignores names the server does not have, repeated patterns, and prototype keys', async () => {
    await using fixture = server();
    const client = await fixture.connect({
      serverBindings: { only: ['__proto__', 'constructor', 'toString', 'hasOwnProperty.*', 'nothing.*', 'getOrder', 'getOrder'] },
    });
    expect(names(client.serverBindings)).toEqual(['getOrder']);
    const none = await fixture.connect({ serverBindings: { only: [] } });
    expect(none.serverBindings).toEqual([]);
    await expect(none.invoke('getOrder', {})).rejects.toBeInstanceOf(BindingNotFoundError);
  });

  it('refuses lists past their bound, patterns past their length and patterns that are not names', async () => {
    await using fixture = server();
    for (const serverBindings of [
      { only: Array.from({ length: MAX_BINDING_PATTERNS + 1 }, (_, index) => `b${index}`) },
      { confirm: [`${'a'.repeat(257)}.*`] },
      { only: ['*'] },
      { only: ['db.*.query'] },
      { only: ['db..query'] },
      { confirmEffects: ['delete everything'] },
      { only: 'getOrder' },
    ]) {
      const raw = rawConnection(fixture);
      const reply = await raw.request(1, 'handshake', { protocol: PROTOCOL_VERSION, bindings: [], serverBindings });
      expect(reply.error.code, JSON.stringify(serverBindings).slice(0, 80)).toBe(ErrorCode.InvalidParams);
      await raw.whenClosed();
    }
    expect(fixture.server.stats().sessions).toBe(0);
    await expect(fixture.connect({ serverBindings: { only: ['*'] } })).rejects.toBeInstanceOf(InvalidParamsError);
  });

  it('keeps bindings the server adds later out of a narrowed session, across a resume', async () => {
    await using fixture = server();
    const first = await fixture.connect({ serverBindings: { only: ['getOrder', 'extra.*'] } });
    fixture.server.setBindings([named('getOrder'), named('extra.one')]);
    first.close();
    await settle();
    const resumed = await fixture.connect({ sessionId: first.sessionId, serverBindings: { only: ['getOrder', 'extra.*'] } });
    expect(names(resumed.serverBindings)).toEqual(['getOrder']);
    await expect(resumed.invoke('extra.one', {})).rejects.toBeInstanceOf(BindingNotFoundError);
    const fresh = await fixture.connect({ serverBindings: { only: ['extra.*'] } });
    expect(names(fresh.serverBindings)).toEqual(['extra.one']);
  });

  it('lets a client binding take the name of a server binding it narrowed away', async () => {
    await using fixture = server();
    const client = await fixture.connect({ serverBindings: { only: ['db.*'] }, bindings: [named('getOrder')] });
    expect(names(client.serverBindings)).toEqual(['db.query', 'db.write']);
    await expect(fixture.connect({ serverBindings: { only: ['getOrder'] }, bindings: [named('getOrder')] })).rejects.toBeInstanceOf(
      HandshakeFailedError,
    );
  });
});

describe('a resume and the session server bindings', () => {
  it('keeps the narrowing when the resume does not repeat it, and accepts it repeated', async () => {
    await using fixture = server();
    const first = await fixture.connect({ serverBindings: { only: ['db.*'], confirm: ['db.write'] } });
    first.close();
    await settle();
    const plain = await fixture.connect({ sessionId: first.sessionId });
    expect(names(plain.serverBindings)).toEqual(['db.query', 'db.write']);
    plain.close();
    await settle();
    // Repeated: the same patterns, in any order and with repeats.
    const repeated = await fixture.connect({ sessionId: first.sessionId, serverBindings: { confirm: ['db.write', 'db.write'], only: ['db.*'] } });
    expect(names(repeated.serverBindings)).toEqual(['db.query', 'db.write']);
  });

  it('refuses a resume that would widen, narrow or ungate, and leaves the session as it was', async () => {
    await using fixture = server();
    const first = await fixture.connect({ serverBindings: { only: ['db.*'], confirm: ['db.write'] } });
    first.close();
    await settle();
    for (const serverBindings of [
      { only: ['db.*', 'getOrder'], confirm: ['db.write'] },
      { only: ['db.query'], confirm: ['db.write'] },
      { only: ['db.*'] },
      // Another way to say the same view is still another narrowing: a resume repeats, it does not restate.
      { only: ['db.query', 'db.write'], confirm: ['db.write'] },
    ]) {
      const error = await fixture.connect({ sessionId: first.sessionId, serverBindings }).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(HandshakeFailedError);
      expect((error as Error).message).toBe("a resume cannot change the session's server bindings");
    }
    const resumed = await fixture.connect({ sessionId: first.sessionId });
    expect(names(resumed.serverBindings)).toEqual(['db.query', 'db.write']);
    expect(fixture.server.stats().sessions).toBe(1);
  });

  it("checks the client's names against the session's server bindings, not the server's current set", async () => {
    await using fixture = server();
    const first = await fixture.connect();
    fixture.server.setBindings([named('fresh')]);
    first.close();
    await settle();
    const resumed = await fixture.connect({ sessionId: first.sessionId, bindings: [named('fresh')] });
    expect(names(resumed.serverBindings)).toEqual(['getOrder', 'db.query', 'db.write', 'mail.send']);
    resumed.close();
    await settle();
    await expect(fixture.connect({ sessionId: first.sessionId, bindings: [named('getOrder')] })).rejects.toThrow(
      'bindings getOrder and getOrder claim the same name',
    );
    // A new session is checked against the server's set of now.
    await expect(fixture.connect({ bindings: [named('fresh')] })).rejects.toBeInstanceOf(HandshakeFailedError);
  });
});

describe('serverBindings.confirm', () => {
  it("runs a gated guest call once the client's confirm answers true, showing it the call", async () => {
    await using fixture = server();
    const { binding, asked } = confirm(() => true);
    const client = await fixture.connect({ bindings: [binding], serverBindings: { confirm: ['db.write'], confirmEffects: ['external'] } });
    expect(await client.eval('call db.write')).toEqual({ value: 'db.write' });
    expect(await client.eval('call mail.send')).toEqual({ value: 'mail.send' });
    expect(await client.eval('call db.query')).toEqual({ value: 'db.query' });
    expect(asked).toEqual([
      { message: 'Allow db.write (write)?', binding: 'db.write', args: { sql: 'x', callback: '[function]' }, effects: ['write'] },
      { message: 'Allow mail.send (external)?', binding: 'mail.send', args: { sql: 'x', callback: '[function]' }, effects: ['external'] },
    ]);
    expect(ran).toEqual(['db.write', 'mail.send', 'db.query']);
  });

  it('fails a declined call with Unauthorized naming the binding, which guest code catches', async () => {
    await using fixture = server();
    const { binding } = confirm(() => false);
    const client = await fixture.connect({ bindings: [binding], serverBindings: { confirmEffects: ['write'] } });
    expect(await client.eval('call db.write')).toEqual({ code: ErrorCode.Unauthorized, data: { binding: 'db.write', effects: ['write'] } });
    expect(ran).toEqual([]);
  });

  it('refuses a gated call when the client declares no confirm, and never gates the client’s own invokes', async () => {
    await using fixture = server();
    const client = await fixture.connect({ serverBindings: { confirm: ['db.*'] } });
    expect(await client.eval('call db.query')).toEqual({ code: ErrorCode.Unauthorized, data: { binding: 'db.query', effects: ['read'] } });
    expect(await client.invoke('db.query', {})).toBe('db.query');
    expect(ran).toEqual(['db.query']);
  });

  it('cancels the confirm question with the eval, and the call never runs', async () => {
    await using fixture = server();
    const signals: AbortSignal[] = [];
    const { binding } = confirm((_question, context) => {
      signals.push(context.signal);
      return new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason as Error)));
    });
    const client = await fixture.connect({ bindings: [binding], serverBindings: { confirm: ['db.write'] } });
    const controller = new AbortController();
    const running = client.eval('wait for db.write', { signal: controller.signal }).catch((error: unknown) => error);
    await settle();
    expect(signals).toHaveLength(1);
    controller.abort();
    await running;
    await settle();
    expect(signals[0]!.aborted).toBe(true);
    expect(ran).toEqual([]);
    expect(client.stats()).toMatchObject({ pendingOutbound: 0, activeInbound: 0 });
  });

  it('fails a gated call with the error of a confirm binding that fails, and does not run it', async () => {
    await using fixture = server();
    const { binding } = confirm(() => {
      throw new UnauthorizedError('no terminal to ask on', { reason: 'headless' });
    });
    const client = await fixture.connect({ bindings: [binding], serverBindings: { confirm: ['db.write'] } });
    expect(await client.eval('call db.write')).toEqual({ code: ErrorCode.Unauthorized, data: { reason: 'headless' } });
    expect(ran).toEqual([]);
  });
});
