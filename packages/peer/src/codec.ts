import { validators } from '@scomp/protocol';
import { InvalidParamsError } from './errors.js';
import type { FunctionRefs } from './functionRefs.js';
import type { HostFunction } from './runtime.js';
import { mapValue, pointer } from './values.js';

/** Replaces every function in `value` with a function-reference sentinel exported on `refs`. */
export function encodeValue(value: unknown, refs: FunctionRefs): unknown {
  return mapValue(value, { fn: (fn) => refs.export(fn) });
}

/**
 * Replaces every function-reference sentinel in a received value with a callable proxy. `created`
 * collects the proxies so a caller can release them when their scope ends. A malformed sentinel is
 * an InvalidParams error naming its location.
 */
export function decodeValue(value: unknown, refs: FunctionRefs, created: HostFunction[]): unknown {
  return mapValue(value, {
    sentinel: (sentinel, path) => {
      if (!validators.functionRef.check(sentinel)) {
        const at = pointer(path);
        const issues = validators.functionRef.issues(sentinel).map((issue) => ({ ...issue, path: (at === '/' ? '' : at) + issue.path }));
        throw new InvalidParamsError(`invalid $scomp sentinel at ${at}`, { issues });
      }
      const proxy = refs.import(sentinel);
      created.push(proxy);
      return proxy;
    },
  });
}

const PLACEHOLDER = { $scomp: { kind: 'fn', id: 'local' } };

/** A stand-in sentinel for each function, so a value holding live functions can be checked against a schema. */
export function withPlaceholders(value: unknown): unknown {
  return mapValue(value, { fn: () => PLACEHOLDER });
}
