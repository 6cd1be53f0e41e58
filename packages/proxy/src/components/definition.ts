import type { ComponentOptions } from '../options.js';

/** A component without its downstream: what `createComponent` needs besides where to connect. */
export type ComponentDefinition = Omit<ComponentOptions, 'downstream'>;

/** A binding name matches a pattern that is the name itself, `prefix.*`, or `*`. */
export function matchesName(name: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (pattern) => pattern === '*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
  );
}

/** A thrown value as a small JSON record (code and message) for logs. */
export function describeError(error: unknown): { code?: unknown; name?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { ...(code !== undefined ? { code } : {}), name: error.name, message: error.message };
  }
  return { message: String(error) };
}
