import {
  isCompatibleVersion,
  Method,
  PROTOCOL_VERSION,
  validators,
  type BindingMeta,
  type HandshakeParams,
  type HandshakeResult,
  type ServerBindingScope,
} from '@scomp/protocol';
import type { Binding } from './binding.js';
import { CloseCode } from './closeCodes.js';
import type { RequestOptions } from './connection.js';
import { Endpoint } from './endpoint.js';
import { ConnectionClosedError, DisconnectedError, InvalidParamsError, UnsupportedVersionError } from './errors.js';
import type { RefStats } from './functionRefs.js';
import { checkedDelayMs, reconnectPolicy, type ReconnectOptions } from './reconnect.js';
import type { Transport, TransportCloseInfo } from './transport.js';

export type ClientState = 'connected' | 'reconnecting' | 'resumed' | 'gave-up' | 'closed';

export interface ClientOptions {
  /** The client's own bindings, callable by the server (and by evaluated code). */
  bindings?: readonly Binding[];
  /** Sent in the handshake: auth claims, client identity. */
  metadata?: Record<string, unknown>;
  /** Resume this session instead of starting a new one. */
  sessionId?: string;
  /**
   * Narrows the server bindings the session sees (`only`) and names those whose calls from evaluated
   * code need this client's `confirm` binding first (`confirm`, `confirmEffects`); spec §5.1. Sent
   * again on every resume, which may repeat it but not change it. @default every server binding, none gated
   */
  serverBindings?: ServerBindingScope;
  /** Default local deadline for eval and invoke. @default none */
  timeoutMs?: number;
  /** Deadline for the handshake. @default 30000 */
  handshakeTimeoutMs?: number;
  /**
   * Reconnect and resume the session when the transport drops. Needs a transport factory. `true`
   * or `{}` use the default policy; `{ retry, retryDelayMs }` replace either half of it.
   * @default off
   */
  reconnect?: ReconnectOptions | boolean;
  /** Largest message the client sends, in UTF-8 bytes (match the transport's limit). @default no limit */
  maxMessageBytes?: number;
  /** Live function references the client may have issued. @default 10000 */
  maxRefs?: number;
  /** Requests from the server (calls of client bindings) handled at once; more are answered LimitExceeded. @default 1024 */
  maxInboundRequests?: number;
  onStateChange?(state: ClientState, detail?: { attempt?: number; error?: unknown }): void;
  onFault?(error: unknown): void;
}

export interface CallOptions {
  /** Local deadline in milliseconds. @default the client's `timeoutMs` */
  timeoutMs?: number;
  /** Aborts the call locally and cancels it on the server. */
  signal?: AbortSignal;
}

export interface EvalOptions extends CallOptions {
  /** Idempotency key; a retry with the same key returns the first run's outcome. @default a fresh random key */
  key?: string;
  /** Server-side deadline for this eval. */
  serverTimeoutMs?: number;
  /**
   * A result holding no functions resolves as RawJson (`@scomp/peer/authoring`), its JSON text
   * never parsed on this side: for a client that only sends the result on, such as a proxy.
   * @default false
   */
  acceptRawJson?: boolean;
}

export type TransportSource = Transport | (() => Transport | Promise<Transport>);

/** The client side of scomp: handshake, eval, invoke, and the client's own bindings. */
export class Client {
  private endpoint!: Endpoint;
  private handshake!: HandshakeResult;
  private currentState: ClientState = 'connected';
  private closedByUser = false;
  private bindings: Map<string, Binding>;
  private readonly reconnectPolicy: Required<ReconnectOptions> | undefined;
  /** Ends the wait before the next reconnect attempt; set while one is scheduled. */
  private cancelRetryWait: (() => void) | undefined;

  private constructor(
    private readonly source: TransportSource,
    private readonly options: ClientOptions,
  ) {
    this.bindings = new Map((options.bindings ?? []).map((binding) => [binding.meta.name, binding]));
    this.reconnectPolicy = reconnectPolicy(options.reconnect);
  }

  /** Connects and performs the handshake. Rejects with the typed handshake error (Unauthorized, SessionNotFound, …). */
  static async connect(source: TransportSource, options: ClientOptions = {}): Promise<Client> {
    const client = new Client(source, options);
    await client.open(options.sessionId);
    return client;
  }

  get sessionId(): string {
    return this.handshake.sessionId;
  }

  /** The server's bindings, as declared in the last handshake. */
  get serverBindings(): readonly BindingMeta[] {
    return this.handshake.bindings;
  }

  get serverMetadata(): Record<string, unknown> | undefined {
    return this.handshake.metadata as Record<string, unknown> | undefined;
  }

  get state(): ClientState {
    return this.currentState;
  }

  /** Evaluates code in the session's runtime; resolves with its final expression's value. */
  async eval(code: string, options: EvalOptions = {}): Promise<unknown> {
    const key = options.key ?? randomKey();
    const params: Record<string, unknown> = { code, key };
    if (options.serverTimeoutMs !== undefined) params.timeoutMs = options.serverTimeoutMs;
    const requestOptions = this.callOptions(options);
    if (options.acceptRawJson) requestOptions.rawValue = true;
    const result = await this.call(() => this.endpoint.connection.request(Method.eval, params, requestOptions), key);
    return this.endpoint.decodeResult(result);
  }

  /** Calls a server binding by name without going through eval. */
  invoke(name: string, args?: unknown, options: CallOptions = {}): Promise<unknown> {
    return this.call(() => this.endpoint.invoke({ name }, args, this.callOptions(options)));
  }

  /**
   * Replaces the client's bindings in its session without a new connection: a handshake naming the
   * attached session, which the server answers as a resume (spec §10). For a connection that cannot
   * be opened again, such as a child over stdio. Bindings of both lists answer while it runs; on a
   * refusal (a server without re-declares answers HandshakeFailed) the old list stays.
   */
  async experimental_redeclare(bindings: readonly Binding[]): Promise<void> {
    const next = new Map(bindings.map((binding) => [binding.meta.name, binding]));
    const previous = this.bindings;
    // The server may call a new binding before its answer arrives.
    this.bindings = new Map([...previous, ...next]);
    try {
      const result = await this.endpoint.connection.request(Method.handshake, this.handshakeParams(next, this.handshake.sessionId), {
        timeoutMs: this.options.handshakeTimeoutMs ?? 30_000,
      });
      if (!validators.handshakeResult.check(result)) throw new InvalidParamsError('malformed handshake result');
      this.handshake = result;
      this.bindings = next;
    } catch (error) {
      this.bindings = previous;
      throw error;
    }
  }

  stats(): RefStats & { pendingOutbound: number; activeInbound: number } {
    return { ...this.endpoint.refStats(), ...this.endpoint.connection.stats };
  }

  close(): void {
    this.closedByUser = true;
    this.cancelRetryWait?.();
    this.endpoint.connection.close({ code: CloseCode.Normal, reason: 'client closed' });
    this.setState('closed');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private callOptions(options: CallOptions): RequestOptions {
    const result: RequestOptions = {};
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    if (timeoutMs !== undefined) result.timeoutMs = timeoutMs;
    if (options.signal) result.signal = options.signal;
    return result;
  }

  /** Turns a drop into a typed DisconnectedError while the client is resuming. */
  private async call<T>(run: () => Promise<T>, key?: string): Promise<T> {
    if (this.currentState === 'reconnecting') {
      throw new DisconnectedError('reconnecting: the call was not sent', key ? { key } : undefined);
    }
    try {
      return await run();
    } catch (error) {
      if (error instanceof ConnectionClosedError && this.willResume()) {
        throw new DisconnectedError('the connection dropped during the call', key ? { key } : undefined);
      }
      throw error;
    }
  }

  private willResume(): boolean {
    return this.currentState === 'reconnecting';
  }

  private async open(sessionId: string | undefined): Promise<void> {
    const transport = typeof this.source === 'function' ? await this.source() : this.source;
    const endpoint = new Endpoint(transport, {
      lookupBinding: (name) => {
        const binding = this.bindings.get(name);
        return (
          binding && {
            meta: binding.meta,
            call: (args, context) =>
              binding.call(args, {
                signal: context.signal,
                sessionId: this.handshake?.sessionId ?? '',
                invoke: (target, targetArgs, options) => this.invoke(target, targetArgs, options),
              }),
          }
        );
      },
      remoteBinding: (name) => this.handshake?.bindings.find((meta) => meta.name === name),
      onClose: (info) => this.onClose(endpoint, info),
      onFault: this.options.onFault,
      maxMessageBytes: this.options.maxMessageBytes,
      maxExportedRefs: this.options.maxRefs,
      maxInboundRequests: this.options.maxInboundRequests,
    });
    endpoint.start();
    const params = this.handshakeParams(this.bindings, sessionId);
    let result: unknown;
    try {
      result = await endpoint.connection.request(Method.handshake, params, {
        timeoutMs: this.options.handshakeTimeoutMs ?? 30_000,
      });
      if (!validators.handshakeResult.check(result)) throw new InvalidParamsError('malformed handshake result');
      if (!isCompatibleVersion(PROTOCOL_VERSION, result.protocol)) {
        throw new UnsupportedVersionError(`server speaks unsupported protocol version ${result.protocol}`);
      }
    } catch (error) {
      endpoint.connection.close({ code: CloseCode.Normal, reason: 'handshake failed' });
      throw error;
    }
    this.endpoint = endpoint;
    this.handshake = result;
  }

  private handshakeParams(bindings: ReadonlyMap<string, Binding>, sessionId: string | undefined): HandshakeParams {
    const params: HandshakeParams = { protocol: PROTOCOL_VERSION, bindings: [...bindings.values()].map((binding) => binding.meta) };
    if (this.options.metadata) params.metadata = this.options.metadata;
    if (sessionId !== undefined) params.sessionId = sessionId;
    if (this.options.serverBindings) params.serverBindings = this.options.serverBindings;
    return params;
  }

  private onClose(endpoint: Endpoint, info: TransportCloseInfo): void {
    if (endpoint !== this.endpoint || this.closedByUser) return;
    const policy = this.reconnectPolicy;
    // A takeover means another client holds the session now; resuming would take it back forever.
    if (!policy || typeof this.source !== 'function' || info.code === CloseCode.SessionTakenOver) return this.setState('closed');
    void this.reconnect(policy);
  }

  private async reconnect(policy: Required<ReconnectOptions>): Promise<void> {
    this.setState('reconnecting');
    for (let attempt = 1; ; attempt++) {
      let delayMs: number;
      try {
        delayMs = checkedDelayMs(policy, attempt);
      } catch (error) {
        return this.setState('gave-up', { attempt, error });
      }
      if (!(await this.retryWait(delayMs))) return;
      let failure: unknown;
      try {
        await this.open(this.handshake.sessionId);
        if (this.closedByUser) {
          // Closed while the handshake ran: the new connection has no user.
          this.endpoint.connection.close({ code: CloseCode.Normal, reason: 'client closed' });
          return;
        }
        this.setState('resumed');
        this.setState('connected');
        return;
      } catch (error) {
        failure = error;
      }
      if (this.closedByUser) return;
      this.options.onStateChange?.('reconnecting', { attempt, error: failure });
      let again = false;
      try {
        again = policy.retry(attempt, failure);
      } catch (error) {
        failure = error;
      }
      if (!again) return this.setState('gave-up', { attempt, error: failure });
    }
  }

  /** Resolves true after `delayMs`, or false at once when the client is closed meanwhile. */
  private retryWait(delayMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.cancelRetryWait = undefined;
        resolve(true);
      }, delayMs);
      this.cancelRetryWait = () => {
        clearTimeout(timer);
        this.cancelRetryWait = undefined;
        resolve(false);
      };
    });
  }

  private setState(state: ClientState, detail?: { attempt?: number; error?: unknown }): void {
    this.currentState = state;
    this.options.onStateChange?.(state, detail);
  }
}

function randomKey(): string {
  return globalThis.crypto.randomUUID();
}
