import {
  CONSOLE_BINDING_NAME,
  isCompatibleVersion,
  Method,
  PROTOCOL_VERSION,
  TERMINAL_HANDSHAKE_CODES,
  validators,
  type BindingMeta,
  type HandshakeResult,
  type RequestId,
  type ServerBindingScope,
} from '@scomp/protocol';
import { CloseCode } from './closeCodes.js';
import { assertRefsResolve, type Binding } from './binding.js';
import { confirmGuestCall, type BindingAccess } from './bindingAccess.js';
import { findNameClash, findReservedName, reservedNameError } from './bindingNames.js';
import type { InboundContext } from './connection.js';
import { Endpoint } from './endpoint.js';
import {
  CancelledError,
  ConnectionClosedError,
  DisconnectedError,
  HandshakeFailedError,
  InternalError,
  HandshakeRequiredError,
  InvalidParamsError,
  MethodNotFoundError,
  ShuttingDownError,
  UnsupportedVersionError,
  toScompError,
} from './errors.js';
import { releaseUnretainedIn } from './functions.js';
import type { RuntimeBinding } from './runtime.js';
import type { Principal, Session } from './session.js';
import type { Transport, TransportCloseInfo } from './transport.js';

/** What the server side of one connection needs from its server. */
export interface ServerContext {
  bindings: ReadonlyMap<string, Binding>;
  /** The runtime's own global names, which client bindings may not take. */
  reservedNames?: ReadonlySet<string>;
  authenticate(metadata: Record<string, unknown>): Promise<Principal>;
  /** Creates or resumes the session; calls `connection.checkNames` with the session's server bindings before attaching. */
  openSession(principal: Principal, request: SessionRequest, connection: ServerConnection): Promise<{ session: Session; resumed: boolean }>;
  detach(session: Session, connection: ServerConnection): void;
  /** The handshake response attaching `session` to `connection` has been sent. */
  attached(session: Session, connection: ServerConnection): void;
  /** Undoes {@link openSession} for a handshake whose client left or cancelled before learning the outcome. */
  abandon(session: Session, connection: ServerConnection, resumed: boolean): void;
  closing: boolean;
  metadata?: Record<string, unknown>;
  maxInboundRequests?: number;
  maxMessageBytes?: number;
  maxRefs?: number;
  maxPendingInvokes?: number;
  /** A connection that has sent no handshake this long is closed. */
  handshakeTimeoutMs?: number;
  /** Largest message accepted before a session is attached. */
  maxHandshakeBytes?: number;
  onFault?(error: unknown): void;
  onConnectionClosed(connection: ServerConnection): void;
}

/** What a handshake asks of the server's sessions. */
export interface SessionRequest {
  /** Resume this session instead of creating one. */
  sessionId?: string;
  /** The client's narrowing of the server's bindings (spec §5.1). */
  scope?: ServerBindingScope;
}

/** The server side of one connection: handshake, then eval and invoke against its session. */
export class ServerConnection {
  readonly endpoint: Endpoint;
  session: Session | undefined;
  clientBindings: BindingMeta[] = [];
  handshakeMetadata: Record<string, unknown> = {};
  private handshaking = false;
  /** The id of the connection's first handshake request: its failure closes the connection. */
  private handshakeId: RequestId | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    transport: Transport,
    private readonly server: ServerContext,
  ) {
    this.endpoint = new Endpoint(transport, {
      onRequest: (method, params, context) => this.onRequest(method, params, context),
      closesAfter: (id) => id === this.handshakeId && !this.session,
      beforeInvoke: () => this.requireSession(),
      lookupBinding: (name) => {
        const binding = (this.session?.serverBindings ?? server.bindings).get(name) ?? this.offeredBinding(name);
        return binding && { meta: binding.meta, call: (args, context) => binding.call(args, this.bindingContext(context.signal)) };
      },
      remoteBinding: (name) => this.clientBindings.find((meta) => meta.name === name),
      onClose: (info) => this.onClose(info),
      onFault: server.onFault,
      maxInboundRequests: server.maxInboundRequests,
      maxMessageBytes: server.maxMessageBytes,
      inboundLimitBytes: () => (this.session ? undefined : server.maxHandshakeBytes),
      maxExportedRefs: server.maxRefs,
      maxOutboundRequests: server.maxPendingInvokes,
    });
    this.endpoint.start();
    const timeoutMs = server.handshakeTimeoutMs;
    if (timeoutMs !== undefined && !this.endpoint.connection.closed) {
      this.handshakeTimer = setTimeout(() => {
        this.close({ code: CloseCode.HandshakeFailed, reason: `no handshake within ${timeoutMs} ms` });
      }, timeoutMs);
      (this.handshakeTimer as { unref?: () => void }).unref?.();
    }
  }

  close(info: TransportCloseInfo): void {
    this.endpoint.connection.close(info);
  }

  /** Calls the connected client's binding `name`. Used by the runtime and by server bindings. */
  invokeClient = async (name: string, args: unknown, signal?: AbortSignal): Promise<unknown> => {
    try {
      return await this.endpoint.invoke({ name }, args, signal ? { signal } : {});
    } catch (error) {
      if (error instanceof ConnectionClosedError) throw new DisconnectedError(`client disconnected during ${name}`);
      throw error;
    }
  };

  notifyClient(name: string, args: unknown): void {
    this.endpoint.notifyInvoke({ name }, args);
  }

  /**
   * The server's bindings as the session's runtime sees them: those its client let it see,
   * validated, the gated ones asking the client's `confirm` first, with calls back to its client.
   */
  runtimeBindings(access: BindingAccess): RuntimeBinding[] {
    return [...access.bindings.values()].map((binding) => {
      const gated = access.gates(binding.meta);
      return {
        meta: binding.meta,
        call: async (args, context) => {
          try {
            if (gated) await confirmGuestCall(this.session?.attached, binding.meta, args, context.signal);
            return await binding.call(args, this.bindingContext(context.signal));
          } finally {
            releaseUnretainedIn(args);
          }
        },
        // A gated call must ask the client through this thread first, so it never runs elsewhere.
        ...(binding.origin && !gated ? { origin: binding.origin } : {}),
      };
    });
  }

  /**
   * Refuses client bindings that would claim the same runtime global as one of the session's server
   * bindings: the set the session was created with and narrowed to, not the server's current one.
   */
  checkNames(serverBindings: ReadonlyMap<string, Binding>, clientBindings: readonly BindingMeta[] = this.clientBindings): void {
    const clash = findNameClash([...serverBindings.keys(), ...clientBindings.map((meta) => meta.name)]);
    if (clash) throw new HandshakeFailedError(`bindings ${clash[0]} and ${clash[1]} claim the same name`);
  }

  /** The bindings the session's runtime offers besides the server's own (see `Runtime.experimental_offered`), as its client narrowed them. */
  private offeredBindings(session: Session): Binding[] {
    return (session.runtime.experimental_offered?.bindings ?? []).filter((binding) => session.access.shows(binding.meta.name));
  }

  private offeredBinding(name: string): Binding | undefined {
    return this.session && this.offeredBindings(this.session).find((binding) => binding.meta.name === name);
  }

  private bindingContext(signal: AbortSignal) {
    const sessionId = this.session?.id ?? '';
    return {
      signal,
      sessionId,
      invoke: (name: string, args?: unknown, options: { signal?: AbortSignal } = {}) =>
        this.session?.attached
          ? this.session.attached.invokeClient(name, args, options.signal)
          : Promise.reject(new DisconnectedError('no client is connected to this session')),
    };
  }

  private requireSession(): Session {
    if (!this.session) throw new HandshakeRequiredError('handshake required');
    return this.session;
  }

  private async onRequest(method: string, params: unknown, context: InboundContext): Promise<unknown> {
    if (method === Method.handshake) return this.handshake(params, context);
    if (method === Method.eval) {
      const session = this.requireSession();
      if (this.server.closing) throw new ShuttingDownError('server is shutting down');
      if (!validators.evalParams.check(params)) {
        throw InvalidParamsError.fromIssues(validators.evalParams.issues(params));
      }
      return this.endpoint.encodeResult(await session.eval(params, context.cancelSignal));
    }
    this.requireSession();
    throw new MethodNotFoundError(`unknown method ${method}`);
  }

  private async handshake(params: unknown, context: InboundContext): Promise<HandshakeResult> {
    if (this.session && !this.handshaking) return this.redeclare(params);
    if (this.session || this.handshaking) throw new HandshakeFailedError('handshake already done on this connection');
    // The timeout is for sockets that never handshake; how long authentication takes is the hook's business.
    this.clearHandshakeTimer();
    this.handshaking = true;
    this.handshakeId = context.id;
    // A cancelled handshake has been answered Cancelled, which is terminal like any handshake error.
    // Closing after that answer is sent makes openHandshake give up the session it may be opening.
    const onCancel = () => queueMicrotask(() => this.close({ code: CloseCode.HandshakeFailed, reason: 'handshake cancelled' }));
    context.cancelSignal.addEventListener('abort', onCancel, { once: true });
    try {
      const result = await this.openHandshake(params, context.cancelSignal);
      // The server may call the client only once the client has learned of its session (spec §4).
      const session = this.session;
      if (session) context.afterResponse(() => this.server.attached(session, this));
      return result;
    } catch (error) {
      // Every handshake error is terminal, and answered with one of the codes the spec lists as such.
      const scompError = toScompError(error);
      if (TERMINAL_HANDSHAKE_CODES.includes(scompError.code)) throw scompError;
      throw new InternalError('handshake failed', undefined, { cause: error });
    } finally {
      this.handshaking = false;
      context.cancelSignal.removeEventListener('abort', onCancel);
    }
  }

  /**
   * A second handshake naming the connection's own session re-declares the client's bindings
   * without a new connection (spec §10): what a client over a single connection, such as a child
   * over stdio, has instead of a resume. Any other second handshake is refused. A refused
   * re-declare changes nothing and leaves the connection open.
   */
  private redeclare(params: unknown): HandshakeResult {
    const session = this.session!;
    if (!validators.handshakeParams.check(params)) throw InvalidParamsError.fromIssues(validators.handshakeParams.issues(params));
    if (params.sessionId !== session.id || session.attached !== this) throw new HandshakeFailedError('handshake already done on this connection');
    if (!isCompatibleVersion(PROTOCOL_VERSION, params.protocol)) {
      throw new UnsupportedVersionError(`unsupported protocol version ${params.protocol}`, { supported: [PROTOCOL_VERSION] });
    }
    this.checkClientBindings(params.bindings);
    this.checkNames(session.serverBindings, params.bindings);
    if (!session.access.sameScope(params.serverBindings)) throw new HandshakeFailedError("a resume cannot change the session's server bindings");
    this.clientBindings = params.bindings;
    session.setClientBindings(params.bindings, this);
    return this.handshakeResult(session, true);
  }

  /** The checks of the client's own list: references resolve, no two claim one global, none takes a sandbox global. */
  private checkClientBindings(bindings: readonly BindingMeta[]): void {
    bindings.forEach((meta, index) => assertRefsResolve(meta, `/bindings/${index}`));
    const clientNames = bindings.map((meta) => meta.name);
    const clash = findNameClash(clientNames);
    if (clash) throw new HandshakeFailedError(`bindings ${clash[0]} and ${clash[1]} claim the same name`);
    // The console binding receives output; it is never installed as a global.
    const reserved = findReservedName(clientNames.filter((name) => name !== CONSOLE_BINDING_NAME), this.server.reservedNames);
    if (reserved) throw reservedNameError(reserved);
  }

  private handshakeResult(session: Session, resumed: boolean): HandshakeResult {
    const offered = session.runtime.experimental_offered;
    const result: HandshakeResult = {
      protocol: PROTOCOL_VERSION,
      sessionId: session.id,
      bindings: [...session.serverBindings.values(), ...this.offeredBindings(session)].map((binding) => binding.meta),
      resumed,
    };
    const metadata = offered?.metadata ? { ...this.server.metadata, ...offered.metadata } : this.server.metadata;
    if (metadata) result.metadata = metadata;
    return result;
  }

  private async openHandshake(params: unknown, cancelSignal: AbortSignal): Promise<HandshakeResult> {
    {
      if (this.server.closing) throw new ShuttingDownError('server is shutting down');
      if (!validators.handshakeParams.check(params)) {
        throw InvalidParamsError.fromIssues(validators.handshakeParams.issues(params));
      }
      if (!isCompatibleVersion(PROTOCOL_VERSION, params.protocol)) {
        throw new UnsupportedVersionError(`unsupported protocol version ${params.protocol}`, { supported: [PROTOCOL_VERSION] });
      }
      // Who is asking comes first: nothing an unauthenticated client sends gets more than a schema check.
      this.handshakeMetadata = (params.metadata ?? {}) as Record<string, unknown>;
      const principal = await this.server.authenticate(this.handshakeMetadata);
      if (this.endpoint.connection.closed) throw new ConnectionClosedError();
      this.checkClientBindings(params.bindings);
      this.clientBindings = params.bindings;
      const request: SessionRequest = {};
      if (params.sessionId !== undefined) request.sessionId = params.sessionId;
      if (params.serverBindings !== undefined) request.scope = params.serverBindings;
      const { session, resumed } = await this.server.openSession(principal, request, this);
      // The client cannot learn of a session its cancelled or dropped handshake opened: give it up.
      if (cancelSignal.aborted || this.endpoint.connection.closed) {
        this.server.abandon(session, this, resumed);
        throw cancelSignal.aborted ? new CancelledError('cancelled') : new ConnectionClosedError();
      }
      this.session = session;
      return this.handshakeResult(session, resumed);
    }
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  private onClose(_info: TransportCloseInfo): void {
    this.clearHandshakeTimer();
    if (this.session) this.server.detach(this.session, this);
    this.server.onConnectionClosed(this);
  }
}
