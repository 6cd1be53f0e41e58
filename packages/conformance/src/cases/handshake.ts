import { check, notApplicable, show, type CaseContext, type ConformanceCase } from '../case.js';
import { errorData, expectError, expectResult, type ErrorName } from '../expect.js';
import { isObject, isResponse, type JsonObject, type WireConnection } from '../wire.js';

const BINDING_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

/** Sends a handshake that must fail with `name`, then checks the server closes the connection (§4). */
async function terminalHandshake(ctx: CaseContext, params: JsonObject, name: ErrorName, what: string): Promise<JsonObject> {
  const connection = await ctx.open();
  const error = expectError(await connection.request('handshake', params), name, what);
  await expectClosedAfterError(connection, what);
  return error;
}

async function expectClosedAfterError(connection: WireConnection, what: string): Promise<void> {
  try {
    await connection.whenClosed();
  } catch {
    check(false, `${what}: handshake errors are terminal (§4), but the server kept the connection open`);
  }
}

export const handshakeCases: readonly ConformanceCase[] = [
  {
    id: 'handshake.result',
    section: '§5.1',
    level: 'MUST',
    title: 'a handshake is answered with protocol, sessionId, bindings and resumed false or absent',
    async run(ctx) {
      const { result } = await ctx.session();
      check(result.protocol === ctx.protocol, `expected protocol ${show(ctx.protocol)}, got ${show(result.protocol)}`);
      // `resumed` is OPTIONAL with default false (§5.1): a server that never resumes may leave it out.
      check(result.resumed === false || result.resumed === undefined, `a new session must answer resumed: false or omit it, got ${show(result.resumed)}`);
      check(
        result.metadata === undefined || isObject(result.metadata),
        `metadata, when present, must be an object, got ${show(result.metadata)}`,
      );
    },
  },
  {
    id: 'handshake.silent-before',
    section: '§4',
    level: 'MUST',
    title: 'the server sends nothing before its handshake response',
    async run(ctx) {
      const connection = await ctx.open();
      const response = await connection.request('handshake', ctx.handshakeParams());
      expectResult(response, 'the handshake');
      const first = connection.received[0];
      check(first === response, `the first message the server sent was not the handshake response: ${show(first)}`);
    },
  },
  {
    id: 'handshake.session-id',
    section: '§10',
    level: 'MUST',
    title: 'session ids are "sess_" and base64url of at least 16 random bytes',
    async run(ctx) {
      const first = await ctx.session();
      const second = await ctx.session();
      for (const id of [first.sessionId, second.sessionId]) {
        check(/^sess_[A-Za-z0-9_-]{22,}$/.test(id), `session id ${show(id)} is not "sess_" then base64url of 16 or more bytes`);
      }
      check(first.sessionId !== second.sessionId, `two handshakes were given the same session id ${show(first.sessionId)}`);
    },
  },
  {
    id: 'handshake.server-bindings',
    section: '§11.2',
    level: 'MUST',
    title: 'server binding names are valid, unique, and none is "console"',
    async run(ctx) {
      const bindings = await ctx.serverBindings();
      const names = new Set<string>();
      for (const binding of bindings) {
        const name = binding.name;
        check(typeof name === 'string' && BINDING_NAME.test(name) && name.length <= 256, `invalid binding name ${show(name)}`);
        check(name !== 'console', 'the server declares "console", which is reserved for the client (§11.2)');
        check(!names.has(name), `the server declares ${show(name)} twice`);
        check('input' in binding, `binding ${name} has no input schema (REQUIRED, §11.1)`);
        names.add(name);
      }
    },
  },
  {
    id: 'handshake.unknown-members',
    section: '§3',
    level: 'MUST',
    title: 'members the spec does not name in params and bindings are ignored, not refused',
    async run(ctx) {
      const bindings = [{ name: 'extended', input: true, 'x-note': 'an extension', annotations: { title: 'Extended' } }];
      const params = ctx.handshakeParams({
        bindings,
        extra: { clientInfo: { name: 'scomp-conformance', version: '0.1.0' }, _meta: { trace: 'abc' } },
      });
      const connection = await ctx.open();
      expectResult(await connection.request('handshake', params), 'a handshake with clientInfo, _meta and an extended binding');
      expectResult(await connection.request('eval', { code: '1', _meta: { trace: 'abc' } }), 'an eval with _meta');
      connection.notify('cancel', { id: 'never-sent', _meta: {} });
      expectError(await connection.request('invoke', { name: 'noSuchBinding', futureOption: true }), 'BindingNotFound', 'an invoke with an unknown member');
    },
  },
  {
    id: 'handshake.required',
    section: '§4',
    level: 'MUST',
    title: 'a request before the handshake is answered HandshakeRequired and the connection stays open',
    async run(ctx) {
      const connection = await ctx.open();
      const error = await connection.request('eval', { code: '1 + 1' });
      expectError(error, 'HandshakeRequired', 'eval before the handshake');
      expectError(
        await connection.request('invoke', { name: 'anything', args: {} }),
        'HandshakeRequired',
        'invoke before the handshake',
      );
      expectResult(await connection.request('handshake', ctx.handshakeParams()), 'a handshake after HandshakeRequired');
    },
  },
  {
    id: 'handshake.notifications-ignored',
    section: '§4',
    level: 'MUST',
    title: 'notifications before the handshake are ignored',
    async run(ctx) {
      const connection = await ctx.open();
      connection.notify('invoke', { name: 'probe.mark', args: {} });
      connection.notify('cancel', { id: 1 });
      const response = await connection.request('handshake', ctx.handshakeParams());
      expectResult(response, 'the handshake after two notifications');
      check(
        connection.received.length === 1,
        `the server answered notifications sent before the handshake: ${show(connection.received.slice(0, -1))}`,
      );
    },
  },
  {
    id: 'handshake.second',
    section: '§4',
    level: 'MUST',
    title: 'a second handshake is answered HandshakeFailed and the session is unaffected',
    async run(ctx) {
      const { connection } = await ctx.session();
      expectResult(await connection.request('eval', { code: 'globalThis.kept = 41; kept + 1' }), 'eval before the second handshake');
      expectError(await connection.request('handshake', ctx.handshakeParams()), 'HandshakeFailed', 'the second handshake');
      check(!connection.closed, 'the server closed the connection after a second handshake');
      const response = await connection.request('eval', { code: 'globalThis.kept' });
      const result = expectResult(response, 'eval after the second handshake');
      check(result.value === 41, `the session's state changed after a second handshake: ${show(result)}`);
    },
  },
  {
    id: 'handshake.version-refused',
    section: '§5.2',
    level: 'MUST',
    title: 'an incompatible protocol is answered UnsupportedVersion with data.supported, then closed',
    async run(ctx) {
      for (const protocol of ['0.999', '99.0']) {
        const error = await terminalHandshake(
          ctx,
          ctx.handshakeParams({ protocol }),
          'UnsupportedVersion',
          `handshake with protocol ${protocol}`,
        );
        const data = errorData(error, 'UnsupportedVersion');
        check(
          Array.isArray(data.supported) && data.supported.length > 0 && data.supported.every((v) => typeof v === 'string'),
          `data.supported must list the versions the server speaks, got ${show(data)}`,
        );
      }
    },
  },
  {
    id: 'handshake.invalid-params',
    section: '§4',
    level: 'MUST',
    title: 'a handshake with invalid params is answered InvalidParams, then closed',
    async run(ctx) {
      await terminalHandshake(ctx, { protocol: ctx.protocol }, 'InvalidParams', 'handshake without bindings');
    },
  },
  {
    id: 'handshake.duplicate-binding',
    section: '§11.2',
    level: 'MUST',
    title: 'client bindings with the same name twice are answered HandshakeFailed, then closed',
    async run(ctx) {
      const binding = { name: 'twice', input: true };
      await terminalHandshake(ctx, ctx.handshakeParams({ bindings: [binding, binding] }), 'HandshakeFailed', 'duplicate client bindings');
    },
  },
  {
    id: 'handshake.dotted-prefix',
    section: '§11.2',
    level: 'MUST',
    title: 'client bindings where one name is a dotted prefix of another are answered HandshakeFailed',
    async run(ctx) {
      const bindings = [
        { name: 'db', input: true },
        { name: 'db.query', input: true },
      ];
      await terminalHandshake(ctx, ctx.handshakeParams({ bindings }), 'HandshakeFailed', 'client bindings "db" and "db.query"');
    },
  },
  {
    id: 'handshake.server-name-clash',
    section: '§11.2',
    level: 'MUST',
    title: 'a client binding named like a server binding is answered HandshakeFailed',
    async run(ctx) {
      const taken = (await ctx.serverBindings())[0];
      if (!taken) notApplicable('needs a server binding whose name a client binding can clash with');
      // A server name that is not a string cannot clash, and the case then fails as it should.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string
      const bindings = [{ name: String(taken.name), input: true }];
      await terminalHandshake(ctx, ctx.handshakeParams({ bindings }), 'HandshakeFailed', `a client binding named ${show(taken.name)}`);
    },
  },
  {
    id: 'handshake.unauthorized',
    section: '§5.1',
    level: 'MUST',
    title: 'a handshake without the credentials the server requires is answered Unauthorized, then closed',
    async run(ctx) {
      if (!ctx.options.metadata) notApplicable('needs a server that authenticates by handshake metadata, given with --metadata');
      await terminalHandshake(ctx, ctx.handshakeParams({ metadata: {} }), 'Unauthorized', 'a handshake with empty metadata');
    },
  },
  {
    id: 'handshake.session-not-found',
    section: '§10',
    level: 'MUST',
    title: 'an unknown sessionId is answered SessionNotFound, then closed, and no session is created',
    async run(ctx) {
      const sessionId = 'sess_0YzN5cG1hUk9xTnQ4bWJpZA';
      await terminalHandshake(ctx, ctx.handshakeParams({ sessionId }), 'SessionNotFound', `resume of ${sessionId}`);
    },
  },
  {
    id: 'handshake.response-before-close',
    section: '§4',
    level: 'MUST',
    title: 'the handshake error response arrives before the connection closes',
    async run(ctx) {
      const connection = await ctx.open();
      connection.send({ jsonrpc: '2.0', id: 1, method: 'handshake', params: ctx.handshakeParams({ protocol: '0.999' }) });
      await expectClosedAfterError(connection, 'handshake with protocol 0.999');
      check(
        connection.received.some((message) => isResponse(message) && message.id === 1 && isObject(message.error)),
        `the connection closed without the handshake's error response; received ${show(connection.received)}`,
      );
    },
  },
];
