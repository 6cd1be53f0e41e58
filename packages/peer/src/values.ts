// Application values: JSON data with functions inside. Every place that copies, walks, encodes or
// decodes one goes through this module (the wire codec, the runtime's thread link and its guest
// boundary), so the rules below hold everywhere:
// - keys are data: copies are made by defining own properties, never by assignment, so
//   `__proto__`, `constructor` and `prototype` are ordinary keys and no path leads into a prototype;
// - values nest at most MAX_VALUE_DEPTH levels and hold no cycles;
// - application data holds no `$scomp` member (that key marks the protocol's own sentinels).
// This entry (`@scomp/peer/values`) loads nothing but the error classes, for worker threads.
import { MAX_VALUE_DEPTH, SENTINEL_KEY } from '@scomp/protocol/value-rules';
import { InvalidParamsError } from './errors.js';
import type { HostFunction } from './runtime.js';

/** Where something sits inside a value: object keys and array indexes from the root. */
export type ValuePath = (string | number)[];

/** What {@link mapValue} does with the two kinds of non-data it can meet. */
export interface ValueVisitor {
  /** What a function inside the value becomes. `path` is only valid during the call. */
  fn?(fn: HostFunction, path: readonly (string | number)[]): unknown;
  /**
   * What an object with a `$scomp` member becomes (a function-reference sentinel received from the
   * wire). Without this callback such an object is refused: application data never holds one.
   */
  sentinel?(value: Record<string, unknown>, path: readonly (string | number)[]): unknown;
}

/** The JSON Pointer (RFC 6901) of `path`, for error messages; `/` for the root. */
export function pointer(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) out += `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return out || '/';
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets `record[key]` as an own data property, whatever the key (`__proto__` included). */
export function defineKey(record: object, key: string | number, item: unknown): void {
  Object.defineProperty(record, key, { value: item, enumerable: true, writable: true, configurable: true });
}

/** A shallow copy of a plain record made of own properties only, with Object.prototype as prototype. */
function copyRecord(record: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(record)) defineKey(copy, key, record[key]);
  return copy;
}

/**
 * The one walk over application values. Functions and `$scomp` objects are replaced by what
 * `visitor` returns; everything else is kept. Returns `value` itself when nothing was replaced,
 * otherwise a copy in which only the changed branches are new. Arrays and plain objects are
 * walked (own enumerable keys); other objects (Date, class instances) are left to JSON.
 * Throws InvalidParams for a cycle, for nesting past MAX_VALUE_DEPTH and for a `$scomp` member
 * the visitor does not take.
 */
export function mapValue(value: unknown, visitor: ValueVisitor): unknown {
  const path: ValuePath = [];
  const ancestors = new Set<object>();
  const walk = (node: unknown): unknown => {
    if (typeof node === 'function') return visitor.fn ? visitor.fn(node as HostFunction, path) : node;
    if (typeof node !== 'object' || node === null) return node;
    const isArray = Array.isArray(node);
    if (!isArray && !isPlainObject(node)) return node;
    if (ancestors.has(node)) throw new InvalidParamsError(`value contains a cycle at ${pointer(path)}`);
    if (ancestors.size >= MAX_VALUE_DEPTH) {
      throw new InvalidParamsError(`value nests deeper than ${MAX_VALUE_DEPTH} levels at ${pointer(path)}`, { maxDepth: MAX_VALUE_DEPTH });
    }
    if (!isArray && Object.hasOwn(node, SENTINEL_KEY)) {
      if (visitor.sentinel) return visitor.sentinel(node, path);
      throw new InvalidParamsError(`application data must not contain a ${SENTINEL_KEY} member (at ${pointer(path)})`);
    }
    ancestors.add(node);
    let copy: unknown[] | Record<string, unknown> | undefined;
    if (isArray) {
      const array = node as unknown[];
      for (let index = 0; index < array.length; index++) {
        const item = array[index];
        path.push(index);
        const mapped = walk(item);
        path.pop();
        if (mapped !== item) ((copy as unknown[] | undefined) ??= array.slice())[index] = mapped;
      }
    } else {
      const record = node;
      for (const key of Object.keys(record)) {
        const item = record[key];
        path.push(key);
        const mapped = walk(item);
        path.pop();
        if (mapped !== item) defineKey((copy ??= copyRecord(record)), key, mapped);
      }
    }
    ancestors.delete(node);
    return copy ?? node;
  };
  return walk(value);
}

/** Every function inside `value`. Never throws: it also serves to dispose what a refused value held. */
export function collectFunctions(value: unknown): HostFunction[] {
  const found: HostFunction[] = [];
  try {
    mapValue(value, {
      fn: (fn) => {
        found.push(fn);
        return fn;
      },
      sentinel: (sentinel) => sentinel,
    });
  } catch {
    // A value too deep or cyclic was refused where it was encoded; what was found is what it held.
  }
  return found;
}

/**
 * The encoding of values between threads and into a guest: JSON text with `null` where the
 * functions were, plus the functions and their paths.
 */
export interface SplitValue {
  json: string | undefined;
  fns: HostFunction[];
  paths: ValuePath[];
}

/** Splits `value` into JSON text and the functions it carries, with their paths. */
export function splitFunctions(value: unknown): SplitValue {
  const fns: HostFunction[] = [];
  const paths: ValuePath[] = [];
  const stripped = mapValue(value, {
    fn: (fn, path) => {
      fns.push(fn);
      paths.push(path.slice());
      return null;
    },
  });
  return { json: stripped === undefined ? undefined : JSON.stringify(stripped), fns, paths };
}

/**
 * Puts functions back into a value parsed from {@link splitFunctions}' JSON. A path descends
 * through own properties only, so it can never reach a prototype; one that does not lead into
 * the value is refused.
 */
export function placeFunctions(root: unknown, fns: readonly unknown[], paths: readonly ValuePath[]): unknown {
  let out = root;
  paths.forEach((path, index) => {
    if (path.length === 0) {
      out = fns[index];
      return;
    }
    let target: unknown = out;
    for (let i = 0; i < path.length - 1; i++) target = ownChild(target, path[i]!, path);
    if (typeof target !== 'object' || target === null) throw new InvalidParamsError(`no place for a function at ${pointer(path)}`);
    defineKey(target, path[path.length - 1]!, fns[index]);
  });
  return out;
}

function ownChild(target: unknown, key: string | number, path: ValuePath): unknown {
  if (typeof target !== 'object' || target === null || !Object.hasOwn(target, key)) {
    throw new InvalidParamsError(`no place for a function at ${pointer(path)}`);
  }
  return (target as Record<string | number, unknown>)[key];
}
