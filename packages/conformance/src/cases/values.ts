import { check, show, type ConformanceCase } from '../case.js';
import { errorData, expectError, expectValue } from '../expect.js';
import type { Json } from '../wire.js';

interface ValueRow {
  id: string;
  title: string;
  code: string;
  /** `undefined`: the result has no `value`. */
  expected: Json | undefined;
}

/** The rows of §6.3's table, each as code whose final value is converted by that rule. */
const ROWS: readonly ValueRow[] = [
  { id: 'undefined', title: 'undefined at top level gives no value', code: 'undefined', expected: undefined },
  { id: 'symbol', title: 'a symbol at top level gives no value', code: "Symbol('s')", expected: undefined },
  {
    id: 'undefined-members',
    title: 'undefined and symbol properties are omitted; array elements become null',
    code: "({ a: undefined, b: 1, c: Symbol('s'), d: [undefined, Symbol('s'), 2] })",
    expected: { b: 1, d: [null, null, 2] },
  },
  { id: 'non-finite', title: 'NaN, Infinity and -Infinity become null', code: '[NaN, Infinity, -Infinity]', expected: [null, null, null] },
  { id: 'negative-zero', title: '-0 becomes 0', code: '-0', expected: 0 },
  { id: 'bigint', title: 'a BigInt becomes its decimal string', code: '12345678901234567890n', expected: '12345678901234567890' },
  { id: 'to-json', title: 'an object with toJSON (a Date) gives its converted toJSON()', code: 'new Date(0)', expected: '1970-01-01T00:00:00.000Z' },
  { id: 'map', title: 'a Map becomes an array of [key, value] pairs', code: "new Map([['a', 1], ['b', 2]])", expected: [['a', 1], ['b', 2]] },
  { id: 'set', title: 'a Set becomes an array of its values', code: "new Set([1, 'two'])", expected: [1, 'two'] },
  { id: 'typed-array', title: 'a typed array becomes an array of numbers', code: 'new Int16Array([1, -2, 3])', expected: [1, -2, 3] },
  { id: 'array-buffer', title: 'an ArrayBuffer becomes an array of byte values', code: 'new Uint8Array([7, 255]).buffer', expected: [7, 255] },
  {
    id: 'data-view',
    title: 'a DataView becomes an array of byte values',
    code: 'new DataView(new Uint8Array([1, 2, 3]).buffer)',
    expected: [1, 2, 3],
  },
  { id: 'error-value', title: 'an Error as a value becomes {name, message}', code: "new RangeError('out')", expected: { name: 'RangeError', message: 'out' } },
  {
    id: 'class-instance',
    title: 'a class instance gives its own enumerable string-keyed properties',
    code: "class P { constructor() { this.x = 1; this[Symbol('s')] = 2; } get y() { return 3; } }; new P()",
    expected: { x: 1 },
  },
  { id: 'promise', title: "a final promise gives its settled value", code: 'Promise.resolve(5)', expected: 5 },
  { id: 'top-level-await', title: 'top-level await is allowed', code: 'const half = await Promise.resolve(21); half * 2', expected: 42 },
  { id: 'declaration', title: 'a final declaration gives no value', code: 'let declaredOnly = 1', expected: undefined },
];

const rowCases: ConformanceCase[] = ROWS.map((row) => ({
  id: `values.${row.id}`,
  section: row.id === 'promise' || row.id === 'top-level-await' || row.id === 'declaration' ? '§6.1' : '§6.3',
  level: 'MUST',
  title: row.title,
  needs: ['javascript'],
  async run(ctx) {
    const { connection } = await ctx.sharedSession();
    expectValue(await connection.request('eval', { code: row.code }), row.expected, `eval ${show(row.code)}`);
  },
}));

export const valueCases: readonly ConformanceCase[] = [
  ...rowCases,
  {
    id: 'values.cycle',
    section: '§6.3',
    level: 'MUST',
    title: 'a cyclic result fails with EvalError TypeError "result contains a cycle at <path>"',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.sharedSession();
      const response = await connection.request('eval', { code: 'const loop = { inner: { list: [] } }; loop.inner.list.push(loop); loop' });
      const data = errorData(expectError(response, 'EvalError', 'a cyclic result'), 'EvalError');
      check(data.name === 'TypeError', `expected data.name "TypeError", got ${show(data.name)}`);
      check(
        typeof data.message === 'string' && data.message.startsWith('result contains a cycle at /inner/list/0'),
        `expected data.message "result contains a cycle at /inner/list/0", got ${show(data.message)}`,
      );
    },
  },
  {
    id: 'values.persistent-globals',
    section: '§6.1',
    level: 'SHOULD',
    title: 'top-level declarations persist in the global scope for later evals',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      expectValue(
        await connection.request('eval', { code: 'const keptConst = 2; let keptLet = 3; function keptFn(x) { return x * keptConst * keptLet }' }),
        undefined,
        'declarations',
      );
      expectValue(await connection.request('eval', { code: 'keptFn(7)' }), 42, 'a later eval using them');
    },
  },
  {
    id: 'values.redeclare',
    section: '§6.1',
    level: 'SHOULD',
    title: 'a later eval may redeclare a top-level const, and the new declaration replaces the old one',
    needs: ['javascript'],
    async run(ctx) {
      const { connection } = await ctx.session();
      expectValue(await connection.request('eval', { code: 'const again = 1' }), undefined, 'the first declaration');
      expectValue(await connection.request('eval', { code: 'const again = 2; again' }), 2, 'the redeclaration');
      expectValue(await connection.request('eval', { code: 'again' }), 2, 'the name after the redeclaration');
    },
  },
];
