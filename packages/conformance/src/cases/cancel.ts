import { ErrorCode } from '@scomp/protocol/error-codes';
import { check, show, type ConformanceCase } from '../case.js';
import { invokesOf } from '../clientBindings.js';
import { expectError, expectResult, expectValue } from '../expect.js';
import { isObject, isResponse, type Json, type JsonObject, type WireConnection } from '../wire.js';

function responsesTo(connection: WireConnection, id: Json): JsonObject[] {
  return connection.received.filter((message): message is JsonObject => isResponse(message) && message.id === id);
}

/**
 * Evaluates `code` after a cancel, allowing the one InternalError {sessionReset: true} §6.4 permits
 * when the cancelled eval's runtime had to be stopped.
 */
export async function evalAfterReset(connection: WireConnection, code: string): Promise<JsonObject> {
  const response = await connection.request('eval', { code });
  const error = response.error;
  if (isObject(error) && error.code === ErrorCode.InternalError && isObject(error.data) && error.data.sessionReset === true) {
    return connection.request('eval', { code });
  }
  return response;
}

export const cancelCases: readonly ConformanceCase[] = [
  {
    id: 'cancel.running-eval',
    section: '§9',
    level: 'MUST',
    title: 'a running eval that is cancelled is interrupted and answered Cancelled, once',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const id = connection.id();
      const answer = connection.request('eval', { code: "await probe.mark('started'); while (true) {}" }, { id });
      await connection.waitFor((message) => isObject(message) && message.method === 'invoke', 'the running eval calling probe.mark');
      connection.notify('cancel', { id, reason: 'conformance check' });
      expectError(await answer, 'Cancelled', 'the cancelled eval');
      expectValue(await evalAfterReset(connection, '1 + 1'), 2, 'an eval after the cancel');
      check(responsesTo(connection, id).length === 1, `the cancelled eval was answered more than once: ${show(responsesTo(connection, id))}`);
    },
  },
  {
    id: 'cancel.queued-eval',
    section: '§9',
    level: 'MUST',
    title: 'a queued eval that is cancelled is answered Cancelled and never runs',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const running = connection.request('eval', { code: "await probe.hold(); 'first'" });
      const held = await connection.nextCall('probe.hold');
      const id = connection.id();
      const queued = connection.request('eval', { code: "await probe.mark('queued ran'); 'queued'" }, { id });
      connection.notify('cancel', { id });
      expectError(await queued, 'Cancelled', 'the cancelled queued eval');
      held.respond({});
      expectValue(await running, 'first', 'the eval that was running');
      await connection.barrier();
      check(invokesOf(connection, 'probe.mark').length === 0, 'the cancelled queued eval ran');
      check(responsesTo(connection, id).length === 1, 'the cancelled eval was answered more than once');
    },
  },
  {
    id: 'cancel.invoke',
    section: '§9',
    level: 'MUST',
    title: 'a cancelled invoke of a ref is answered Cancelled',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const result = expectResult(await connection.request('eval', { code: 'async () => { await probe.hold(); return "late" }' }), 'eval');
      const ref = isObject(result.value) && isObject(result.value.$scomp) ? result.value.$scomp.id : undefined;
      check(typeof ref === 'string', `expected a function reference, got ${show(result.value)}`);
      const id = connection.id();
      const answer = connection.request('invoke', { ref }, { id });
      const held = await connection.nextCall('probe.hold');
      connection.notify('cancel', { id });
      expectError(await answer, 'Cancelled', 'the cancelled invoke');
      held.respond({});
      await connection.barrier();
      check(responsesTo(connection, id).length === 1, 'the cancelled invoke was answered more than once');
    },
  },
  {
    id: 'cancel.unknown',
    section: '§9',
    level: 'MUST',
    title: 'a cancel for an unknown or completed request is ignored',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const done = await connection.request('eval', { code: '1' });
      const from = connection.received.length;
      connection.notify('cancel', { id: done.id as Json });
      connection.notify('cancel', { id: 'never-sent' });
      const barrier = await connection.barrier();
      const answers = connection.received.slice(from, connection.received.indexOf(barrier));
      check(answers.length === 0, `cancels of unknown requests were answered: ${show(answers)}`);
      expectResult(await connection.request('eval', { code: '1' }), 'an eval after the cancels');
    },
  },
  {
    id: 'cancel.keyed',
    section: '§6.5',
    level: 'MUST',
    title: 'a cancelled keyed eval stores Cancelled as its outcome',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const code = "await probe.hold(); 'not cancelled'";
      const id = connection.id();
      const answer = connection.request('eval', { code, key: 'conformance-cancelled' }, { id });
      const held = await connection.nextCall('probe.hold');
      connection.notify('cancel', { id });
      expectError(await answer, 'Cancelled', 'the cancelled keyed eval');
      held.respond({});
      const retry = await connection.request('eval', { code, key: 'conformance-cancelled' });
      const outcome = isObject(retry.error) && retry.error.code === ErrorCode.InternalError ? await connection.request('eval', { code, key: 'conformance-cancelled' }) : retry;
      expectError(outcome, 'Cancelled', 'the retry of the cancelled keyed eval');
      check(invokesOf(connection, 'probe.hold').length === 1, 'the retry ran the cancelled code again');
    },
  },
];
