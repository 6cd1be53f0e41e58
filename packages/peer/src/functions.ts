import type { HostFunction } from './runtime.js';

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

/** Every function value inside `value` (arrays and plain objects are searched). */
export function collectFunctions(value: unknown, found: HostFunction[] = [], depth = 0): HostFunction[] {
  if (typeof value === 'function') found.push(value as HostFunction);
  else if (typeof value === 'object' && value !== null && depth < 256) {
    for (const item of Array.isArray(value) ? value : Object.values(value)) collectFunctions(item, found, depth + 1);
  }
  return found;
}
