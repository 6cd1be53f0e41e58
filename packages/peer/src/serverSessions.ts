import type { BindingMeta } from '@scomp/protocol';
import { BindingNotFoundError, DisconnectedError } from './errors.js';
import type { Principal, Session } from './session.js';

/** What happens to a server's sessions, in the order it happens. */
export type SessionEventType = 'attach' | 'detach' | 'expire';

export interface SessionInvokeOptions {
  /** Aborting fails the call with AbortedError and tells the client to stop (a `cancel`). */
  signal?: AbortSignal;
}

/**
 * A server application's view of one session, usable at any time, not only from inside a binding
 * handler. Calls reach whichever connection serves the session when they are made.
 */
export interface ServerSession {
  readonly id: string;
  readonly principal: Principal;
  /** True while a connection serves the session. */
  readonly attached: boolean;
  /** The bindings the serving connection's client declared; empty while detached. */
  readonly clientBindings: readonly BindingMeta[];
  /**
   * Calls the attached client's binding `name`. Rejects with DisconnectedError while no client is
   * attached, BindingNotFoundError when the client did not declare `name`.
   */
  invoke(name: string, args?: unknown, options?: SessionInvokeOptions): Promise<unknown>;
  /** Fire-and-forget call of the attached client's binding `name`; dropped while detached. */
  notify(name: string, args?: unknown): void;
}

/** The connection side a session handle needs. */
export interface SessionConnection {
  readonly clientBindings: readonly BindingMeta[];
  invokeClient(name: string, args: unknown, signal?: AbortSignal): Promise<unknown>;
  notifyClient(name: string, args: unknown): void;
}

/** One handle per session, so handles can be compared and kept in sets. */
const handles = new WeakMap<Session, ServerSession>();

export function sessionHandle(session: Session): ServerSession {
  let handle = handles.get(session);
  if (handle) return handle;
  const connection = () => session.attached as (SessionConnection & object) | undefined;
  handle = {
    id: session.id,
    principal: session.principal,
    get attached() {
      return connection() !== undefined;
    },
    get clientBindings() {
      return connection()?.clientBindings ?? [];
    },
    async invoke(name, args, options = {}) {
      const client = connection();
      if (!client) throw new DisconnectedError(`no client is connected to session ${session.id}`);
      if (!client.clientBindings.some((meta) => meta.name === name)) {
        throw new BindingNotFoundError(`the client did not declare ${name}`, { name });
      }
      return client.invokeClient(name, args, options.signal);
    },
    notify(name, args) {
      connection()?.notifyClient(name, args);
    },
  };
  handles.set(session, handle);
  return handle;
}

/** Listeners per event type; a listener that throws is a fault, never the server's problem. */
export class SessionEvents {
  private readonly listeners = new Map<SessionEventType, Set<(session: ServerSession) => void>>();

  constructor(private readonly onFault?: (error: unknown) => void) {}

  on(type: SessionEventType, listener: (session: ServerSession) => void): () => void {
    const set = this.listeners.get(type) ?? new Set();
    this.listeners.set(type, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  emit(type: SessionEventType, session: Session): void {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    const handle = sessionHandle(session);
    for (const listener of [...set]) {
      try {
        listener(handle);
      } catch (error) {
        this.onFault?.(error);
      }
    }
  }
}
