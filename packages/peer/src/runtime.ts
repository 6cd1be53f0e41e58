import type { BindingMeta, ServerBindingScope } from '@scomp/protocol';
import type { Binding } from './binding.js';
import type { BindingOrigin } from './moduleBinding.js';

/**
 * A function value outside the runtime: JSON-compatible arguments in (one argument, usually an
 * object), a promise of a JSON-compatible result out. Function values nest: arguments and results
 * may themselves contain HostFunctions. The peer turns a HostFunction into a function reference on
 * the wire and a received reference into a HostFunction.
 *
 * A HostFunction that holds resources (a runtime handle, a remote reference) exposes
 * `[Symbol.dispose]`; whoever owns it calls it once it is no longer needed.
 */
export interface HostCallOptions {
  /** Fires when the caller cancels, times out or disconnects, as for a binding's handler. */
  signal?: AbortSignal;
}

export type HostFunction = ((args?: unknown, options?: HostCallOptions) => Promise<unknown>) & {
  [Symbol.dispose]?: () => void;
};

/** What a binding's implementation sees besides its arguments. */
export interface CallContext {
  /** Fires when the caller cancels, times out or disconnects. */
  signal: AbortSignal;
  sessionId: string;
}

/**
 * One callable capability as a runtime sees it: metadata plus a function that already validates
 * its input (server bindings) or already routes to the connected client (client bindings).
 */
export interface RuntimeBinding {
  readonly meta: BindingMeta;
  call(args: unknown, context: CallContext): Promise<unknown>;
  /**
   * Where the binding is defined (see `moduleBinding`), given only for a binding that needs nothing
   * of the calling thread besides its handler (no confirm gate). A runtime whose guest code runs on
   * another thread may import it there and run guest calls of it with `call` of that import, its
   * `invoke` reaching the client through this thread; without it, every call goes through `call`.
   */
  readonly origin?: BindingOrigin;
  /**
   * Fire-and-forget call (an `invoke` notification on the wire): no result, errors dropped.
   * Runtimes use it for `console` output. Absent on bindings that only support `call`.
   */
  notify?(args: unknown): void;
}

/** Per-session limits a runtime enforces. Every field is optional; runtimes document their defaults. */
export interface RuntimeLimits {
  /** CPU time one eval may spend running code (waiting on bindings does not count). */
  evalTimeoutMs?: number;
  /** Heap the session's runtime may allocate. */
  memoryBytes?: number;
  /** Maximum native stack the runtime's code may use. */
  stackBytes?: number;
  /** Maximum size of one eval result, as serialized JSON. */
  resultBytes?: number;
}

export interface RuntimeInit {
  sessionId: string;
  /** The server's own bindings, callable from evaluated code as global async functions. */
  bindings: readonly RuntimeBinding[];
  limits?: RuntimeLimits;
  /** The bindings the opening client declared; their routes arrive through `setClientBindings`. */
  clientBindings?: readonly BindingMeta[];
  /** The handshake metadata of the client that opened the session. */
  metadata?: Record<string, unknown>;
  /**
   * The opening client's `serverBindings` (spec §5.1), already applied to `bindings`. A component
   * passes it on to its downstream session.
   */
  serverBindings?: ServerBindingScope;
}

export interface EvalOptions {
  /** Aborting interrupts running code promptly and rejects with CancelledError. */
  signal?: AbortSignal;
  /** A deadline for this eval in addition to the runtime's own limit. */
  timeoutMs?: number;
  /** The eval's idempotency key as the client sent it (a component passes it on downstream). */
  key?: string;
  /**
   * The caller takes a result without functions as `RawJson` (`@scomp/peer/authoring`), its JSON text unparsed: a
   * runtime that holds the result as text may hand it over so, and the peer puts it on the wire as
   * it is. The server's sessions ask for this; other callers get plain values.
   * @default false
   */
  acceptRawJson?: boolean;
}

/** Counters a runtime exposes so tests can prove nothing leaks. */
export interface RuntimeStats {
  /** Host functions created by this runtime and not yet disposed. */
  liveFunctions: number;
  /** Implementation-defined extras (handle counts, memory). */
  [key: string]: number;
}

/**
 * One session's runtime. The server creates one per session through a {@link RuntimeFactory} and
 * keeps it across reconnects.
 *
 * `eval` resolves with the value of the code's final expression converted to a host value (JSON
 * plus HostFunctions), or rejects with EvalError (the code threw), LimitExceededError, or
 * CancelledError. The peer serializes evals: a runtime never sees two at once, but bindings and
 * HostFunctions it handed out may be called while an eval runs or between evals.
 */
export interface Runtime {
  /**
   * Server bindings this session offers besides the server's own, and handshake metadata merged
   * over the server's. A component's runtime offers its downstream's bindings this way.
   */
  readonly experimental_offered?: { bindings: readonly Binding[]; metadata?: Record<string, unknown> };
  eval(code: string, options?: EvalOptions): Promise<unknown>;
  /**
   * Replaces the client-declared bindings visible to evaluated code. Called on every (re)connect;
   * the list may differ between connections. While no client is connected the peer passes bindings
   * whose calls reject with DisconnectedError.
   */
  setClientBindings(bindings: readonly RuntimeBinding[]): void;
  stats(): RuntimeStats;
  /** Frees everything. Pending evals reject; HostFunctions it created reject when called. */
  dispose(): void | Promise<void>;
}

export interface RuntimeFactory {
  create(init: RuntimeInit): Runtime | Promise<Runtime>;
  /**
   * The sandbox's own global names (`Object`, `NaN`, `setTimeout`, …). A binding whose first
   * dotted part is one of them is refused with InvalidParams: server bindings when the Server is
   * constructed, client bindings at the handshake. Bindings never replace the sandbox's globals.
   */
  readonly reservedNames?: ReadonlySet<string>;
  /**
   * Frees what the factory holds for all its sessions (worker threads, compiled modules), so the
   * process can exit. Sessions still open fail their pending work. A factory that holds nothing
   * beyond its sessions may leave it out. Whoever created the factory closes it: a `Server`
   * closes a factory only when it created it itself (`runtime` given as a function).
   */
  close?(): void | Promise<void>;
}
