import { ErrorCode } from '@scomp/protocol/error-codes';
import { check, notApplicable, show, type CaseContext, type ConformanceCase } from '../case.js';
import { invokesOf } from '../clientBindings.js';
import { errorData, expectError, expectValue } from '../expect.js';
import { isObject, isResponse, type JsonObject, type WireConnection } from '../wire.js';
import { evalAfterReset } from './cancel.js';

/** Size of the result the resultBytes case asks for: above common limits, well below a 64 MiB heap. */
const RESULT_PROBE_BYTES = 8 * 1024 * 1024;

/** Checks `data` of a LimitExceeded error: the kind, and `max` as a number when present. */
function limitData(error: JsonObject, limit: string, what: string): JsonObject {
  const data = errorData(error, what);
  check(data.limit === limit, `${what}: expected data.limit ${show(limit)}, got ${show(data)}`);
  check(data.max === undefined || (typeof data.max === 'number' && data.max >= 0), `${what}: data.max must be a number, got ${show(data.max)}`);
  check(data.sessionReset === undefined || typeof data.sessionReset === 'boolean', `${what}: data.sessionReset must be a boolean, got ${show(data.sessionReset)}`);
  return data;
}

/** Responses among `received` that report LimitExceeded of `limit`. */
function limitResponses(connection: WireConnection, limit: string): JsonObject[] {
  return connection.received.filter(
    (message): message is JsonObject =>
      isResponse(message) && isObject(message.error) && message.error.code === ErrorCode.LimitExceeded && isObject(message.error.data) && message.error.data.limit === limit,
  );
}

/** A runtime limit case: `code` runs into `limit`; the session must go on afterwards. */
function runtimeLimit(id: string, limit: string, title: string, code: string): ConformanceCase {
  return {
    id,
    section: '§13',
    level: 'MUST',
    title,
    needs: ['javascript'],
    async run(ctx: CaseContext) {
      const { connection } = await ctx.session();
      const response = await connection.request('eval', { code, timeoutMs: ctx.options.timeoutMs }, { timeoutMs: ctx.options.timeoutMs * 2 });
      const error = response.error;
      if (isObject(error) && error.code === ErrorCode.LimitExceeded && isObject(error.data) && error.data.limit === 'time') {
        notApplicable(`the eval met the time limit of ${ctx.options.timeoutMs} ms before the ${limit} limit`);
      }
      limitData(expectError(response, 'LimitExceeded', `eval ${show(code)}`), limit, `the ${limit} limit`);
      expectValue(await evalAfterReset(connection, '6 * 7'), 42, `an eval after the ${limit} limit`);
    },
  };
}

export const limitCases: readonly ConformanceCase[] = [
  {
    id: 'limits.time',
    section: '§6.4',
    level: 'MUST',
    title: 'an eval past its timeoutMs fails with LimitExceeded {limit: "time", max: timeoutMs}',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const response = await connection.request('eval', { code: 'while (true) {}', timeoutMs: 200 });
      const data = limitData(expectError(response, 'LimitExceeded', 'while (true) {} with timeoutMs 200'), 'time', 'the time limit');
      check(data.max === 200, `expected max 200 (the eval's timeoutMs), got ${show(data.max)}`);
      expectValue(await evalAfterReset(connection, '6 * 7'), 42, 'an eval after the time limit');
    },
  },
  runtimeLimit(
    'limits.memory',
    'memory',
    'an eval that allocates without bound fails with LimitExceeded {limit: "memory"} and the session goes on',
    'const hoard = []; for (;;) hoard.push(new Array(1 << 16).fill(hoard.length))',
  ),
  runtimeLimit(
    'limits.stack',
    'stack',
    'unbounded recursion fails with LimitExceeded {limit: "stack"} and the session goes on',
    'function down(n) { return down(n + 1) + 1 }; down(0)',
  ),
  {
    id: 'limits.result-bytes',
    section: '§13',
    level: 'MUST',
    title: 'a result larger than resultBytes (or messageBytes) fails with LimitExceeded',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const bytes = RESULT_PROBE_BYTES;
      const response = await connection.request('eval', { code: `'x'.repeat(${bytes})` });
      if (isObject(response.result)) notApplicable(`a result of ${bytes} bytes was sent, so no result limit is below it`);
      const error = expectError(response, 'LimitExceeded', `a result of ${bytes} bytes`);
      const data = errorData(error, 'LimitExceeded');
      check(data.limit === 'resultBytes' || data.limit === 'messageBytes', `expected limit resultBytes or messageBytes, got ${show(data)}`);
      check(typeof data.max === 'number' && data.max < bytes, `expected data.max below ${bytes}, got ${show(data.max)}`);
    },
  },
  {
    id: 'limits.message-bytes',
    section: '§2',
    level: 'MUST',
    title: "a message larger than the server's maxMessageBytes is not parsed and the connection is closed",
    async run(ctx) {
      const { connection } = await ctx.session();
      const size = ctx.options.serverMaxMessageBytes + 1;
      const head = '{"jsonrpc":"2.0","id":7001,"method":"eval","params":{"code":"1","pad":"';
      connection.send(head + 'x'.repeat(size - head.length - 3) + '"}}');
      try {
        await connection.whenClosed();
      } catch {
        check(false, `the connection stayed open after a message of ${size} bytes (pass --server-max-message-bytes if the server allows more)`);
      }
      const answered = connection.received.some((message) => isResponse(message) && message.id === 7001);
      check(!answered, 'the over-size message was answered, so it was parsed');
    },
  },
  {
    id: 'limits.message-bytes-close-code',
    section: '§2',
    level: 'SHOULD',
    title: 'a connection closed for an over-size message is closed with WebSocket code 1009',
    needs: ['websocket'],
    async run(ctx) {
      const connection = await ctx.open();
      connection.send('"' + 'x'.repeat(ctx.options.serverMaxMessageBytes) + '"');
      const info = await connection.whenClosed();
      check(info.code === 1009, `expected close code 1009, got ${show(info.code)}`);
    },
  },
  {
    id: 'limits.eval-queue',
    section: '§6.2',
    level: 'MUST',
    title: 'an eval that would overflow the queue is answered LimitExceeded {limit: "evalQueue", max} without running',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const running = connection.request('eval', { code: "await probe.hold(); 'done'" });
      const held = await connection.nextCall('probe.hold');
      const count = ctx.options.limitProbeCount;
      const queued = Array.from({ length: count }, () => connection.request('eval', { code: 'globalThis.queuedRuns = (globalThis.queuedRuns ?? 0) + 1' }, { timeoutMs: ctx.options.timeoutMs * 4 }));
      await connection.barrier();
      held.respond({});
      await running;
      await Promise.all(queued);
      const refused = limitResponses(connection, 'evalQueue');
      if (refused.length === 0) notApplicable(`no evalQueue limit below ${count} queued evals`);
      const max = limitData(refused[0]!.error as JsonObject, 'evalQueue', 'the evalQueue limit').max;
      check(typeof max === 'number', `the evalQueue limit must report max, got ${show(refused[0])}`);
      expectValue(await connection.request('eval', { code: 'globalThis.queuedRuns' }), count - refused.length, 'the number of queued evals that ran');
      check(count - refused.length === max, `${count - refused.length} evals were queued, but the limit reported max ${max}`);
    },
  },
  {
    id: 'limits.pending-requests',
    section: '§13',
    level: 'MUST',
    title: 'requests beyond the pending-request limit are answered LimitExceeded {limit: "pendingRequests"}',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const result = await connection.request('eval', { code: 'async () => { await probe.hold() }' });
      const ref = isObject(result.result) && isObject(result.result.value) && isObject(result.result.value.$scomp) ? result.result.value.$scomp.id : undefined;
      check(typeof ref === 'string', `expected a function reference, got ${show(result)}`);
      const count = ctx.options.limitProbeCount;
      const answers = Array.from({ length: count }, () => connection.request('invoke', { ref }, { timeoutMs: ctx.options.timeoutMs * 4 }));
      // Each accepted invoke calls probe.hold and waits; each refused one is answered at once.
      const settled = () => invokesOf(connection, 'probe.hold').length + limitResponses(connection, 'pendingRequests').length >= count;
      await connection.waitFor(settled, `${count} invokes each calling probe.hold or refused`, ctx.options.timeoutMs * 4);
      const refused = limitResponses(connection, 'pendingRequests').length;
      for (let i = invokesOf(connection, 'probe.hold').length; i > 0; i--) (await connection.nextCall('probe.hold')).respond({});
      await Promise.all(answers);
      if (refused === 0) notApplicable(`no pendingRequests limit below ${count} requests`);
      limitData(limitResponses(connection, 'pendingRequests')[0]!.error as JsonObject, 'pendingRequests', 'the pendingRequests limit');
    },
  },
  {
    id: 'limits.refs',
    section: '§13',
    level: 'MUST',
    title: 'issuing refs beyond the refs limit fails with LimitExceeded {limit: "refs"}',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const count = ctx.options.limitProbeCount * 16;
      const response = await connection.request('eval', { code: `Array.from({ length: ${count} }, (_, i) => () => i)` });
      if (isObject(response.result)) notApplicable(`${count} refs were issued, so no refs limit is below it`);
      limitData(expectError(response, 'LimitExceeded', `a result with ${count} functions`), 'refs', 'the refs limit');
      expectValue(await connection.request('eval', { code: '6 * 7' }), 42, 'an eval after the refs limit');
    },
  },
];
