import { bindingPatternMatcher } from '@scomp/protocol';
import type { ComponentOptions } from '../options.js';

/** A component without its downstream: what `createComponent` needs besides where to connect. */
export type ComponentDefinition = Omit<ComponentOptions, 'downstream'>;

/** A binding name matches a pattern that is the name itself, `prefix.*` (as on the wire, spec §5.1), or `*`. */
export function matchesName(name: string, patterns: readonly string[]): boolean {
  return patterns.includes('*') || bindingPatternMatcher(patterns)(name);
}

/** A thrown value as a small JSON record (code and message) for logs. */
export function describeError(error: unknown): { code?: unknown; name?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { ...(code !== undefined ? { code } : {}), name: error.name, message: error.message };
  }
  return { message: String(error) };
}
