import { check, notApplicable, show, type CaseContext, type ConformanceCase } from '../case.js';
import { CLIENT_BINDINGS } from '../clientBindings.js';
import { errorData, expectError, expectResult, expectValue } from '../expect.js';
import { isObject, type Json, type JsonObject } from '../wire.js';

/** The standard `confirm` client binding (§11.7), declared by the cases that gate a call. */
const CONFIRM: JsonObject = {
  name: 'confirm',
  input: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
  output: { type: 'boolean' },
};

const names = (bindings: readonly JsonObject[]) => bindings.map((binding) => binding.name);

/** A server binding other than `echo`, to hide; not applicable when the server has none. */
async function anotherBinding(ctx: CaseContext): Promise<string> {
  const other = (await ctx.serverBindings()).find((binding) => binding.name !== 'echo' && typeof binding.name === 'string');
  if (!other) notApplicable('needs a server binding besides echo, to hide');
  return other.name as string;
}

export const serverBindingCases: readonly ConformanceCase[] = [
  {
    id: 'server-bindings.only',
    section: '§5.1',
    level: 'MUST',
    title: 'serverBindings.only narrows the session: the result lists only what matches, and a hidden binding is BindingNotFound',
    needs: ['echo'],
    async run(ctx) {
      const hidden = await anotherBinding(ctx);
      const session = await ctx.session({ extra: { serverBindings: { only: ['echo'] } } });
      check(jsonNames(session.serverBindings, ['echo']), `expected the result to list only echo, got ${show(names(session.serverBindings))}`);
      const error = expectError(await session.connection.request('invoke', { name: hidden, args: {} }), 'BindingNotFound', `invoke the hidden ${hidden}`);
      check(errorData(error, 'BindingNotFound').name === hidden, `expected data.name ${show(hidden)}, got ${show(error.data)}`);
      expectValue(await session.connection.request('invoke', { name: 'echo', args: 1 }), 1, 'invoke echo, which only lets through');
    },
  },
  {
    id: 'server-bindings.hidden-from-code',
    section: '§5.1',
    level: 'MUST',
    title: 'a server binding narrowed away is not a global of the runtime',
    needs: ['echo', 'javascript'],
    async run(ctx) {
      const hidden = (await anotherBinding(ctx)).split('.')[0]!;
      const session = await ctx.session({ extra: { serverBindings: { only: ['echo'] } } });
      expectValue(await session.connection.request('eval', { code: `[typeof ${hidden}, typeof echo]` }), ['undefined', 'function'], `typeof ${hidden}`);
    },
  },
  {
    id: 'server-bindings.confirm',
    section: '§5.1',
    level: 'MUST',
    title: "a guest call of a binding under serverBindings.confirm asks the client's confirm, and a refusal is Unauthorized in the code",
    needs: ['echo', 'javascript'],
    async run(ctx) {
      const session = await ctx.session({ bindings: [...CLIENT_BINDINGS, CONFIRM], extra: { serverBindings: { confirm: ['echo'] } } });
      const questions: Json[] = [];
      let answer = false;
      session.connection.handle('confirm', (args) => {
        questions.push(args ?? null);
        return { value: answer };
      });
      const code = "echo({ n: 1 }).then((value) => value.n, (error) => [error.code, error.data && error.data.binding])";
      expectValue(await session.connection.request('eval', { code }), [-32003, 'echo'], 'a declined call');
      answer = true;
      expectValue(await session.connection.request('eval', { code }), 1, 'an approved call');
      check(questions.length === 2, `expected two confirm questions, got ${show(questions)}`);
      const [question] = questions;
      check(isObject(question) && question.binding === 'echo' && typeof question.message === 'string', `the question must name the binding: ${show(question)}`);
      expectValue(await session.connection.request('invoke', { name: 'echo', args: 2 }), 2, "the client's own invoke, which is not gated");
      check(questions.length === 2, `the client's own invoke asked confirm: ${show(questions)}`);
    },
  },
  {
    id: 'server-bindings.resume-keeps-view',
    section: '§5.1',
    level: 'MUST',
    title: 'a resume cannot widen a narrowed session: HandshakeFailed, and the session keeps its view',
    needs: ['echo', 'reconnect'],
    async run(ctx) {
      const hidden = await anotherBinding(ctx);
      const first = await ctx.session({ extra: { serverBindings: { only: ['echo'] } } });
      first.connection.close();
      await first.connection.whenClosed();
      const widen = await ctx.open();
      const refused = await widen.request(
        'handshake',
        ctx.handshakeParams({ sessionId: first.sessionId, extra: { serverBindings: { only: ['echo', hidden] } } }),
      );
      expectError(refused, 'HandshakeFailed', 'a resume with a wider only');
      const resumed = await ctx.session({ sessionId: first.sessionId });
      const result = expectResult({ result: resumed.result }, 'the plain resume');
      check(jsonNames(resumed.serverBindings, ['echo']), `the resumed session lists ${show(names(resumed.serverBindings))}, not only echo`);
      check(result.resumed === true, `expected resumed: true, got ${show(result.resumed)}`);
    },
  },
];

function jsonNames(bindings: readonly JsonObject[], expected: string[]): boolean {
  const listed = names(bindings);
  return listed.length === expected.length && expected.every((name, index) => listed[index] === name);
}
