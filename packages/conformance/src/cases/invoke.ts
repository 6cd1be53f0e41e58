import { check, notApplicable, show, type ConformanceCase } from '../case.js';
import { invokesOf } from '../clientBindings.js';
import { errorData, expectError, expectIssues, expectValue } from '../expect.js';
import { isObject, type JsonObject, type WireConnection } from '../wire.js';

/** Effects under which calling a binding with made-up arguments cannot change anything. */
const HARMLESS = new Set(['pure', 'read']);

/** A server binding whose input schema is a plain object schema, preferring ones that change nothing. */
function objectInputBinding(bindings: readonly JsonObject[]): JsonObject | undefined {
  const candidates = bindings.filter((binding) => isObject(binding.input) && binding.input.type === 'object');
  const harmless = (binding: JsonObject) =>
    Array.isArray(binding.effects) && binding.effects.every((effect) => typeof effect === 'string' && HARMLESS.has(effect));
  return candidates.find(harmless) ?? candidates[0];
}

/** Everything the server sends between now and the answer to a barrier request. */
async function answersTo(connection: WireConnection, send: () => void) {
  const from = connection.received.length;
  send();
  const barrier = await connection.barrier();
  return connection.received.slice(from, connection.received.indexOf(barrier));
}

export const invokeCases: readonly ConformanceCase[] = [
  {
    id: 'invoke.by-name',
    section: '§7.1',
    level: 'MUST',
    title: 'a client invoke of a server binding by name is answered {value}',
    needs: ['echo'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const args = { text: 'héllo ✓', list: [1, 2.5, null, true], nested: { deep: ['x'] } };
      expectValue(await connection.request('invoke', { name: 'echo', args }), args, 'invoke echo');
    },
  },
  {
    id: 'invoke.absent-args',
    section: '§7.1',
    level: 'MUST',
    title: 'an absent args is passed as absent to a binding whose input accepts any value',
    needs: ['echo'],
    async run(ctx) {
      const echo = await ctx.requireBinding('echo', 'returns its argument');
      if (!(echo.input === true || (isObject(echo.input) && Object.keys(echo.input).length === 0))) {
        notApplicable(`echo's input schema ${show(echo.input)} does not accept any value`);
      }
      const { connection } = await ctx.sharedSession();
      expectValue(await connection.request('invoke', { name: 'echo' }), undefined, 'invoke echo without args');
    },
  },
  {
    id: 'invoke.binding-not-found',
    section: '§7.1',
    level: 'MUST',
    title: 'an invoke of an undeclared name is answered BindingNotFound with data.name',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const error = expectError(
        await connection.request('invoke', { name: 'noSuchBinding', args: {} }),
        'BindingNotFound',
        'invoke noSuchBinding',
      );
      const data = errorData(error, 'BindingNotFound');
      check(data.name === 'noSuchBinding', `expected data.name "noSuchBinding", got ${show(data)}`);
    },
  },
  {
    id: 'invoke.invalid-args',
    section: '§11.5',
    level: 'MUST',
    title: "args that fail the binding's input schema are answered InvalidParams with issues relative to args",
    async run(ctx) {
      const binding = objectInputBinding(await ctx.serverBindings());
      if (!binding) notApplicable('needs a server binding whose input schema has "type": "object"');
      const { connection } = await ctx.sharedSession();
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any JSON a server sent, named in a report
      const what = `invoke ${String(binding.name)} with args "not an object"`;
      const error = expectError(await connection.request('invoke', { name: binding.name!, args: 'not an object' }), 'InvalidParams', what);
      const issues = expectIssues(error, what);
      check(issues.some((issue) => issue.path === ''), `the wrong type of args itself should be an issue at "", got ${show(issues)}`);
    },
  },
  {
    id: 'invoke.invalid-args-message',
    section: '§12.2',
    level: 'SHOULD',
    title: 'the InvalidParams message names the first issue',
    async run(ctx) {
      const binding = objectInputBinding(await ctx.serverBindings());
      if (!binding) notApplicable('needs a server binding whose input schema has "type": "object"');
      const { connection } = await ctx.sharedSession();
      const error = expectError(await connection.request('invoke', { name: binding.name!, args: 'not an object' }), 'InvalidParams', 'invalid args');
      const [first] = expectIssues(error, 'invalid args');
      check(
        typeof error.message === 'string' && error.message.includes(first!.message),
        `the message ${show(error.message)} does not name the first issue ${show(first)}`,
      );
    },
  },
  {
    id: 'invoke.notification',
    section: '§7.2',
    level: 'MUST',
    title: 'an invoke sent as a notification is never answered, not even with an error',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const bindings = await ctx.serverBindings();
      const answers = await answersTo(connection, () => {
        connection.notify('invoke', { name: 'noSuchBinding', args: {} });
        connection.notify('invoke', { ref: 'fn_no_such_ref', args: 1 });
        if (bindings.some((binding) => binding.name === 'echo')) connection.notify('invoke', { name: 'echo', args: { quiet: true } });
      });
      check(answers.length === 0, `invoke notifications were answered: ${show(answers)}`);
    },
  },
  {
    id: 'invoke.server-to-client',
    section: '§7.1',
    level: 'MUST',
    title: "code calling a client binding sends invoke {name, args} with a fresh request id, and gets the client's result",
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      connection.hold('probe.mark');
      const result = connection.request('eval', { code: "const got = await probe.mark({ n: 1 }); [got, await probe.mark({ n: 2 })]" });
      const first = await connection.nextCall('probe.mark');
      first.respond({ value: 'first answer' });
      const second = await connection.nextCall('probe.mark');
      second.respond({});
      expectValue(await result, ['first answer', null], 'the eval that called probe.mark twice');
      for (const call of [first, second]) {
        const id = call.message.id;
        check(typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)), `the invoke's id ${show(id)} is not an integer or string`);
        check(call.message.jsonrpc === '2.0', `the invoke is not JSON-RPC 2.0: ${show(call.message)}`);
      }
      check(first.message.id !== second.message.id, 'the server reused a request id while the request was pending');
      check(JSON.stringify(first.params) === JSON.stringify({ name: 'probe.mark', args: { n: 1 } }), `unexpected params ${show(first.params)}`);
    },
  },
  {
    id: 'invoke.client-validation-error',
    section: '§11.5',
    level: 'MUST',
    title: "a client's InvalidParams answer reaches the code that called the binding",
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const code = "try { await probe.fail({ id: 5 }); 'resolved' } catch { 'rejected' }";
      expectValue(await connection.request('eval', { code }), 'rejected', 'the code that called probe.fail');
      check(invokesOf(connection, 'probe.fail').length === 1, 'probe.fail was not invoked exactly once');
    },
  },
];
