import { CONSOLE_BINDING_NAME } from '@scomp/protocol';
import { HandshakeFailedError, UnauthorizedError, SessionNotFoundError, ShuttingDownError } from './errors.js';
import { assertRefsResolve, type Binding } from './binding.js';
import { CloseCode } from './closeCodes.js';
import { findNameClash, findReservedName, reservedNameError } from './bindingNames.js';
import type { RuntimeFactory, RuntimeLimits } from './runtime.js';
import { Session, type Principal } from './session.js';
import { newSessionId } from './sessionId.js';
import { PrincipalQuotas } from './principalQuotas.js';
import { ServerConnection, type ServerContext, type SessionRequest } from './serverConnection.js';
import { BindingAccess } from './bindingAccess.js';
import { SessionEvents, sessionHandle, type ServerSession, type SessionEventType } from './serverSessions.js';
import type { Transport } from './transport.js';

export interface ServerOptions {
  /**
   * Creates each session's runtime. Given as a factory, it stays yours: close it after the server.
   * Given as a function that creates one, the server owns what it returns and closes it when the
   * server closes.
   */
  runtime: RuntimeFactory | (() => RuntimeFactory);
  /** The server's bindings: callable from evaluated code and by the client's `invoke`. */
  bindings?: readonly Binding[];
  /**
   * Decides who the client is from its handshake metadata. Throw (or reject) to refuse the
   * handshake; the client gets Unauthorized. @default every client is `{ id: 'anonymous' }`
   */
  authenticate?(metadata: Record<string, unknown>): Principal | Promise<Principal>;
  /** Limits passed to each runtime. */
  limits?: RuntimeLimits;
  /** How long a session without a connection is kept before its runtime is disposed. @default 900000 (15 min) */
  sessionIdleTimeoutMs?: number;
  /** Evals that may wait behind the running one in a session. @default 16 */
  maxQueuedEvals?: number;
  /** Eval outcomes kept per session for retries by idempotency key. @default 32 */
  maxStoredOutcomes?: number;
  /** How long a settled eval outcome stays retrievable by its key. @default 600000 (10 min) */
  outcomeTtlMs?: number;
  /** Serialized bytes of settled eval outcomes kept per session; the oldest go first. @default 16777216 (16 MiB) */
  maxStoredOutcomeBytes?: number;
  /** Requests one connection may have in flight. @default 1024 */
  maxInboundRequests?: number;
  /** Largest message the server sends, in UTF-8 bytes (match the transport's limit). @default no limit */
  maxMessageBytes?: number;
  /** Live function references the server may have issued on one connection. @default 10000 */
  maxRefs?: number;
  /**
   * Server→client invokes one connection may have awaiting an answer; another fails with
   * LimitExceeded `pendingInvokes`, so a client that never answers cannot pile them up. @default 1024
   */
  maxPendingInvokes?: number;
  /**
   * Sessions one principal may hold, attached and detached; a handshake that would create one more
   * is refused with LimitExceeded `sessions`. Detached sessions count until they expire. @default 64
   */
  maxSessionsPerPrincipal?: number;
  /**
   * Memory one principal's sessions may hold, counted as `limits.memoryBytes` per session; a
   * handshake that would pass it is refused with LimitExceeded `principalMemory`. Needs
   * `limits.memoryBytes`. @default no limit
   */
  maxMemoryBytesPerPrincipal?: number;
  /**
   * How long a connection may stay open without sending a handshake before the server closes it
   * (close code 1008). @default 10000
   */
  handshakeTimeoutMs?: number;
  /**
   * Largest message, in UTF-8 bytes, that a connection may send before its handshake has attached
   * a session; a larger one is answered LimitExceeded `messageBytes` and the connection closes
   * (1009). It bounds the work anyone can cause before `authenticate` runs. @default 1048576 (1 MiB)
   */
  maxHandshakeBytes?: number;
  /** Sent to clients in the handshake result (server name, version, …). */
  metadata?: Record<string, unknown>;
  /** Faults with no caller to report to: handler bugs, failed sends. They never crash the server. */
  onFault?(error: unknown): void;
}

export interface ServerStats {
  connections: number;
  sessions: number;
  attachedSessions: number;
  /** Function references held across all connections. */
  refs: { exported: number; imported: number };
}

/**
 * A scomp server: accepts connections from any transport, runs the handshake, and keeps a
 * registry of sessions that outlive their connections.
 */
export class Server {
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<ServerConnection>();
  private readonly expiry = new Map<Session, ReturnType<typeof setTimeout>>();
  private readonly context: ServerContext;
  private readonly events: SessionEvents;
  /** Connections whose attach was announced: only those announce a detach. */
  private readonly announced = new WeakSet<ServerConnection>();
  private readonly quotas: PrincipalQuotas;
  private closing = false;
  private closed: Promise<void> | undefined;
  private readonly runtime: RuntimeFactory;
  /** Set when the server created the factory, and so closes it. */
  private readonly ownedRuntime: RuntimeFactory | undefined;

  constructor(private readonly options: ServerOptions) {
    const bindings = this.checkedBindings(options.bindings ?? []);
    const names = [...bindings.keys()];
    const sessionMemoryBytes = options.limits?.memoryBytes;
    if (options.maxMemoryBytesPerPrincipal !== undefined && sessionMemoryBytes === undefined) {
      throw new TypeError('maxMemoryBytesPerPrincipal needs limits.memoryBytes, the memory each session counts for');
    }
    this.quotas = new PrincipalQuotas({
      maxSessions: options.maxSessionsPerPrincipal ?? 64,
      ...(options.maxMemoryBytesPerPrincipal !== undefined ? { maxMemoryBytes: options.maxMemoryBytesPerPrincipal } : {}),
      sessionMemoryBytes: sessionMemoryBytes ?? 0,
    });
    // Created after the other checks, so a constructor that throws leaves no factory (and no worker
    // thread) behind.
    this.runtime = typeof options.runtime === 'function' ? options.runtime() : options.runtime;
    this.ownedRuntime = typeof options.runtime === 'function' ? this.runtime : undefined;
    const reserved = findReservedName(names, this.runtime.reservedNames);
    if (reserved) {
      void this.closeOwnedRuntime().catch((error: unknown) => options.onFault?.(error));
      throw reservedNameError(reserved);
    }
    const server = this;
    this.events = new SessionEvents(options.onFault);
    this.context = {
      bindings,
      reservedNames: this.runtime.reservedNames,
      get closing() {
        return server.closing;
      },
      metadata: options.metadata,
      maxInboundRequests: options.maxInboundRequests,
      maxMessageBytes: options.maxMessageBytes,
      maxRefs: options.maxRefs,
      maxPendingInvokes: options.maxPendingInvokes ?? 1024,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      maxHandshakeBytes: options.maxHandshakeBytes ?? 1024 * 1024,
      onFault: options.onFault,
      authenticate: (metadata) => this.authenticate(metadata),
      openSession: (principal, request, connection) => this.openSession(principal, request, connection),
      detach: (session, connection) => this.detach(session, connection),
      attached: (session, connection) => {
        if (session.attached !== connection || this.closing) return;
        this.announced.add(connection);
        this.events.emit('attach', session);
      },
      abandon: (session, connection, resumed) => this.abandon(session, connection, resumed),
      onConnectionClosed: (connection) => this.connections.delete(connection),
    };
  }

  /**
   * Replaces the server's bindings for the sessions opened from now on: they get the new set as
   * globals and in their handshake. A session already open keeps the set it was created with, across
   * resumes too (spec §10), so the code it runs keeps seeing the same names. Throws as `new Server`
   * does for a set it would refuse, leaving the current set in place.
   */
  setBindings(bindings: readonly Binding[]): void {
    this.context.bindings = this.checkedBindings(bindings, this.runtime.reservedNames);
  }

  /** Checks a binding set as the server needs it; the reserved names once the runtime is known. */
  private checkedBindings(list: readonly Binding[], reservedNames?: ReadonlySet<string>): Map<string, Binding> {
    const bindings = new Map<string, Binding>();
    for (const binding of list) bindings.set(binding.meta.name, binding);
    const names = list.map((binding) => binding.meta.name);
    const clash = findNameClash(names);
    if (clash) throw new TypeError(`server bindings ${clash[0]} and ${clash[1]} claim the same name`);
    if (bindings.has(CONSOLE_BINDING_NAME)) throw new TypeError(`the binding name ${CONSOLE_BINDING_NAME} is reserved for clients`);
    const reserved = reservedNames && findReservedName(names, reservedNames);
    if (reserved) throw reservedNameError(reserved);
    // Bindings built by hand (not with defineBinding) are checked here, before any client sees them.
    for (const binding of bindings.values()) assertRefsResolve(binding.meta);
    return bindings;
  }

  /** Serves one connection. The transport is closed when the server closes. */
  accept(transport: Transport): void {
    if (this.closing) {
      transport.close({ code: CloseCode.ShuttingDown, reason: 'server is shutting down' });
      return;
    }
    this.connections.add(new ServerConnection(transport, this.context));
  }

  /** Every session the server keeps, attached or not. */
  listSessions(): ServerSession[] {
    return [...this.sessions.values()].map(sessionHandle);
  }

  /** The session with this id, or undefined when there is none (or it expired). */
  getSession(id: string): ServerSession | undefined {
    const session = this.sessions.get(id);
    return session && sessionHandle(session);
  }

  /**
   * Tells `listener` when a session gets a connection after its handshake response was sent
   * (`attach`: its client's bindings may be invoked from then on), loses it (`detach`), or is
   * disposed after idling (`expire`). Returns a function that removes the listener.
   */
  on(type: SessionEventType, listener: (session: ServerSession) => void): () => void {
    return this.events.on(type, listener);
  }

  stats(): ServerStats {
    const refs = { exported: 0, imported: 0 };
    for (const connection of this.connections) {
      const stats = connection.endpoint.refStats();
      refs.exported += stats.exported;
      refs.imported += stats.imported;
    }
    let attachedSessions = 0;
    for (const session of this.sessions.values()) if (session.attached) attachedSessions++;
    return { connections: this.connections.size, sessions: this.sessions.size, attachedSessions, refs };
  }

  /**
   * Stops accepting, fails in-flight work with ShuttingDown, closes every connection and disposes
   * every session; then closes the runtime factory if the server created it. Every call returns
   * the same promise.
   */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    for (const connection of this.connections) connection.close({ code: CloseCode.ShuttingDown, reason: 'server is shutting down' });
    for (const timer of this.expiry.values()) clearTimeout(timer);
    this.expiry.clear();
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    // One runtime failing to free itself must not stop the others, nor the shutdown.
    await Promise.all(sessions.map((session) => this.disposeSession(session)));
    await this.closeOwnedRuntime();
  }

  private async closeOwnedRuntime(): Promise<void> {
    await this.ownedRuntime?.close?.();
  }

  private async authenticate(metadata: Record<string, unknown>): Promise<Principal> {
    if (!this.options.authenticate) return { id: 'anonymous' };
    let principal: Principal | undefined;
    try {
      principal = await this.options.authenticate(metadata);
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error;
      throw new UnauthorizedError('authentication failed', undefined, { cause: error });
    }
    if (!principal || typeof principal.id !== 'string') throw new UnauthorizedError('authentication failed');
    return principal;
  }

  private async openSession(
    principal: Principal,
    { sessionId, scope }: SessionRequest,
    connection: ServerConnection,
  ): Promise<{ session: Session; resumed: boolean }> {
    if (this.closing) throw new ShuttingDownError('server is shutting down');
    let session: Session;
    let resumed = false;
    if (sessionId !== undefined) {
      const found = this.sessions.get(sessionId);
      // A session of another principal is reported exactly like a missing one: ids reveal nothing.
      if (!found || found.principal.id !== principal.id) throw new SessionNotFoundError('session not found');
      connection.checkNames(found.serverBindings);
      if (!found.access.sameScope(scope)) {
        throw new HandshakeFailedError("a resume cannot change the session's server bindings");
      }
      session = found;
      resumed = true;
      const previous = session.attached;
      if (previous && previous !== connection) {
        session.attached = undefined;
        previous.close({ code: CloseCode.SessionTakenOver, reason: 'session resumed by another connection' });
        if (previous instanceof ServerConnection && this.announced.has(previous)) this.events.emit('detach', session);
      }
    } else {
      const access = new BindingAccess(this.context.bindings, scope);
      connection.checkNames(access.bindings);
      const id = newSessionId();
      this.quotas.reserve(principal.id);
      let runtime;
      try {
        runtime = await this.runtime.create({
          sessionId: id,
          bindings: connection.runtimeBindings(access),
          ...(scope ? { serverBindings: scope } : {}),
          clientBindings: connection.clientBindings,
          metadata: connection.handshakeMetadata,
          ...(this.options.limits ? { limits: this.options.limits } : {}),
        });
      } catch (error) {
        this.quotas.release(principal.id);
        throw error;
      }
      session = new Session(
        id,
        principal,
        runtime,
        {
          maxQueuedEvals: this.options.maxQueuedEvals ?? 16,
          maxStoredOutcomes: this.options.maxStoredOutcomes ?? 32,
          outcomeTtlMs: this.options.outcomeTtlMs ?? 600_000,
          maxStoredOutcomeBytes: this.options.maxStoredOutcomeBytes ?? 16 * 1024 * 1024,
        },
        access,
      );
      this.sessions.set(id, session);
      if (this.closing) {
        this.sessions.delete(id);
        await this.disposeSession(session);
        throw new ShuttingDownError('server is shutting down');
      }
    }
    this.cancelExpiry(session);
    session.attached = connection;
    session.setClientBindings(connection.clientBindings, connection);
    return { session, resumed };
  }

  private detach(session: Session, connection: ServerConnection): void {
    if (session.attached !== connection) return;
    session.attached = undefined;
    session.setClientBindings(connection.clientBindings, undefined);
    if (this.announced.has(connection)) this.events.emit('detach', session);
    if (this.closing || !this.sessions.has(session.id)) return;
    const timer = setTimeout(() => {
      this.expiry.delete(session);
      this.sessions.delete(session.id);
      this.events.emit('expire', session);
      void this.disposeSession(session);
    }, this.options.sessionIdleTimeoutMs ?? 900_000);
    (timer as { unref?: () => void }).unref?.();
    this.expiry.set(session, timer);
  }

  /** A resumed session is detached as after any drop; a session created for nobody is disposed at once. */
  private abandon(session: Session, connection: ServerConnection, resumed: boolean): void {
    if (resumed) return this.detach(session, connection);
    if (session.attached === connection) session.attached = undefined;
    this.sessions.delete(session.id);
    void this.disposeSession(session);
  }

  /** Disposes a session already removed from the registry and gives its quota back. */
  private async disposeSession(session: Session): Promise<void> {
    try {
      await session.dispose();
    } catch (error) {
      this.options.onFault?.(error);
    } finally {
      this.quotas.release(session.principal.id);
    }
  }

  private cancelExpiry(session: Session): void {
    const timer = this.expiry.get(session);
    if (timer !== undefined) clearTimeout(timer);
    this.expiry.delete(session);
  }
}
