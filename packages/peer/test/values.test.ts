import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_DEPTH } from '@scomp/protocol';
import { InvalidParamsError, type HostFunction } from '../src/index.js';
import { mapValue, placeFunctions, splitFunctions } from '../src/values.js';

/** Keys that name prototypes or their members, mixed with ordinary ones. */
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'then', 'toString', 'hasOwnProperty', 'valueOf'), fc.string({ maxLength: 6 }));

function record(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, item] of entries) Object.defineProperty(out, name, { value: item, enumerable: true, writable: true, configurable: true });
  return out;
}

/** JSON values with functions at any depth and prototype-named keys at every level. */
const valueWithFunctions = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null)),
    fc.constant('fn').map(() => (() => 1) as unknown),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(record),
  ),
})).value;

/** The value with each function replaced by its index in `fns`, for comparing across copies. */
function shape(value: unknown, fns: unknown[]): unknown {
  if (typeof value === 'function') {
    if (!fns.includes(value)) fns.push(value);
    return { fn: fns.indexOf(value) };
  }
  if (Array.isArray(value)) return value.map((item) => shape(item, fns));
  if (typeof value === 'object' && value !== null) {
    return Object.keys(value).map((name) => [name, Object.getPrototypeOf(value) === Object.prototype, shape((value as Record<string, unknown>)[name], fns)]);
  }
  return value;
}

const prototypes = [Object.prototype, Array.prototype, Function.prototype];
const snapshot = () => prototypes.map((proto) => Reflect.ownKeys(proto).map(String).join(','));

describe('values', () => {
  it('split and placed back round-trip every key, prototype names included, and touch no prototype', () => {
    const before = snapshot();
    fc.assert(
      fc.property(valueWithFunctions, (value) => {
        const { json, fns, paths } = splitFunctions(value);
        const back = placeFunctions(json === undefined ? undefined : JSON.parse(json), fns, paths);
        expect(shape(back, [])).toEqual(shape(value, []));
        // Nothing replaced, nothing copied.
        expect(mapValue(value, { fn: (fn) => fn })).toBe(value);
      }),
      { numRuns: 300 },
    );
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).then).toBeUndefined();
  });

  it('keeps a __proto__ key as data and never follows a path into a prototype', () => {
    const fn = (() => Promise.resolve(1)) as HostFunction;
    const value = JSON.parse('{"__proto__":{"then":null,"a":1},"b":2}') as Record<string, unknown>;
    Object.defineProperty(value.__proto__ as object, 'then', { value: fn, enumerable: true });
    const { json, fns, paths } = splitFunctions(value);
    expect(json).toBe('{"__proto__":{"then":null,"a":1},"b":2}');
    expect(paths).toEqual([['__proto__', 'then']]);
    const back = placeFunctions(JSON.parse(json!), fns, paths) as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(back.__proto__!.then).toBe(fn);
    expect(({} as Record<string, unknown>).then).toBeUndefined();
    // A path that does not lead through own properties of the value is refused.
    expect(() => placeFunctions({}, [fn], [['__proto__', 'then']])).toThrow(InvalidParamsError);
    expect(() => placeFunctions({ a: {} }, [fn], [['constructor', 'prototype', 'x']])).toThrow(InvalidParamsError);
  });

  it('refuses $scomp members in data, cycles and values nested past the limit', () => {
    expect(() => mapValue({ a: [{ $scomp: { kind: 'fn', id: 'x' } }] }, {})).toThrow(/\$scomp member \(at \/a\/0\)/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => mapValue(cyclic, {})).toThrow(/cycle at \/self/);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_VALUE_DEPTH; i++) deep = [deep];
    expect(mapValue(deep, {})).toBe(deep);
    expect(() => mapValue([deep], {})).toThrow(InvalidParamsError);
    expect(() => mapValue([deep], {})).toThrow(`nests deeper than ${MAX_VALUE_DEPTH} levels`);
  });
});
