import { CONSOLE_BINDING_NAME, LOG_BINDING_NAME } from '@scomp/protocol';
import { matchesName, type ComponentDefinition } from './definition.js';

export interface ScopeOptions {
  /** @default 'scope' */
  name?: string;
  /** Server bindings offered upstream: names, `prefix.*` or `*`. @default all */
  serverBindings?: readonly string[];
  /**
   * Client bindings declared downstream: names, `prefix.*` or `*`. `console` and `log` always
   * pass: they carry output upstream, not a capability. @default all
   */
  clientBindings?: readonly string[];
}

/** A component that offers only the bindings its configuration names; the rest do not exist beyond it. */
export function scope(options: ScopeOptions): ComponentDefinition {
  const always = [CONSOLE_BINDING_NAME, LOG_BINDING_NAME];
  const { serverBindings, clientBindings } = options;
  return {
    name: options.name ?? 'scope',
    ...(serverBindings ? { mapServerBinding: (binding) => (matchesName(binding.meta.name, serverBindings) ? binding : undefined) } : {}),
    ...(clientBindings
      ? { mapClientBinding: (binding) => (matchesName(binding.meta.name, [...always, ...clientBindings]) ? binding : undefined) }
      : {}),
  };
}
