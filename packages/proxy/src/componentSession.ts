import {
  BindingNotFoundError,
  HandshakeFailedError,
  type Binding,
  type BindingContext,
  type EvalOptions,
  type Runtime,
  type RuntimeBinding,
  type RuntimeInit,
  type RuntimeStats,
  type Client,
} from '@scomp/peer';
import {
  bindingPatternMatcher,
  combineScopes,
  CONSOLE_BINDING_NAME,
  LOG_BINDING_NAME,
  type BindingMeta,
  type LogEntry,
} from '@scomp/protocol';
import { DownstreamLink } from './downstreamLink.js';
import { describeError } from './components/definition.js';
import { forwardCall } from './forward.js';
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
  private link!: DownstreamLink;
  private routes = new Map<string, RuntimeBinding>();
  /** The client binding list the downstream session was given, to notice a resume that changes it. */
  private declaredMetas = '[]';
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
    const serverBindings = combineScopes(init.serverBindings, options.serverBindingScope);
    this.link = await DownstreamLink.open(init.clientBindings ?? [], {
      sessionId: this.sessionId,
      component: options,
      metadata: { ...init.metadata, ...options.metadata?.downstream },
      ...(serverBindings ? { serverBindings } : {}),
      declare: (metas) => this.declared(metas),
    });
    // A downstream that ignores `serverBindings` (a peer of an older protocol ignores unknown
    // members) would let guest code call what this chain hides: refuse it rather than fail open.
    const shown = serverBindings?.only && bindingPatternMatcher(serverBindings.only);
    const ignored = shown && this.link.serverBindings.find((meta) => !shown(meta.name));
    if (ignored) {
      await this.link.dispose();
      throw new HandshakeFailedError(`${options.name}: the downstream offers ${ignored.name}, which serverBindings hides: it does not narrow its bindings`);
    }
    const offered: Binding[] = [];
    for (const meta of this.link.serverBindings) {
      const mapped = options.mapServerBinding ? options.mapServerBinding(this.downstreamBinding(meta)) : this.downstreamBinding(meta);
      if (mapped) offered.push(mapped);
    }
    const downstreamChain = this.link.serverMetadata?.chain;
    this.experimental_offered = {
      bindings: offered,
      metadata: {
        ...this.link.serverMetadata,
        ...options.metadata?.upstream,
        chain: [options.name, ...(Array.isArray(downstreamChain) ? (downstreamChain as unknown[]) : [])],
      },
    };
  }

  /** What is declared downstream: the upstream's client bindings through the component's map, and its own. */
  private declared(metas: readonly BindingMeta[]): Binding[] {
    const { options } = this;
    const declared: Binding[] = [];
    for (const meta of metas) {
      const mapped = options.mapClientBinding ? options.mapClientBinding(this.upstreamBinding(meta)) : this.upstreamBinding(meta);
      if (mapped) declared.push(mapped);
    }
    for (const binding of options.clientBindings ?? []) declared.push(this.ownClientBinding(binding));
    return declared;
  }

  /** The downstream session's id (a component's own session id is what its upstream sees). */
  get downstreamSessionId(): string {
    return this.link.sessionId;
  }

  async eval(code: string, evalOptions: EvalOptions = {}): Promise<unknown> {
    const signal = evalOptions.signal ?? new AbortController().signal;
    const callOptions: Parameters<Client['eval']>[1] = { signal };
    if (evalOptions.key !== undefined) callOptions.key = evalOptions.key;
    if (evalOptions.timeoutMs !== undefined) callOptions.serverTimeoutMs = evalOptions.timeoutMs;
    const intercept = this.options.onEval;
    // With no onEval to read or change it, a result passes on as the downstream's JSON text
    // (RawJson): a result of megabytes is not parsed and encoded again at every hop.
    if (!intercept && evalOptions.acceptRawJson) callOptions.acceptRawJson = true;
    const run = (input: string) => this.link.eval(input, callOptions);
    return intercept ? intercept({ code }, run, this.interceptContext(signal)) : run(code);
  }

  /**
   * A resume with other client bindings than the downstream session was given declares the new list
   * downstream: by resuming the downstream session on a new connection, or, for a downstream that
   * serves one connection (a child over stdio), by re-declaring on it. A downstream that refuses the
   * re-declare keeps the first list, and the upstream is told so in a `log` warning.
   */
  setClientBindings(bindings: readonly RuntimeBinding[]): void {
    this.routes = new Map(bindings.map((binding) => [binding.meta.name, binding]));
    const metas = bindings.map((binding) => binding.meta);
    const listed = JSON.stringify(metas);
    if (listed === this.declaredMetas) return;
    this.declaredMetas = listed;
    this.link.redeclare(metas, (error) =>
      this.upstream.notify(LOG_BINDING_NAME, {
        level: 'warn',
        message: `${this.options.name}: the client bindings changed on resume, but the downstream refused them and keeps the first list`,
        data: { component: this.options.name, bindings: metas.map((meta) => meta.name), error: describeError(error) },
      } satisfies LogEntry),
    );
  }

  stats(): RuntimeStats {
    const stats = this.link.stats();
    return { liveFunctions: stats.imported, exportedRefs: stats.exported, pendingOutbound: stats.pendingOutbound };
  }

  dispose(): Promise<void> {
    return this.link.dispose();
  }

  /** A downstream server binding as the upstream sees it: invoking it forwards the call. */
  private downstreamBinding(meta: BindingMeta): Binding {
    return {
      meta,
      call: (args, context) =>
        this.intercepted({ direction: 'downstream', name: meta.name, meta, args }, context.signal, (input) =>
          forwardCall(input, this.options.name, (markSent) => this.link.invoke(meta.name, input, context.signal, markSent)),
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
