import { mapValue, type HostFunction } from '@scomp/peer/authoring';
import { JsonText } from '../jsonText.js';

// A module binding's handler runs on the worker, where received values stay JSON text (JsonText)
// on their way into a guest. Its handler expects what it gets on the main thread: parsed values,
// and functions whose arguments and results are parsed too. These two convert at its boundary.

/** A value the worker received (arguments, results of calls), as a handler sees it. */
export function toHandler(value: unknown): unknown {
  if (value instanceof JsonText) return JSON.parse(value.json);
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  return mapValue(value, { fn: (fn) => wrap(fn, fromHandler, toHandler), sentinel: (sentinel) => sentinel });
}

/** A value a handler gives the worker (its result, arguments of its calls): its functions get handler-shaped arguments. */
export function fromHandler(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  return mapValue(value, { fn: (fn) => wrap(fn, toHandler, fromHandler), sentinel: (sentinel) => sentinel });
}

/** `fn` with its argument and result converted; releasing it releases `fn`. */
function wrap(fn: HostFunction, args: (value: unknown) => unknown, result: (value: unknown) => unknown): HostFunction {
  const wrapped: HostFunction = async (value, options) => result(await fn(args(value), options));
  const release = fn[Symbol.dispose];
  if (release) wrapped[Symbol.dispose] = () => release.call(fn);
  return wrapped;
}
