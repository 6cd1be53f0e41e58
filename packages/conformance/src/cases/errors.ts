import { ErrorCode } from '@scomp/protocol/error-codes';
import { check, notApplicable, show, type ConformanceCase } from '../case.js';
import { PROBE_FAIL_ISSUE } from '../clientBindings.js';
import { errorData, expectError, expectValue, jsonEqual } from '../expect.js';
import { isObject, type JsonObject } from '../wire.js';

/** Frames that only a host would put in a stack: Node internals, URLs and absolute file paths. */
const HOST_FRAME = /node:|node_modules|file:\/\/|(?:^|[\s(])(?:\/|[A-Za-z]:\\)[^\s()]*:\d+/m;

export const errorCases: readonly ConformanceCase[] = [
  {
    id: 'errors.thrown',
    section: '§6.4',
    level: 'MUST',
    title: 'code that throws fails the eval with EvalError data {name, message}',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const data = errorData(expectError(await connection.request('eval', { code: 'missingName + 1' }), 'EvalError', 'missingName + 1'), 'EvalError');
      check(data.name === 'ReferenceError', `expected data.name "ReferenceError", got ${show(data.name)}`);
      check(typeof data.message === 'string' && data.message.includes('missingName'), `data.message should name the variable, got ${show(data.message)}`);
    },
  },
  {
    id: 'errors.rejected',
    section: '§6.4',
    level: 'MUST',
    title: 'a final promise that rejects fails the eval with EvalError',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      for (const code of ["Promise.reject(new RangeError('late'))", "await Promise.reject(new RangeError('late'))"]) {
        const data = errorData(expectError(await connection.request('eval', { code }), 'EvalError', code), 'EvalError');
        check(data.name === 'RangeError' && data.message === 'late', `${code}: expected RangeError "late", got ${show(data)}`);
      }
    },
  },
  {
    id: 'errors.thrown-non-error',
    section: '§6.4',
    level: 'MUST',
    title: 'a thrown non-Error gives name "Thrown" and message String(value), or its JSON text for an object',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      for (const [code, message] of [
        ["throw 'plain text'", 'plain text'],
        ['throw 42', '42'],
        ['throw { reason: 1 }', '{"reason":1}'],
      ] as const) {
        const data = errorData(expectError(await connection.request('eval', { code }), 'EvalError', code), 'EvalError');
        check(data.name === 'Thrown' && data.message === message, `${code}: expected {name: "Thrown", message: ${show(message)}}, got ${show(data)}`);
      }
    },
  },
  {
    id: 'errors.stack',
    section: '§6.4',
    level: 'MUST',
    title: 'stack lines refer to the submitted code; host frames never appear',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const code = "function inner() {\n  throw new Error('deep');\n}\ninner();";
      const data = errorData(expectError(await connection.request('eval', { code }), 'EvalError', 'a throw two frames deep'), 'EvalError');
      if (data.stack === undefined) notApplicable('the server sends no stack (it is optional)');
      check(typeof data.stack === 'string', `data.stack must be a string, got ${show(data.stack)}`);
      check(!HOST_FRAME.test(data.stack), `the stack shows host frames: ${show(data.stack)}`);
      const lines = [...data.stack.matchAll(/:(\d+)(?::\d+)?\)?$/gm)].map((match) => Number(match[1]));
      check(lines.length > 0, `the stack has no line numbers: ${show(data.stack)}`);
      check(lines.every((line) => line >= 1 && line <= 4), `stack line numbers must refer to the 4 submitted lines: ${show(data.stack)}`);
    },
  },
  {
    id: 'errors.message',
    section: '§6.4',
    level: 'SHOULD',
    title: 'the EvalError message is "<name>: <message>"',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const error = expectError(await connection.request('eval', { code: "throw new TypeError('bad type')" }), 'EvalError', 'a TypeError');
      check(error.message === 'TypeError: bad type', `expected message "TypeError: bad type", got ${show(error.message)}`);
    },
  },
  {
    id: 'errors.binding-failure',
    section: '§6.4',
    level: 'MUST',
    title: "an uncaught binding failure gives EvalError data with that call's code and data",
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const response = await connection.request('eval', { code: 'await probe.fail({ id: 5 })' });
      const data = errorData(expectError(response, 'EvalError', 'an eval whose binding call failed'), 'EvalError');
      check(data.code === ErrorCode.InvalidParams, `expected data.code ${ErrorCode.InvalidParams}, got ${show(data)}`);
      check(
        isObject(data.data) && Array.isArray(data.data.issues) && jsonEqual(data.data.issues[0], PROBE_FAIL_ISSUE),
        `expected data.data.issues [${show(PROBE_FAIL_ISSUE)}], got ${show(data.data)}`,
      );
    },
  },
  {
    id: 'errors.catchable',
    section: '§8.3',
    level: 'SHOULD',
    title: 'a failed binding call rejects with an Error carrying the response code, message and data',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const code = 'try { await probe.fail({}); "no error" } catch (e) { [e instanceof Error, e.code, e.data.issues[0].path] }';
      expectValue(await connection.request('eval', { code }), [true, ErrorCode.InvalidParams, '/id'], 'catching a failed call');
    },
  },
  {
    id: 'errors.unsettleable',
    section: '§6.4',
    level: 'SHOULD',
    title: 'awaiting a promise nothing can settle fails at once with EvalError',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const timeoutMs = Math.max(1, Math.floor(ctx.options.timeoutMs / 2));
      const response = await connection.request('eval', { code: 'await new Promise(() => {})', timeoutMs });
      expectError(response, 'EvalError', `await new Promise(() => {}) (with timeoutMs ${timeoutMs} as a backstop)`);
    },
  },
  {
    id: 'errors.uncaught',
    section: '§6.4',
    level: 'SHOULD',
    title: 'what a timer callback throws goes to console as an error line "Uncaught <name>: <message>"',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      const probe = await connection.request('eval', { code: 'typeof setTimeout' });
      if (!isObject(probe.result) || probe.result.value !== 'function') notApplicable('the runtime has no setTimeout');
      const code = "setTimeout(() => { throw new RangeError('from a timer') }, 0); await new Promise((resolve) => setTimeout(resolve, 20)); 'waited'";
      expectValue(await connection.request('eval', { code }), 'waited', 'an eval that outlives a throwing timer');
      const line = await connection.waitFor(
        (message) =>
          isObject(message) &&
          message.method === 'invoke' &&
          isObject(message.params) &&
          message.params.name === 'console' &&
          isObject(message.params.args) &&
          message.params.args.level === 'error',
        'a console error line for the timer',
      );
      const args = ((line as JsonObject).params as JsonObject).args as JsonObject;
      check(jsonEqual(args.args, ['Uncaught RangeError: from a timer']), `expected args ["Uncaught RangeError: from a timer"], got ${show(args.args)}`);
    },
  },
];
