import { UnauthorizedError } from '@scomp/peer';
import { CONFIRM_BINDING_NAME, type ConfirmParams, type Effect } from '@scomp/protocol';
import type { InvokeCall } from '../options.js';
import type { ComponentDefinition } from './definition.js';

export interface ApprovalOptions {
  /** @default 'approval' */
  name?: string;
  /** Calls of bindings declaring any of these effects need the upstream's `confirm`. @default ['write', 'external'] */
  effects?: readonly Effect[];
  /**
   * Which calls are gated: `upstream`, guest code's calls (of client bindings, and of the server's
   * own bindings, which the server gates at the component's request, spec §5.1); `downstream`, the
   * client invoking server bindings. @default both
   */
  directions?: readonly InvokeCall['direction'][];
}

/**
 * A component that asks before a call with effects goes through: it calls the upstream's
 * `confirm` binding and lets the call through only on `true`. Without a `confirm` upstream, or on
 * any other answer, the call is refused with Unauthorized, which guest code sees as a thrown error.
 * Guest calls of the server's own bindings cross no component: for those it asks the server to
 * gate them by effect (`confirmEffects`), and the server's `confirm` question reaches the upstream
 * through the component.
 */
export function approval(options: ApprovalOptions = {}): ComponentDefinition {
  const name = options.name ?? 'approval';
  const gated = new Set<string>(options.effects ?? ['write', 'external']);
  const directions = new Set(options.directions ?? ['upstream', 'downstream']);
  return {
    name,
    ...(directions.has('upstream') ? { serverBindingScope: { confirmEffects: [...gated] as Effect[] } } : {}),
    onInvoke: async (call, next, context) => {
      const effects = call.meta.effects ?? [];
      if (!directions.has(call.direction) || call.name === CONFIRM_BINDING_NAME || !effects.some((effect) => gated.has(effect))) {
        return next(call.args);
      }
      const refused = (reason: string) =>
        new UnauthorizedError(`${name}: ${call.name} was not approved (${reason})`, { binding: call.name, effects, refusedBy: name });
      if (!context.upstream.bindings.includes(CONFIRM_BINDING_NAME)) throw refused('the client offers no confirm binding');
      const question: ConfirmParams = { message: `Allow ${call.name} (${effects.join(', ')})?`, binding: call.name, args: call.args, effects };
      const answer = await context.upstream.invoke(CONFIRM_BINDING_NAME, question, { signal: context.signal });
      if (answer !== true) throw refused('declined');
      return next(call.args);
    },
  };
}
