import {
  Client,
  BindingNotFoundError,
  ConnectionClosedError,
  DisconnectedError,
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
  /** Handshake metadata sent downstream (the upstream's, plus the component's). */
  private metadata: Record<string, unknown> = {};
  /** The client binding list the downstream session was given, to notice a resume that changes it. */
  private declaredMetas = '[]';
  /** Settles when the downstream session has been resumed with the upstream's new bindings. */
  private switching: Promise<void> = Promise.resolve();
  private replacing = false;
  /** Times the downstream connection dropped (and the client began resuming), to tell its errors from relayed ones. */
  private drops = 0;
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
      notify: (name, args) => this.notifyRoute(name, args),
    };
  }

  static async open(init: RuntimeInit, options: ComponentOptions): Promise<ComponentSession> {
    const session = new ComponentSession(init.sessionId, options);
    await session.connect(init);
    return session;
  }

  private async connect(init: RuntimeInit): Promise<void> {
    const { options } = this;
    this.declaredMetas = JSON.stringify(init.clientBindings ?? []);
    this.metadata = { ...init.metadata, ...options.metadata?.downstream };
    if (!options.downstreamReconnect) this.transport = await options.downstream();
    this.client = await this.openClient(init.clientBindings ?? [], this.transport);
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
        chain: [options.name, ...(Array.isArray(downstreamChain) ? downstreamChain : [])],
      },
    };
  }

  /**
   * Opens the downstream connection declaring `metas` (the upstream's client bindings, through the
   * component's map) and the component's own client bindings; with `sessionId`, resumes that session.
   */
  private async openClient(metas: readonly BindingMeta[], source: Transport | undefined, sessionId?: string): Promise<Client> {
    const { options } = this;
    const declared: Binding[] = [];
    for (const meta of metas) {
      const mapped = options.mapClientBinding ? options.mapClientBinding(this.upstreamBinding(meta)) : this.upstreamBinding(meta);
      if (mapped) declared.push(mapped);
    }
    for (const binding of options.clientBindings ?? []) declared.push(this.ownClientBinding(binding));
    let client: Client | undefined;
    const opened = await Client.connect(source ?? options.downstream, {
      bindings: declared,
      metadata: this.metadata,
      ...(sessionId !== undefined ? { sessionId } : {}),
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 120_000,
      reconnect: options.downstreamReconnect ?? false,
      onStateChange: (state, detail) => {
        if (state === 'reconnecting' && detail === undefined) this.drops++;
        // A connection replaced by a resume with other bindings ends without ending the session.
        if ((state !== 'closed' && state !== 'gave-up') || this.replacing || (client !== undefined && client !== this.client)) return;
        const reason = detail?.error instanceof Error ? detail.error.message : state === 'gave-up' ? 'gave up reconnecting' : 'closed';
        if (!this.closedByUs) options.onDownstreamClosed?.({ sessionId: this.sessionId, reason });
      },
      ...(options.onFault ? { onFault: options.onFault } : {}),
    }).catch((error: unknown) => {
      throw hopError(error, options.name);
    });
    client = opened;
    return opened;
  }

  /**
   * The upstream resumed with other client bindings than the downstream session was given: the
   * downstream session is resumed on a new connection declaring the new list, as the server alone
   * would replace them. A downstream that serves one connection (a child over stdio) cannot be
   * resumed; it keeps the first list, and the upstream is told so in a `log` warning.
   */
  private redeclare(metas: readonly BindingMeta[]): void {
    const previous = this.client;
    if (!this.options.downstreamReconnect) {
      this.upstream.notify(LOG_BINDING_NAME, {
        level: 'warn',
        message: `${this.options.name}: the client bindings changed on resume, but this downstream serves one connection and keeps the first list`,
        data: { component: this.options.name, bindings: metas.map((meta) => meta.name) },
      } satisfies LogEntry);
      return;
    }
    const swap = (async () => {
      await this.switching;
      if (this.closedByUs) return;
      const sessionId = this.client.sessionId;
      this.replacing = true;
      this.client.close();
      try {
        this.client = await this.openClient(metas, undefined, sessionId);
        if (this.closedByUs) this.client.close();
      } finally {
        this.replacing = false;
      }
    })();
    this.switching = swap.catch((error: unknown) => {
      this.options.onFault?.(error);
      if (this.client === previous) this.options.onDownstreamClosed?.({ sessionId: this.sessionId, reason: (error as Error).message });
    });
  }

  /** The downstream client, once a resume with new bindings (if any) is done. */
  private async downstream(): Promise<Client> {
    await this.switching;
    return this.client;
  }

  /** The downstream session's id (a component's own session id is what its upstream sees). */
  get downstreamSessionId(): string {
    return this.client.sessionId;
  }

  async eval(code: string, evalOptions: EvalOptions = {}): Promise<unknown> {
    const signal = evalOptions.signal ?? new AbortController().signal;
    const callOptions: Parameters<Client['eval']>[1] = { signal };
    if (evalOptions.key !== undefined) callOptions.key = evalOptions.key;
    if (evalOptions.timeoutMs !== undefined) callOptions.serverTimeoutMs = evalOptions.timeoutMs;
    const run = async (input: string) => {
      const client = await this.downstream();
      const drops = this.drops;
      try {
        return await client.eval(input, callOptions);
      } catch (error) {
        if (this.drops !== drops) throw this.droppedError(error);
        // The connection was replaced under the eval (a resume with other bindings): the downstream
        // kept the keyed eval running and keeps its outcome, which the same key fetches.
        const replaced = this.replacing || client !== this.client;
        if (replaced && error instanceof ConnectionClosedError && callOptions.key !== undefined) {
          return (await this.downstream()).eval(input, callOptions).catch((retryError: unknown) => {
            throw hopError(retryError, this.options.name);
          });
        }
        throw hopError(error, this.options.name);
      }
    };
    const intercept = this.options.onEval;
    return intercept ? intercept({ code }, run, this.interceptContext(signal)) : run(code);
  }

  setClientBindings(bindings: readonly RuntimeBinding[]): void {
    this.routes = new Map(bindings.map((binding) => [binding.meta.name, binding]));
    const metas = bindings.map((binding) => binding.meta);
    const listed = JSON.stringify(metas);
    if (listed === this.declaredMetas) return;
    this.declaredMetas = listed;
    this.redeclare(metas);
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
          forwardCall(input, this.options.name, async (markSent) => {
            const client = await this.downstream();
            const drops = this.drops;
            markSent();
            return client.invoke(meta.name, input, { signal: context.signal }).catch((error: unknown) => {
              throw this.drops !== drops ? this.droppedError(error) : error;
            });
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
          this.notifyRoute(name, args);
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

  /**
   * A call that failed because this hop's downstream connection dropped (the client resumes the
   * downstream session, but the call is lost) fails upstream naming this component, as one whose
   * downstream closed does.
   */
  private droppedError(error: unknown): unknown {
    if (!(error instanceof DisconnectedError)) return error;
    const { name } = this.options;
    return new DisconnectedError(`${name}: downstream connection dropped: ${error.message}`, { ...(error.data as Record<string, unknown> | undefined), component: name });
  }

  /** A fire-and-forget call upstream: as a notification where the route has one, else a call whose outcome nobody awaits. */
  private notifyRoute(name: string, args: unknown): void {
    const route = this.routes.get(name);
    if (route?.notify) route.notify(args);
    else route?.call(args, { signal: new AbortController().signal, sessionId: this.sessionId }).catch((error: unknown) => this.options.onFault?.(error));
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
