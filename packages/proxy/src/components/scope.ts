import { BINDING_PATTERN, CONSOLE_BINDING_NAME, LOG_BINDING_NAME } from '@scomp/protocol';
import { matchesName, type ComponentDefinition } from './definition.js';

export interface ScopeOptions {
  /** @default 'scope' */
  name?: string;
  /**
   * Server bindings that exist beyond the component: names, `prefix.*` or `*`. The rest are neither
   * offered upstream nor callable by guest code at the end of the chain (the downstream session is
   * narrowed to these, spec §5.1). @default all
   */
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
  const { clientBindings } = options;
  // `*` lets every server binding through, which is no narrowing at all.
  const serverBindings = options.serverBindings?.includes('*') ? undefined : options.serverBindings;
  const invalid = serverBindings?.find((pattern) => !new RegExp(BINDING_PATTERN).test(pattern));
  if (invalid !== undefined) throw new TypeError(`scope: "${invalid}" is not a binding name, a name followed by .*, or *`);
  return {
    name: options.name ?? 'scope',
    ...(serverBindings
      ? {
          serverBindingScope: { only: [...serverBindings] },
          mapServerBinding: (binding) => (matchesName(binding.meta.name, serverBindings) ? binding : undefined),
        }
      : {}),
    ...(clientBindings
      ? { mapClientBinding: (binding) => (matchesName(binding.meta.name, [...always, ...clientBindings]) ? binding : undefined) }
      : {}),
  };
}
