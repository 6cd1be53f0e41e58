import { fromErrorObject, InternalError, RefNotFoundError, ScompError } from '@scomp/peer/authoring';
import type { HostFunction } from '@scomp/peer';
import { placeFunctions, splitFunctions, type ValuePath as Path } from '@scomp/peer/authoring';
import { JsonText } from '../jsonText.js';

/** A host value in transit: JSON text plus the functions it carries, as ids of the sending side. */
export interface Carried {
  json?: string;
  paths?: Path[];
  fns?: number[];
}

export interface CarriedError {
  code?: number;
  name: string;
  message: string;
  data?: unknown;
}

export type Message =
  | { t: 'req'; id: number; op: string; body: Record<string, unknown> }
  | { t: 'res'; id: number; value?: Carried; error?: CarriedError; extra?: unknown }
  | { t: 'note'; op: string; body: Record<string, unknown> };

/** What a channel sends on: a worker's parent port, or the Worker itself. */
export interface Port {
  postMessage(message: Message): void;
}

export type RequestHandler = (body: Record<string, unknown>, id: number) => Promise<{ value?: unknown; session?: number; extra?: unknown }>;

interface Pending {
  resolve(reply: { value: unknown; extra: unknown }): void;
  reject(error: Error): void;
  session: number;
}

interface Exported {
  fn: HostFunction;
  session: number;
}

/**
 * One end of the link between a supervising thread and a worker. Requests are answered exactly
 * once; functions inside values become ids on the way out and callable proxies on the way in,
 * scoped to the session they belong to so a session's teardown can drop them all.
 */
export class Channel {
  private nextId = 1;
  private nextFn = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly exported = new Map<number, Exported>();
  /** Proxies of the other side's functions, per session. */
  private readonly imported = new Map<number, Set<HostFunction>>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly notes = new Map<string, (body: Record<string, unknown>) => void>();
  private readonly collected = new FinalizationRegistry<number>((fn) => this.note('release', { fn }));
  private closed: Error | undefined;

  /**
   * @param onPending called with the number of requests awaiting a reply whenever it changes
   *   between zero and non-zero (a worker is kept referenced only while it owes replies).
   */
  constructor(
    private readonly port: Port,
    private readonly onPending?: (busy: boolean) => void,
  ) {
    // Calls of exported functions are the same on both sides.
    this.handle('call', async (body) => {
      const entry = this.exported.get(body.fn as number);
      if (!entry) throw new RefNotFoundError('function released');
      return { value: await entry.fn(this.uncarry(body.args as Carried | undefined, entry.session)), session: entry.session };
    });
  }

  handle(op: string, handler: RequestHandler): void {
    this.handlers.set(op, handler);
  }

  on(op: string, listener: (body: Record<string, unknown>) => void): void {
    this.notes.set(op, listener);
  }

  /** Sends a request; `session` scopes the functions in its reply. */
  request(op: string, body: Record<string, unknown>, session: number): { id: number; reply: Promise<{ value: unknown; extra: unknown }> } {
    const id = this.nextId++;
    const reply = new Promise<{ value: unknown; extra: unknown }>((resolve, reject) => {
      if (this.closed) return reject(this.closed);
      this.pending.set(id, { resolve, reject, session });
      if (this.pending.size === 1) this.onPending?.(true);
      try {
        this.send({ t: 'req', id, op, body });
      } catch (error) {
        // A body that cannot be cloned is never sent: nothing will answer it.
        this.take(id);
        reject(new InternalError(`cannot send ${op} to the runtime thread`, undefined, { cause: error }));
      }
    });
    return { id, reply };
  }

  /**
   * Sends a notification; false when it could not be sent (closed, or a body that cannot be
   * cloned). Never throws: notes are sent from callbacks nothing awaits (finalizers, aborts).
   */
  note(op: string, body: Record<string, unknown>): boolean {
    if (this.closed) return false;
    try {
      this.send({ t: 'note', op, body });
      return true;
    } catch {
      return false;
    }
  }

  receive(message: Message): void {
    if (message.t === 'res') return this.settle(message);
    if (message.t === 'note') {
      if (message.op === 'release') return this.release(message.body.fn as number);
      try {
        this.notes.get(message.op)?.(message.body);
      } catch {
        // A notification has no one to answer; what it carried is dropped, and the thread (with
        // every session on it) goes on rather than failing in its message handler.
      }
      return;
    }
    const handler = this.handlers.get(message.op);
    const run = handler ? handler(message.body, message.id) : Promise.reject(new InternalError(`unknown operation ${message.op}`));
    run.then(
      ({ value, session, extra }) => this.reply(message.id, () => ({ t: 'res', id: message.id, value: this.carry(value, session ?? 0), extra })),
      (error: unknown) => this.reply(message.id, () => ({ t: 'res', id: message.id, error: carryError(error) })),
    );
  }

  /** Encodes a value for sending, exporting its functions under `session`. */
  carry(value: unknown, session: number): Carried | undefined {
    if (value === undefined) return undefined;
    if (value instanceof JsonText) return { json: value.json };
    if (typeof value !== 'object' && typeof value !== 'function') return { json: JSON.stringify(value) };
    const { json, fns, paths } = splitFunctions(value);
    if (fns.length === 0) return json === undefined ? undefined : { json };
    const ids = fns.map((fn) => {
      const id = this.nextFn++;
      this.exported.set(id, { fn, session });
      return id;
    });
    return { ...(json === undefined ? {} : { json }), paths, fns: ids };
  }

  /** Decodes a received value; its functions become proxies owned by `session`. */
  uncarry(carried: Carried | undefined, session: number): unknown {
    if (!carried) return undefined;
    const value = carried.json === undefined ? undefined : JSON.parse(carried.json);
    if (!carried.fns?.length) return value;
    return placeFunctions(value, carried.fns.map((id) => this.proxy(id, session)), carried.paths ?? []);
  }

  /** Proxies of the other side's functions that `session` still holds. */
  liveProxies(session: number): number {
    return this.imported.get(session)?.size ?? 0;
  }

  exportedCount(session: number): number {
    let count = 0;
    for (const entry of this.exported.values()) if (entry.session === session) count++;
    return count;
  }

  /** Drops everything of one session: its proxies stop working, its exports are disposed. */
  dropSession(session: number, reason: Error): void {
    for (const [id, entry] of this.pending) {
      if (entry.session !== session) continue;
      this.take(id);
      entry.reject(reason);
    }
    const proxies = this.imported.get(session);
    this.imported.delete(session);
    if (proxies) for (const proxy of proxies) proxy[Symbol.dispose]?.();
    for (const [id, entry] of this.exported) {
      if (entry.session !== session) continue;
      this.exported.delete(id);
      disposeQuietly(entry.fn);
    }
  }

  /** The other side is gone: every pending request fails with `reason`, every export is disposed. */
  close(reason: Error): void {
    if (this.closed) return;
    this.closed = reason;
    for (const [id, entry] of this.pending) {
      this.take(id);
      entry.reject(reason);
    }
    for (const session of [...this.imported.keys()]) this.dropSession(session, reason);
    for (const entry of this.exported.values()) disposeQuietly(entry.fn);
    this.exported.clear();
  }

  private proxy(id: number, session: number): HostFunction {
    let live = true;
    const call = (async (args?: unknown) => {
      if (!live) throw new RefNotFoundError('function released');
      const { value } = await this.request('call', { fn: id, args: this.carry(args, session) }, session).reply;
      return value;
    }) as HostFunction;
    let set = this.imported.get(session);
    if (!set) this.imported.set(session, (set = new Set()));
    set.add(call);
    const token = {};
    this.collected.register(call, id, token);
    call[Symbol.dispose] = () => {
      if (!live) return;
      live = false;
      this.collected.unregister(token);
      this.imported.get(session)?.delete(call);
      this.note('release', { fn: id });
    };
    return call;
  }

  private take(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry && this.pending.delete(id) && this.pending.size === 0) this.onPending?.(false);
    return entry;
  }

  private release(id: number): void {
    const entry = this.exported.get(id);
    if (!entry) return;
    this.exported.delete(id);
    disposeQuietly(entry.fn);
  }

  private settle(message: Extract<Message, { t: 'res' }>): void {
    const entry = this.take(message.id);
    if (!entry) return;
    if (message.error) return entry.reject(uncarryError(message.error));
    try {
      entry.resolve({ value: this.uncarry(message.value, entry.session), extra: message.extra });
    } catch (error) {
      entry.reject(error instanceof Error ? error : new InternalError('unreadable reply'));
    }
  }

  /** Answers a request; a reply that cannot be encoded or cloned is answered with an error instead. */
  private reply(id: number, build: () => Message): void {
    if (this.closed) return;
    try {
      this.send(build());
    } catch (error) {
      try {
        this.send({ t: 'res', id, error: carryError(error) });
      } catch {
        // Not even the error could be sent (its data cannot be cloned): a plain one always can.
        this.send({ t: 'res', id, error: { name: 'InternalError', message: 'reply could not be sent' } });
      }
    }
  }

  private send(message: Message): void {
    this.port.postMessage(message);
  }
}

export function carryError(error: unknown): CarriedError {
  if (error instanceof ScompError) {
    return error.data === undefined
      ? { code: error.code, name: error.name, message: error.message }
      : { code: error.code, name: error.name, message: error.message, data: error.data };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export function uncarryError(carried: CarriedError): Error {
  if (carried.code !== undefined) {
    return fromErrorObject(carried.data === undefined ? { code: carried.code, message: carried.message } : { code: carried.code, message: carried.message, data: carried.data });
  }
  const error = new Error(carried.message);
  error.name = carried.name;
  return error;
}

function disposeQuietly(fn: HostFunction): void {
  try {
    fn[Symbol.dispose]?.();
  } catch {
    // Disposing is best effort; the owner reports its own failures.
  }
}
