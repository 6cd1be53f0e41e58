import type { HostFunction } from './runtime.js';
import { collectFunctions } from './values.js';

const retained = new WeakSet<object>();

/**
 * Keeps a function received as an argument alive after the call that delivered it returns.
 * Without it, such functions are released when the handler settles.
 */
export function retain<T extends HostFunction>(fn: T): T {
  retained.add(fn);
  return fn;
}

export function isRetained(fn: object): boolean {
  return retained.has(fn);
}

/** Tells the function's owner it will not be called again (a no-op for plain local functions). */
export function release(fn: HostFunction): void {
  fn[Symbol.dispose]?.();
}

/** Calls every function in `functions` that was not retained meanwhile. */
export function releaseUnretained(functions: readonly HostFunction[]): void {
  for (const fn of functions) if (!retained.has(fn)) release(fn);
}

/**
 * Releases every function inside a call's arguments that the callee did not retain: what whoever
 * made a binding call does once it settled, so references the handler did not keep are freed.
 */
export function releaseUnretainedIn(args: unknown): void {
  // A number, string, boolean or null carries no function: nothing to walk or release.
  if ((typeof args === 'object' && args !== null) || typeof args === 'function') releaseUnretained(collectFunctions(args));
}
