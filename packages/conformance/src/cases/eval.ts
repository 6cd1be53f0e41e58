import { check, show, type ConformanceCase } from '../case.js';
import { invokesOf } from '../clientBindings.js';
import { expectError, expectIssues, expectResult, expectValue } from '../expect.js';
import { isObject, isResponse, type Json, type JsonObject, type WireConnection } from '../wire.js';

function responseIndex(connection: WireConnection, id: Json): number {
  return connection.received.findIndex((message) => isResponse(message) && message.id === id);
}

function markIndex(connection: WireConnection, label: string): number {
  return connection.received.findIndex(
    (message) => isObject(message) && message.method === 'invoke' && isObject(message.params) && message.params.name === 'probe.mark' && message.params.args === label,
  );
}

export const evalCases: readonly ConformanceCase[] = [
  {
    id: 'eval.fifo',
    section: '§6.2',
    level: 'MUST',
    title: 'evals in a session start in the order received, never before the previous one settled',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const [firstId, secondId] = [connection.id(), connection.id()];
      const first = connection.request('eval', { code: "await probe.hold(); 'a'" }, { id: firstId });
      const held = await connection.nextCall('probe.hold');
      const second = connection.request('eval', { code: "await probe.mark('b'); 'b'" }, { id: secondId });
      const third = connection.request('eval', { code: "await probe.mark('c'); 'c'" });
      // Invokes are not queued behind evals, so this answer comes while the first eval still waits.
      await connection.barrier();
      check(invokesOf(connection, 'probe.mark').length === 0, 'a queued eval started while the eval before it was still running');
      held.respond({});
      expectValue(await first, 'a', 'the first eval');
      expectValue(await second, 'b', 'the second eval');
      expectValue(await third, 'c', 'the third eval');
      const [markB, markC] = [markIndex(connection, 'b'), markIndex(connection, 'c')];
      check(markB !== -1 && markC > markB, `the evals started out of order: mark b at message ${markB}, mark c at ${markC}`);
      check(responseIndex(connection, firstId) < markB, 'the second eval started before the first one settled');
      check(responseIndex(connection, secondId) < markC, 'the third eval started before the second one settled');
    },
  },
  {
    id: 'eval.messages-before-response',
    section: '§6.2',
    level: 'MUST',
    title: "messages sent on behalf of an eval's code (invokes, console notifications) come before its response",
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const id = connection.id();
      const response = await connection.request(
        'eval',
        { code: "console.log('one'); await probe.mark('awaited'); void probe.mark('not awaited'); console.warn('two'); 'done'" },
        { id },
      );
      expectValue(response, 'done', 'the eval');
      const at = connection.received.indexOf(response);
      for (const label of ['awaited', 'not awaited']) {
        const index = markIndex(connection, label);
        check(index !== -1 && index < at, `the invoke of probe.mark(${show(label)}) was not sent before the eval's response`);
      }
      const consoleLines = invokesOf(connection, 'console');
      check(consoleLines.length === 2, `expected two console notifications, got ${show(consoleLines)}`);
      for (const line of consoleLines) {
        check(connection.received.indexOf(line) < at, `console notification ${show(line)} came after the eval's response`);
      }
    },
  },
  {
    id: 'eval.console',
    section: '§11.6',
    level: 'MUST',
    title: 'console output goes to the client\'s "console" binding as invoke notifications {level, args}',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const response = await connection.request('eval', { code: "console.log('total', 142.5); console.error({ a: 1 }); 'done'" });
      expectValue(response, 'done', 'the eval');
      const lines = invokesOf(connection, 'console');
      check(lines.length === 2, `expected two console invokes, got ${show(lines)}`);
      const [log, error] = lines as [JsonObject, JsonObject];
      check(!('id' in log) && !('id' in error), `console output must be sent as notifications (no id): ${show(lines)}`);
      check(
        JSON.stringify(log.params) === JSON.stringify({ name: 'console', args: { level: 'log', args: ['total', 142.5] } }),
        `console.log('total', 142.5) was sent as ${show(log.params)}`,
      );
      check(
        isObject(error.params) && isObject(error.params.args) && error.params.args.level === 'error',
        `console.error was sent as ${show(error.params)}`,
      );
    },
  },
  {
    id: 'eval.key-replay',
    section: '§6.5',
    level: 'MUST',
    title: 'an eval with a known key is not run again: the stored outcome is answered',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const code = 'globalThis.keyedRuns = (globalThis.keyedRuns ?? 0) + 1; keyedRuns';
      expectValue(await connection.request('eval', { code, key: 'conformance-key-1' }), 1, 'the first keyed eval');
      expectValue(await connection.request('eval', { code, key: 'conformance-key-1' }), 1, 'the same key again');
      expectValue(await connection.request('eval', { code: 'keyedRuns' }), 1, 'the run count after the retry');
      const failing = "throw new Error('keyed failure')";
      const firstError = expectError(await connection.request('eval', { code: failing, key: 'conformance-key-2' }), 'EvalError', 'a keyed eval that throws');
      const again = expectError(await connection.request('eval', { code: failing, key: 'conformance-key-2' }), 'EvalError', 'its retry');
      check(JSON.stringify(firstError.data) === JSON.stringify(again.data), `the retry's error differs: ${show(firstError)} then ${show(again)}`);
    },
  },
  {
    id: 'eval.key-pending',
    section: '§6.5',
    level: 'MUST',
    title: 'a retry of a keyed eval that has not settled waits for it and answers its outcome',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const code = "await probe.hold(); 'held once'";
      const first = connection.request('eval', { code, key: 'conformance-key-3' });
      const held = await connection.nextCall('probe.hold');
      const retry = connection.request('eval', { code, key: 'conformance-key-3' });
      await connection.barrier();
      held.respond({});
      expectValue(await first, 'held once', 'the first run');
      expectValue(await retry, 'held once', 'the retry');
      await connection.barrier();
      check(invokesOf(connection, 'probe.hold').length === 1, 'the retry ran the code a second time');
    },
  },
  {
    id: 'eval.key-different-code',
    section: '§6.5',
    level: 'SHOULD',
    title: 'a known key sent with different code is answered InvalidParams with an issue at /key',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      expectResult(await connection.request('eval', { code: '1', key: 'conformance-key-4' }), 'the first keyed eval');
      const error = expectError(await connection.request('eval', { code: '2', key: 'conformance-key-4' }), 'InvalidParams', 'the same key with other code');
      const issues = expectIssues(error, 'InvalidParams');
      check(issues.some((issue) => issue.path === '/key'), `expected an issue at /key, got ${show(issues)}`);
    },
  },
];
