import type { Binding, Principal, Transport } from '@scomp/peer';
import type { BindingMeta, LogEntry, ServerBindingScope } from '@scomp/protocol';
import type { Upstream } from './upstream.js';

/** Where a component's session connects downstream; called once per upstream session. */
export type DownstreamSource = () => Transport | Promise<Transport>;

/** What an interceptor sees besides the call itself. */
export interface InterceptContext {
  /** The component's session id (what the upstream sees). */
  readonly sessionId: string;
  /** Aborts when the caller cancels or goes away. */
  readonly signal: AbortSignal;
  readonly upstream: Upstream;
  /** Sends a structured log entry upstream (an invoke notification of `log`), if the upstream declared `log`. */
  log(entry: LogEntry): void;
}

/** An eval on its way downstream. */
export interface EvalCall {
  readonly code: string;
}

/**
 * An invoke crossing the component. `downstream`: the upstream client invokes a server binding.
 * `upstream`: guest code or a server binding downstream invokes a client binding.
 */
export interface InvokeCall {
  readonly direction: 'downstream' | 'upstream';
  /** The name as the caller knows it. */
  readonly name: string;
  readonly meta: BindingMeta;
  readonly args: unknown;
}

/**
 * A middleware around evals or invokes: call `next` to let the call through (with the same or
 * rewritten input) and return or rewrite its result, or throw a ScompError to refuse it.
 */
export type Interceptor<TCall, TNextInput> = (
  call: TCall,
  next: (input: TNextInput) => Promise<unknown>,
  context: InterceptContext,
) => Promise<unknown>;

/**
 * Maps one binding crossing the component: return it unchanged, a renamed or wrapped copy
 * (`{ ...binding, meta: { ...binding.meta, name: 'x' } }`), or undefined to hide it.
 */
export type BindingMapper = (binding: Binding) => Binding | undefined;

export interface ComponentOptions {
  /** Names the component in its errors and in the handshake's `chain` metadata. */
  name: string;
  /** Opens the downstream connection of one session (a child over stdio, a WebSocket, …). */
  downstream: DownstreamSource;
  /**
   * Resume the downstream session when a downstream connection drops. Needs a `downstream` that can
   * be called again (WebSocket, not a child process). @default false
   */
  downstreamReconnect?: boolean;
  /** Bindings the component serves to its upstream, besides the downstream's. */
  serverBindings?: readonly Binding[];
  /**
   * Bindings the component serves to guest code downstream, declared beside the upstream's client
   * bindings. Their handlers reach the upstream with {@link upstreamOf}.
   */
  clientBindings?: readonly Binding[];
  /** Hides, renames or wraps the downstream's server bindings offered upstream. */
  mapServerBinding?: BindingMapper;
  /**
   * Narrows and gates the downstream server's bindings for guest code too (the handshake's
   * `serverBindings`, spec §5.1): `only` hides bindings from the session at the end of the chain,
   * `confirm` and `confirmEffects` make the server ask the upstream's `confirm` before guest calls
   * of them. Combined with what the upstream asked for, so a component narrows further but never
   * widens. @default the upstream's, unchanged
   */
  serverBindingScope?: ServerBindingScope;
  /** Hides, renames or wraps the upstream's client bindings declared downstream. */
  mapClientBinding?: BindingMapper;
  /** Around every eval. */
  onEval?: Interceptor<EvalCall, string>;
  /** Around every invoke of a binding by name, in either direction (not `console` and `log` notifications). */
  onInvoke?: Interceptor<InvokeCall, unknown>;
  /** Handshake metadata added in each direction: `upstream` to the handshake result, `downstream` to the handshake sent on. */
  metadata?: { upstream?: Record<string, unknown>; downstream?: Record<string, unknown> };
  /**
   * Who the upstream is. @default a principal per distinct handshake metadata, so a session is
   * resumed only by a client presenting the metadata that opened it
   */
  authenticate?(metadata: Record<string, unknown>): Principal | Promise<Principal>;
  /**
   * Local deadline for the downstream handshake. It covers starting the rest of a chain, whose
   * processes start one after another. @default 120000
   */
  handshakeTimeoutMs?: number;
  /**
   * Largest message accepted from the upstream and sent to it, in UTF-8 bytes: give the head of a
   * chain its server's limit, so the chain refuses what the server alone would. @default 16777216 (16 MiB)
   */
  maxMessageBytes?: number;
  /** How long a session without an upstream connection is kept (its downstream session with it). @default 900000 (15 min) */
  sessionIdleTimeoutMs?: number;
  /** Told when a session's downstream connection ended without the component closing it. */
  onDownstreamClosed?(info: { sessionId: string; reason: string }): void;
  /** Faults with no caller to report to. */
  onFault?(error: unknown): void;
}
