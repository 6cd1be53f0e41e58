import { check, show, type ConformanceCase } from '../case.js';
import { expectError, expectIssues, expectResult } from '../expect.js';
import { isObject, isResponse, type Json, type JsonObject, type WireConnection } from '../wire.js';

/** Messages the server sent after index `from` and before the barrier's answer. */
async function sentBefore(connection: WireConnection, from: number): Promise<Json[]> {
  const barrier = await connection.barrier();
  expectError(barrier, 'MethodNotFound', 'a request for an unknown method');
  return connection.received.slice(from, connection.received.indexOf(barrier));
}

/** Sends `text` and expects exactly one error response with `id` null and the given code. */
async function expectNullIdError(connection: WireConnection, text: string, name: 'ParseError' | 'InvalidRequest', what: string) {
  const from = connection.received.length;
  connection.send(text);
  const answers = await sentBefore(connection, from);
  check(answers.length === 1, `${what}: expected one ${name} response with id null, got ${show(answers)}`);
  const answer = answers[0]!;
  check(isResponse(answer) && answer.id === null, `${what}: expected a response with id null, got ${show(answer)}`);
  expectError(answer, name, what);
}

export const messageCases: readonly ConformanceCase[] = [
  {
    id: 'messages.parse-error',
    section: '§3',
    level: 'MUST',
    title: 'text that is not JSON is answered ParseError with id null and the connection stays open',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      await expectNullIdError(connection, '{"jsonrpc": "2.0", "id": 1, "method": ', 'ParseError', 'truncated JSON');
      expectResult(await connection.request('eval', { code: '1' }), 'eval after a parse error');
    },
  },
  {
    id: 'messages.batch',
    section: '§3',
    level: 'MUST',
    title: 'a batch is answered with one InvalidRequest (id null) and none of its elements is processed',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const batch = [
        { jsonrpc: '2.0', id: 101, method: 'eval', params: { code: 'globalThis.batched = 1' } },
        { jsonrpc: '2.0', id: 102, method: 'eval', params: { code: 'globalThis.batched = 2' } },
      ];
      await expectNullIdError(connection, JSON.stringify(batch), 'InvalidRequest', 'a batch of two evals');
      await expectNullIdError(connection, '[]', 'InvalidRequest', 'an empty batch');
      const after = expectResult(await connection.request('eval', { code: 'typeof globalThis.batched' }), 'eval after the batch');
      check(after.value === 'undefined', `an element of the batch ran: typeof batched is ${show(after.value)}`);
    },
  },
  {
    id: 'messages.invalid-request-id',
    section: '§3',
    level: 'MUST',
    title: "an invalid request with a method and a valid id is answered InvalidRequest with that id",
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      for (const [id, message] of [
        [201, { jsonrpc: '1.0', id: 201, method: 'eval', params: { code: '1' } }],
        [202, { jsonrpc: '2.0', id: 202, method: 42, params: {} }],
        ['s-203', { jsonrpc: '2.0', id: 's-203', method: 'eval', params: { code: '1' }, extra: true }],
      ] as const) {
        const response = await connection.exchange(message as JsonObject, id, `the answer to ${show(message)}`);
        expectError(response, 'InvalidRequest', `message ${show(message)}`);
      }
    },
  },
  {
    id: 'messages.invalid-request-null',
    section: '§3',
    level: 'MUST',
    title: 'an invalid message without a valid id is answered InvalidRequest with id null',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const cases: [string, Json][] = [
        ['a number', 42],
        ['a string', 'eval'],
        ['a request with id null', { jsonrpc: '2.0', id: null, method: 'eval', params: { code: '1' } }],
        ['a request with a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'eval', params: { code: '1' } }],
        ['a request with an id of 257 characters', { jsonrpc: '2.0', id: 'x'.repeat(257), method: 'eval', params: { code: '1' } }],
        ['an object without method, result or error', { jsonrpc: '2.0', id: 301 }],
      ];
      for (const [what, message] of cases) await expectNullIdError(connection, JSON.stringify(message), 'InvalidRequest', what);
    },
  },
  {
    id: 'messages.malformed-response',
    section: '§3',
    level: 'MUST',
    title: "a malformed response is not answered with its id (the id belongs to the server's id space)",
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const from = connection.received.length;
      connection.send({ jsonrpc: '2.0', id: 401, result: {}, error: { code: 1, message: 'both' } });
      const answers = await sentBefore(connection, from);
      check(
        answers.every((message) => !(isObject(message) && message.id === 401)),
        `the server answered a malformed response with its id: ${show(answers)}`,
      );
    },
  },
  {
    id: 'messages.string-ids',
    section: '§3',
    level: 'MUST',
    title: 'string and integer request ids are accepted and echoed',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      for (const id of ['req-a', 'x'.repeat(256), 0, 2 ** 31 + 7]) {
        const response = await connection.request('eval', { code: '6 * 7' }, { id });
        check(expectResult(response, `eval with id ${show(id)}`).value === 42, `eval with id ${show(id)} did not give 42`);
      }
    },
  },
  {
    id: 'messages.method-not-found',
    section: '§3',
    level: 'MUST',
    title: 'a request for an unknown method is answered MethodNotFound; a notification for one is ignored',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      expectError(await connection.request('noSuchMethod', {}, { id: 501 }), 'MethodNotFound', 'request noSuchMethod');
      const from = connection.received.length;
      connection.notify('noSuchMethod', {});
      const answers = await sentBefore(connection, from);
      check(answers.length === 0, `a notification for an unknown method was answered: ${show(answers)}`);
    },
  },
  {
    id: 'messages.invalid-params',
    section: '§3',
    level: 'MUST',
    title: "params that do not match the method's schema are answered InvalidParams with issues",
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const cases: [string, JsonObject | Json[]][] = [
        ['eval without code', {}],
        ['eval with a numeric code', { code: 42 }],
        ['eval with timeoutMs 0', { code: '1', timeoutMs: 0 }],
        ['eval with an empty key', { code: '1', key: '' }],
      ];
      for (const [what, params] of cases) {
        const id = connection.id();
        const answer = await connection.exchange({ jsonrpc: '2.0', id, method: 'eval', params }, id, `the answer to ${what}`);
        expectIssues(expectError(answer, 'InvalidParams', what), what);
      }
    },
  },
  {
    id: 'messages.invoke-name-and-ref',
    section: '§7.1',
    level: 'MUST',
    title: 'invoke params with both or neither of name and ref are answered InvalidParams',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      expectError(await connection.request('invoke', { name: 'a', ref: 'b', args: {} }), 'InvalidParams', 'invoke with name and ref');
      expectError(await connection.request('invoke', { args: {} }), 'InvalidParams', 'invoke with neither name nor ref');
    },
  },
  {
    id: 'messages.stray-responses',
    section: '§3',
    level: 'MUST',
    title: 'a response matching no pending request is not answered with its id; an error response is not answered at all',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const from = connection.received.length;
      connection.send({ jsonrpc: '2.0', id: 9001, result: {} });
      const afterSuccess = await sentBefore(connection, from);
      check(
        afterSuccess.every((message) => isResponse(message) && message.id === null),
        `a stray success response was answered other than with an id-null InvalidRequest: ${show(afterSuccess)}`,
      );
      for (const message of afterSuccess) expectError(message as JsonObject, 'InvalidRequest', 'the answer to a stray success');
      const next = connection.received.length;
      connection.send({ jsonrpc: '2.0', id: 9002, error: { code: -32603, message: 'internal error' } });
      const afterError = await sentBefore(connection, next);
      check(afterError.length === 0, `a stray error response was answered: ${show(afterError)}`);
    },
  },
];
