import type { BindingContext } from '@scomp/peer';

/** What a component can reach on its upstream side from inside a session. */
export interface Upstream {
  /** The upstream's client bindings, as it declared them in its handshake. */
  readonly bindings: readonly string[];
  /** Calls a client binding of the upstream (`confirm`, `html_panel.show`, …). */
  invoke(name: string, args?: unknown, options?: { signal?: AbortSignal }): Promise<unknown>;
  /** Fire-and-forget call of an upstream client binding; dropped when the upstream did not declare it. */
  notify(name: string, args?: unknown): void;
}

const upstreams = new WeakMap<object, Upstream>();

/** Ties a binding call's context to its session's upstream, for {@link upstreamOf}. */
export function withUpstream<T extends object>(context: T, upstream: Upstream): T {
  upstreams.set(context, upstream);
  return context;
}

/**
 * The upstream of the session a component's own client binding was called in: how a binding that
 * guest code downstream calls reaches the user's side (`upstreamOf(context).invoke('confirm', …)`).
 */
export function upstreamOf(context: BindingContext): Upstream {
  const upstream = upstreams.get(context);
  if (!upstream) throw new TypeError('upstreamOf: this context does not belong to a component binding call');
  return upstream;
}
