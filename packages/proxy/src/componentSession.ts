import {
  Client,
  BindingNotFoundError,
  type Binding,
  type BindingContext,
  type EvalOptions,
  type Runtime,
  type RuntimeBinding,
  type RuntimeInit,
  type RuntimeStats,
  type Transport,
} from '@scomp/peer';
import { CONSOLE_BINDING_NAME, LOG_BINDING_NAME, type BindingMeta, type LogEntry } from '@scomp/protocol';
import { forwardCall, hopError } from './forward.js';
import type { ComponentOptions, InterceptContext, InvokeCall } from './options.js';
import { withUpstream, type Upstream } from './upstream.js';

/** Client bindings that only ever travel as notifications: forwarded as such, never intercepted. */
const NOTIFICATION_BINDINGS = new Set([CONSOLE_BINDING_NAME, LOG_BINDING_NAME]);

/**
 * One session of a component, in the place of a runtime: its "evaluation" is the downstream
 * session. It offers the downstream's server bindings upstream and serves the upstream's client
 * bindings downstream, both through the component's maps and interceptors.
 */
export class ComponentSession implements Runtime {
  experimental_offered: { bindings: readonly Binding[]; metadata?: Record<string, unknown> } = { bindings: [] };
  private client!: Client;
  /** The downstream transport when the component opened it (no reconnects), to wait for its end on dispose. */
  private transport: Transport | undefined;
  private routes = new Map<string, RuntimeBinding>();
  private closedByUs = false;
  private closedReason: string | undefined;
  readonly upstream: Upstream;

  private constructor(
    private readonly sessionId: string,
    private readonly options: ComponentOptions,
  ) {
    const session = this;
    this.upstream = {
      get bindings() {
        return [...session.routes.keys()];
      },
      invoke: (name, args, callOptions = {}) => this.invokeUpstream(name, args, callOptions.signal),
      notify: (name, args) => this.routes.get(name)?.notify?.(args),
    };
  }

  static async open(init: RuntimeInit, options: ComponentOptions): Promise<ComponentSession> {
    const session = new ComponentSession(init.sessionId, options);
    await session.connect(init);
    return session;
  }

  private async connect(init: RuntimeInit): Promise<void> {
    const { options } = this;
    const declared: Binding[] = [];
    for (const meta of init.clientBindings ?? []) {
      const mapped = options.mapClientBinding ? options.mapClientBinding(this.upstreamBinding(meta)) : this.upstreamBinding(meta);
      if (mapped) declared.push(mapped);
    }
    for (const binding of options.clientBindings ?? []) declared.push(this.ownClientBinding(binding));
    const metadata = { ...init.metadata, ...options.metadata?.downstream };
    const source = options.downstream;
    if (!options.downstreamReconnect) this.transport = await source();
    this.client = await Client.connect(this.transport ?? source, {
      bindings: declared,
      metadata,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 120_000,
      reconnect: options.downstreamReconnect ?? false,
      onStateChange: (state, detail) => {
        if (state !== 'closed' && state !== 'gave-up') return;
        this.closedReason = detail?.error instanceof Error ? detail.error.message : state === 'gave-up' ? 'gave up reconnecting' : 'closed';
        if (!this.closedByUs) options.onDownstreamClosed?.({ sessionId: this.sessionId, reason: this.closedReason });
      },
      ...(options.onFault ? { onFault: options.onFault } : {}),
    }).catch((error: unknown) => {
      throw hopError(error, options.name);
    });
    const offered: Binding[] = [];
    for (const meta of this.client.serverBindings) {
      const mapped = options.mapServerBinding ? options.mapServerBinding(this.downstreamBinding(meta)) : this.downstreamBinding(meta);
      if (mapped) offered.push(mapped);
    }
    const downstreamChain = this.client.serverMetadata?.chain;
    this.experimental_offered = {
      bindings: offered,
      metadata: {
        ...this.client.serverMetadata,
        ...options.metadata?.upstream,
        chain: [options.name, ...(Array.isArray(downstreamChain) ? (downstreamChain as unknown[]) : [])],
      },
    };
  }

  /** The downstream session's id (a component's own session id is what its upstream sees). */
  get downstreamSessionId(): string {
    return this.client.sessionId;
  }

  async eval(code: string, evalOptions: EvalOptions = {}): Promise<unknown> {
    const signal = evalOptions.signal ?? new AbortController().signal;
    const run = (input: string) => {
      const callOptions: Parameters<Client['eval']>[1] = { signal };
      if (evalOptions.key !== undefined) callOptions.key = evalOptions.key;
      if (evalOptions.timeoutMs !== undefined) callOptions.serverTimeoutMs = evalOptions.timeoutMs;
      return this.client.eval(input, callOptions).catch((error: unknown) => {
        throw hopError(error, this.options.name);
      });
    };
    const intercept = this.options.onEval;
    return intercept ? intercept({ code }, run, this.interceptContext(signal)) : run(code);
  }

  setClientBindings(bindings: readonly RuntimeBinding[]): void {
    this.routes = new Map(bindings.map((binding) => [binding.meta.name, binding]));
  }

  stats(): RuntimeStats {
    const stats = this.client.stats();
    return { liveFunctions: stats.imported, exportedRefs: stats.exported, pendingOutbound: stats.pendingOutbound };
  }

  async dispose(): Promise<void> {
    this.closedByUs = true;
    this.client.close();
    // A child process downstream is waited for, so that closing a chain leaves no process behind.
    await (this.transport as Partial<AsyncDisposable> | undefined)?.[Symbol.asyncDispose]?.();
  }

  /** A downstream server binding as the upstream sees it: invoking it forwards the call. */
  private downstreamBinding(meta: BindingMeta): Binding {
    return {
      meta,
      call: (args, context) =>
        this.intercepted({ direction: 'downstream', name: meta.name, meta, args }, context.signal, (input) =>
          forwardCall(input, this.options.name, (markSent) => {
            markSent();
            return this.client.invoke(meta.name, input, { signal: context.signal });
          }),
        ),
    };
  }

  /** An upstream client binding as the downstream sees it: calling it forwards to the upstream. */
  private upstreamBinding(meta: BindingMeta): Binding {
    const name = meta.name;
    if (NOTIFICATION_BINDINGS.has(name)) {
      return {
        meta,
        call: async (args) => {
          this.routes.get(name)?.notify?.(args);
          return null;
        },
      };
    }
    return {
      meta,
      call: (args, context) =>
        this.intercepted({ direction: 'upstream', name, meta, args }, context.signal, (input) =>
          forwardCall(input, this.options.name, (markSent) => this.callRoute(name, input, context.signal, markSent)),
        ),
    };
  }

  /** One of the component's own client bindings, with its context tied to this session's upstream. */
  private ownClientBinding(binding: Binding): Binding {
    return {
      meta: binding.meta,
      call: (args, context) =>
        this.intercepted({ direction: 'upstream', name: binding.meta.name, meta: binding.meta, args }, context.signal, (input) =>
          binding.call(input, withUpstream<BindingContext>({ ...context }, this.upstream)),
        ),
    };
  }

  private intercepted(call: InvokeCall, signal: AbortSignal, next: (args: unknown) => Promise<unknown>): Promise<unknown> {
    const intercept = this.options.onInvoke;
    return intercept ? intercept(call, next, this.interceptContext(signal)) : next(call.args);
  }

  private callRoute(name: string, args: unknown, signal: AbortSignal, markSent: () => void = () => {}): Promise<unknown> {
    const route = this.routes.get(name);
    if (!route) return Promise.reject(new BindingNotFoundError(`binding not found: ${name}`, { name }));
    markSent();
    return route.call(args, { signal, sessionId: this.sessionId });
  }

  private invokeUpstream(name: string, args: unknown, signal?: AbortSignal): Promise<unknown> {
    return forwardCall(args, this.options.name, (markSent) =>
      this.callRoute(name, args, signal ?? new AbortController().signal, markSent),
    );
  }

  private interceptContext(signal: AbortSignal): InterceptContext {
    return {
      sessionId: this.sessionId,
      signal,
      upstream: this.upstream,
      log: (entry: LogEntry) => this.upstream.notify(LOG_BINDING_NAME, entry),
    };
  }
}
