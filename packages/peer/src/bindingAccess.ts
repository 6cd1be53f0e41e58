import { bindingPatternMatcher, CONFIRM_BINDING_NAME, type BindingMeta, type ConfirmParams, type ServerBindingScope } from '@scomp/protocol';
import type { Binding } from './binding.js';
import { DisconnectedError, UnauthorizedError } from './errors.js';
import type { AttachedClient } from './session.js';
import { mapValue } from './values.js';

/**
 * What one session may reach of the server's bindings, decided once when it is created (spec §5.1):
 * the server's set narrowed by the client's `serverBindings.only`, and which of those guest code
 * may call only after the client's `confirm`. The one place that decides visibility.
 */
export class BindingAccess {
  /** The bindings the session sees: its runtime's globals, what the client may invoke, the handshake's list. */
  readonly bindings: ReadonlyMap<string, Binding>;
  private readonly shown: (name: string) => boolean;
  private readonly confirmNamed: (name: string) => boolean;
  private readonly confirmEffects: ReadonlySet<string>;
  private readonly key: string;

  /** `created` is the server's set when the session is created; `scope` the client's narrowing of it. */
  constructor(created: ReadonlyMap<string, Binding>, scope: ServerBindingScope | undefined) {
    this.shown = scope?.only ? bindingPatternMatcher(scope.only) : () => true;
    this.confirmNamed = bindingPatternMatcher(scope?.confirm ?? []);
    this.confirmEffects = new Set(scope?.confirmEffects ?? []);
    this.key = scopeKey(scope);
    const bindings = new Map<string, Binding>();
    for (const [name, binding] of created) if (this.shown(name)) bindings.set(name, binding);
    this.bindings = bindings;
  }

  /** Whether a binding named `name` exists for the session (also asked of a runtime's offered bindings). */
  shows(name: string): boolean {
    return this.shown(name);
  }

  /** Whether guest calls of this binding wait for the client's `confirm`. */
  gates(meta: BindingMeta): boolean {
    return this.confirmNamed(meta.name) || (meta.effects ?? []).some((effect) => this.confirmEffects.has(effect));
  }

  /**
   * Whether a resume's `scope` is the one the session was created with: a resume may repeat the
   * narrowing, never change it. Lists compare as sets of patterns, so order and repeats do not
   * matter; an absent `only` (everything) differs from an empty one (nothing).
   */
  sameScope(scope: ServerBindingScope | undefined): boolean {
    return scope === undefined || scopeKey(scope) === this.key;
  }
}

/** A scope as text that is equal for scopes that say the same. */
function scopeKey(scope: ServerBindingScope | undefined): string {
  const set = (list: readonly string[] | undefined) => [...new Set(list ?? [])].sort();
  return JSON.stringify([scope?.only ? set(scope.only) : null, set(scope?.confirm), set(scope?.confirmEffects)]);
}

/** A value as a confirm question shows it: functions cannot be shown, so they become a marker. */
function shown(args: unknown): unknown {
  return mapValue(args, { fn: () => '[function]', sentinel: (sentinel) => sentinel });
}

/**
 * Asks the session's client before a gated guest call: resolves when the answer is `true`, rejects
 * with Unauthorized otherwise, or with the failure of the `confirm` call itself (a detached session
 * is Disconnected, a cancelled eval Cancelled).
 */
export async function confirmGuestCall(client: AttachedClient | undefined, meta: BindingMeta, args: unknown, signal: AbortSignal): Promise<void> {
  const effects = meta.effects;
  const refused = (reason: string) =>
    new UnauthorizedError(`${meta.name} was not confirmed (${reason})`, { binding: meta.name, ...(effects ? { effects } : {}) });
  if (!client) throw new DisconnectedError('no client is connected to this session');
  if (!client.clientBindings.some((binding) => binding.name === CONFIRM_BINDING_NAME)) {
    throw refused('the client declares no confirm binding');
  }
  const question: ConfirmParams = {
    message: `Allow ${meta.name}${effects?.length ? ` (${effects.join(', ')})` : ''}?`,
    binding: meta.name,
    ...(args !== undefined ? { args: shown(args) } : {}),
    ...(effects ? { effects } : {}),
  };
  if ((await client.invokeClient(CONFIRM_BINDING_NAME, question, signal)) !== true) throw refused('declined');
}
