import { check, show, type ConformanceCase } from '../case.js';
import { errorData, expectError, expectIssues, expectResult, expectValue } from '../expect.js';
import { isObject, type Json, type JsonObject, type WireConnection } from '../wire.js';

const SENTINEL_MEMBERS = new Set(['kind', 'id', 'input', 'output']);

/** The id of a function-reference sentinel, after checking its shape (§8.1). */
function sentinelId(value: Json | undefined, what: string): string {
  check(isObject(value) && isObject(value.$scomp), `${what}: expected a function reference sentinel, got ${show(value)}`);
  check(Object.keys(value).length === 1, `${what}: a sentinel has only the $scomp member, got ${show(value)}`);
  const inner = value.$scomp;
  check(inner.kind === 'fn', `${what}: sentinel kind must be "fn", got ${show(inner.kind)}`);
  check(typeof inner.id === 'string' && inner.id.length >= 1 && inner.id.length <= 128, `${what}: sentinel id must be a string of 1-128 characters, got ${show(inner.id)}`);
  check(Object.keys(inner).every((key) => SENTINEL_MEMBERS.has(key)), `${what}: the sentinel has members beyond kind, id, input, output: ${show(inner)}`);
  return inner.id;
}

/** Evaluates `code`, whose value is a function, and returns the ref id the server issued for it. */
async function issuedRef(connection: WireConnection, code: string): Promise<string> {
  const result = expectResult(await connection.request('eval', { code }), `eval ${show(code)}`);
  return sentinelId(result.value, `the value of ${show(code)}`);
}

function refNotFound(response: JsonObject, ref: string, what: string): void {
  const data = errorData(expectError(response, 'RefNotFound', what), 'RefNotFound');
  check(data.ref === ref, `${what}: expected data.ref ${show(ref)}, got ${show(data)}`);
}

export const refCases: readonly ConformanceCase[] = [
  {
    id: 'refs.invoke',
    section: '§8.3',
    level: 'MUST',
    title: 'a function in a result becomes a sentinel; invoking its ref calls the function',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const ref = await issuedRef(connection, '(n) => n * 2');
      expectValue(await connection.request('invoke', { ref, args: 21 }), 42, `invoke ${ref}`);
      expectValue(await connection.request('invoke', { ref, args: 50 }), 100, `invoke ${ref} again`);
    },
  },
  {
    id: 'refs.fresh-ids',
    section: '§8.2',
    level: 'MUST',
    title: 'the same function sent twice gets two ids',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const result = expectResult(await connection.request('eval', { code: 'const same = (x) => x; [same, same, { again: same }]' }), 'eval');
      check(Array.isArray(result.value) && result.value.length === 3, `expected an array of three, got ${show(result.value)}`);
      const [a, b, c] = result.value;
      const ids = [sentinelId(a, 'element 0'), sentinelId(b, 'element 1'), sentinelId(isObject(c) ? c.again : undefined, 'element 2')];
      check(new Set(ids).size === 3, `the issuer reused ids for one function sent three times: ${show(ids)}`);
    },
  },
  {
    id: 'refs.release',
    section: '§8.4',
    level: 'MUST',
    title: 'after release the issuer answers RefNotFound; unknown ids in release are ignored',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const ref = await issuedRef(connection, '() => 1');
      const other = await issuedRef(connection, '() => 2');
      connection.notify('release', { refs: [ref, 'fn_never_issued'] });
      refNotFound(await connection.request('invoke', { ref }), ref, 'invoke of a released ref');
      expectValue(await connection.request('invoke', { ref: other }), 2, 'invoke of a ref that was not released');
    },
  },
  {
    id: 'refs.not-found',
    section: '§7.1',
    level: 'MUST',
    title: 'an invoke of an unknown ref is answered RefNotFound with data.ref',
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      refNotFound(await connection.request('invoke', { ref: 'fn_never_issued', args: 1 }), 'fn_never_issued', 'invoke of an unknown ref');
    },
  },
  {
    id: 'refs.throws',
    section: '§8.3',
    level: 'MUST',
    title: 'a function issued by the runtime that throws is answered EvalError',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const ref = await issuedRef(connection, "() => { throw new TypeError('from a ref') }");
      const data = errorData(expectError(await connection.request('invoke', { ref }), 'EvalError', 'invoke of a throwing ref'), 'EvalError');
      check(data.name === 'TypeError' && data.message === 'from a ref', `expected TypeError "from a ref", got ${show(data)}`);
    },
  },
  {
    id: 'refs.nested',
    section: '§7.3',
    level: 'MUST',
    title: "a client binding's handler can invoke a ref back into the runtime while the eval waits (no deadlock)",
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const response = await connection.request('eval', { code: 'await probe.apply({ fn: (x) => x + 1, arg: 41 })' });
      expectValue(response, 42, 'an eval whose binding call invokes a function it passed');
    },
  },
  {
    id: 'refs.client-issued',
    section: '§8.3',
    level: 'MUST',
    title: 'a function the client returns is callable from code, as invoke {ref, args} sent to the client',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      expectValue(await connection.request('eval', { code: 'const doubled = await probe.makeFn(); await doubled(21)' }), 42, 'calling a client function');
      const invoke = connection.received.find((message) => isObject(message) && message.method === 'invoke' && isObject(message.params) && message.params.ref === 'kit_fn_1');
      check(invoke !== undefined, 'the server did not invoke the client ref kit_fn_1');
      check(isObject(invoke) && isObject(invoke.params) && invoke.params.args === 21, `expected args 21, got ${show(invoke)}`);
    },
  },
  {
    id: 'refs.both-ways',
    section: '§8.2',
    level: 'MUST',
    title: 'a client function passed through a server binding comes back under an id the server issued',
    needs: ['echo'],
    async run(ctx) {
      const { connection } = await ctx.session();
      connection.handleRef('kit_fn_echoed', (args) => ({ value: typeof args === 'number' ? args + 100 : null }));
      const result = expectResult(
        await connection.request('invoke', { name: 'echo', args: { $scomp: { kind: 'fn', id: 'kit_fn_echoed' } } }),
        'invoke echo with a client function',
      );
      const ref = sentinelId(result.value, 'the echoed function');
      check(ref !== 'kit_fn_echoed', "the server sent the client's own ref id back as if it had issued it");
      const response = await connection.request('invoke', { ref, args: 1 });
      // The server may have released the argument once echo settled (§8.4): then the call fails.
      if (isObject(response.error)) {
        expectError(response, 'RefNotFound', 'invoke of the echoed function');
      } else {
        expectValue(response, 101, 'invoke of the echoed function');
      }
    },
  },
  {
    id: 'refs.invalid-sentinel',
    section: '§8.1',
    level: 'MUST',
    title: 'a sentinel with an unknown kind or extra members in a request is answered InvalidParams at its path',
    needs: ['echo'],
    async run(ctx) {
      const { connection } = await ctx.session();
      for (const [what, sentinel] of [
        ['an unknown kind', { $scomp: { kind: 'stream', id: 'x1' } }],
        ['an extra member', { $scomp: { kind: 'fn', id: 'x2', extra: true } }],
      ] as const) {
        const response = await connection.request('invoke', { name: 'echo', args: { list: [0, sentinel] } });
        const issues = expectIssues(expectError(response, 'InvalidParams', `echo of a sentinel with ${what}`), what);
        check(issues.some((issue) => issue.path.startsWith('/list/1')), `expected an issue at /list/1, got ${show(issues)}`);
      }
    },
  },
  {
    id: 'refs.connection-scope-server',
    section: '§8.5',
    level: 'MUST',
    title: 'refs the server issued on a closed connection are gone after a resume',
    needs: ['javascript', 'reconnect'],
    async run(ctx) {
      const first = await ctx.session();
      const ref = await issuedRef(first.connection, 'globalThis.scoped = (n) => n; scoped');
      const second = await ctx.resume(first);
      refNotFound(await second.connection.request('invoke', { ref, args: 1 }), ref, 'invoke of a ref from the previous connection');
    },
  },
  {
    id: 'refs.connection-scope-client',
    section: '§8.5',
    level: 'MUST',
    title: 'a client function kept in runtime state fails after a reconnect without anything sent on the new connection',
    needs: ['javascript', 'reconnect'],
    async run(ctx) {
      const first = await ctx.session();
      expectValue(await first.connection.request('eval', { code: 'globalThis.keptFn = await probe.makeFn(); await keptFn(2)' }), 4, 'calling the client function');
      const second = await ctx.resume(first);
      const code = "try { await keptFn(3); 'called' } catch { 'failed' }";
      expectValue(await second.connection.request('eval', { code }), 'failed', 'calling it after the reconnect');
      const leaked = second.connection.received.filter((message) => isObject(message) && message.method === 'invoke' && isObject(message.params) && 'ref' in message.params);
      check(leaked.length === 0, `the server sent an invoke of an old connection's ref on the new one: ${show(leaked)}`);
    },
  },
];
