import type { BindingOrigin, RuntimeLimits } from '@scomp/peer';
import type { BindingMeta } from '@scomp/protocol';
import type { InstanceStats } from '../inlineSessions.js';

/** A host value in transit: JSON text plus the functions it carries, as ids of the sending side. */
export interface Carried {
  json?: string;
  paths?: (string | number)[][];
  fns?: number[];
}

/**
 * A binding as it crosses into a worker: its metadata, whether it takes notifications, and the
 * module it is defined in when the worker may run its calls itself (see RuntimeBinding.origin).
 */
export interface BindingSketch {
  meta: BindingMeta;
  notify: boolean;
  origin?: BindingOrigin;
}

/** What one side of the link may ask or tell the other: requests (body and reply) and notifications, by operation. */
export interface OperationTable {
  requests: Record<string, { body: unknown; reply: unknown }>;
  notes: Record<string, unknown>;
}

/** Operations both sides serve: calls of the functions they exported, and releasing them. */
interface FunctionOperations {
  requests: {
    /** Calls function `fn` the other side exported; the reply is its result. */
    call: { body: { fn: number; args?: Carried | undefined }; reply: Carried | undefined };
  };
  notes: {
    /** The other side dropped its proxy of function `fn`. */
    release: { fn: number };
  };
}

/** What the supervising thread asks and tells a worker thread. */
export interface ToWorker extends OperationTable {
  requests: FunctionOperations['requests'] & {
    /** Creates session `session` in slot `slot` of the shared cancel words. */
    create: {
      body: { session: number; slot: number; sessionId: string; bindings: BindingSketch[]; limits?: RuntimeLimits };
      reply: InstanceStats;
    };
    /** Runs an eval; the reply carries its result and the thread's instances after it. */
    eval: { body: { session: number; code: string; timeoutMs?: number }; reply: { value: Carried | undefined; instances: InstanceStats } };
    dispose: { body: { session: number }; reply: InstanceStats };
  };
  notes: FunctionOperations['notes'] & {
    /** Cancels eval request `id`; `reason` is the abort reason's text, when it had one. */
    cancel: { id: number; reason: string | null };
    clientBindings: { session: number; bindings: BindingSketch[] };
  };
}

/** What a worker thread asks and tells the supervising thread. */
export interface ToSupervisor extends OperationTable {
  requests: FunctionOperations['requests'] & {
    /**
     * Guest code called a binding of the session; the supervising thread holds it. `signal` names
     * the worker's abort signal of the call (its eval's, or the session's outside evals): calls with
     * the same one share one signal on the supervising side, aborted by the note `abort`.
     */
    binding: {
      body: { session: number; kind: 'server' | 'client'; name: string; args: Carried | undefined; signal: number };
      reply: Carried | undefined;
    };
  };
  notes: FunctionOperations['notes'] & {
    /** Abort signal `signal` of binding calls aborted (the eval that made them ended): abort them. */
    abort: { signal: number };
    /** A notification to a client binding (the structured log). */
    notify: { session: number; name: string; args: Carried | undefined };
  };
}
