import { hasSentinelKey, validators } from '@scomp/protocol';
import { InvalidParamsError } from './errors.js';
import type { FunctionRefs } from './functionRefs.js';
import type { HostFunction } from './runtime.js';

const MAX_DEPTH = 512;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Replaces every function in `value` with a function-reference sentinel exported on `refs`. */
export function encodeValue(value: unknown, refs: FunctionRefs, depth = 0): unknown {
  if (typeof value === 'function') return refs.export(value as HostFunction);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const encoded = encodeValue(item, refs, depth + 1);
      if (encoded !== item) (copy ??= value.slice())[i] = encoded;
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = value[key];
    const encoded = encodeValue(item, refs, depth + 1);
    if (encoded !== item) (copy ??= { ...value })[key] = encoded;
  }
  return copy ?? value;
}

/**
 * Replaces every function-reference sentinel in a received value with a callable proxy. `created`
 * collects the proxies so a caller can release them when their scope ends. A malformed sentinel is
 * an InvalidParams error naming its location.
 */
export function decodeValue(value: unknown, refs: FunctionRefs, created: HostFunction[], path = ''): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const decoded = decodeValue(item, refs, created, `${path}/${i}`);
      if (decoded !== item) (copy ??= value.slice())[i] = decoded;
    }
    return copy ?? value;
  }
  if (hasSentinelKey(value)) {
    if (!validators.functionRef.check(value)) {
      const issues = validators.functionRef.issues(value).map((issue) => ({ ...issue, path: path + issue.path }));
      throw new InvalidParamsError(`invalid $scomp sentinel at ${path || '/'}`, { issues });
    }
    const proxy = refs.import(value);
    created.push(proxy);
    return proxy;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const item = record[key];
    const decoded = decodeValue(item, refs, created, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (decoded !== item) (copy ??= { ...record })[key] = decoded;
  }
  return copy ?? value;
}

/** A stand-in sentinel for each function, so a value holding live functions can be checked against a schema. */
export function withPlaceholders(value: unknown, depth = 0): unknown {
  if (typeof value === 'function') return { $scomp: { kind: 'fn', id: 'local' } };
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => withPlaceholders(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = withPlaceholders(value[key], depth + 1);
  return copy;
}
