import { InternalError, RefNotFoundError } from '@scomp/peer/authoring';
import type { HostFunction } from '@scomp/peer';
import { placeFunctions, splitFunctions } from '@scomp/peer/authoring';
import { JsonText } from '../jsonText.js';
import { carryError, uncarryError, type CarriedError } from './carriedError.js';
import { compact, expand } from './compactMessages.js';
import type { Carried, OperationTable } from './operations.js';

/** One message on the link; `op` and `body` follow the sender's OperationTable. */
export type Message =
  | { t: 'req'; id: number; op: string; body: unknown }
  | { t: 'res'; id: number; body?: unknown; error?: CarriedError }
  | { t: 'note'; op: string; body: unknown };

/** What a channel sends on: a worker's parent port, or the Worker itself. */
export interface Port {
  postMessage(message: Message | string): void;
}

type RequestName<TTable extends OperationTable> = keyof TTable['requests'] & string;
type NoteName<TTable extends OperationTable> = keyof TTable['notes'] & string;
type Body<TTable extends OperationTable, TOp extends RequestName<TTable>> = TTable['requests'][TOp]['body'];
type Reply<TTable extends OperationTable, TOp extends RequestName<TTable>> = TTable['requests'][TOp]['reply'];

type RequestHandler = (body: unknown, id: number) => Promise<unknown>;

export interface ChannelOptions {
  /**
   * Told whenever the number of requests awaiting a reply changes between zero and non-zero (a
   * worker is kept referenced only while it owes replies).
   */
  onPending?(busy: boolean): void;
  /**
   * Received values that hold no functions stay JSON text (JsonText): for the worker's end, where
   * every value goes on into a guest, which parses it there.
   * @default false
   */
  valuesAsText?: boolean;
}

interface Pending {
  resolve(reply: unknown): void;
  reject(error: Error): void;
  session: number;
}

interface Exported {
  fn: HostFunction;
  session: number;
}

/**
 * One end of the link between a supervising thread and a worker. `TOut` is what this end may ask
 * and tell, `TIn` what it serves (see operations.ts), so the compiler checks every operation at
 * both ends. Requests are answered exactly once; functions inside values become ids on the way
 * out and callable proxies on the way in, scoped to the session they belong to so a session's
 * teardown can drop them all.
 */
export class Channel<TOut extends OperationTable, TIn extends OperationTable> {
  private nextId = 1;
  private nextFn = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly exported = new Map<number, Exported>();
  /** Proxies of the other side's functions, per session. */
  private readonly imported = new Map<number, Set<HostFunction>>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly notes = new Map<string, (body: unknown) => void>();
  private readonly collected = new FinalizationRegistry<number>((fn) => this.sendNote('release', { fn }));
  private closed: Error | undefined;

  constructor(
    private readonly port: Port,
    private readonly options: ChannelOptions = {},
  ) {
    // Calls of exported functions are the same on both sides (FunctionOperations in operations.ts).
    this.handlers.set('call', async (body) => {
      const { fn, args } = body as { fn: number; args?: Carried };
      const entry = this.exported.get(fn);
      if (!entry) throw new RefNotFoundError('function released');
      return this.carry(await entry.fn(this.uncarry(args, entry.session)), entry.session);
    });
  }

  /** Serves requests `op`; the handler's result is the reply. */
  handle<TOp extends RequestName<TIn>>(op: TOp, handler: (body: Body<TIn, TOp>, id: number) => Promise<Reply<TIn, TOp>>): void {
    this.handlers.set(op, handler as RequestHandler);
  }

  on<TOp extends NoteName<TIn>>(op: TOp, listener: (body: TIn['notes'][TOp]) => void): void {
    this.notes.set(op, listener as (body: unknown) => void);
  }

  /** Sends a request; `session` scopes it, so the session's teardown fails it. */
  request<TOp extends RequestName<TOut>>(op: TOp, body: Body<TOut, TOp>, session: number): { id: number; reply: Promise<Reply<TOut, TOp>> } {
    return this.sendRequest(op, body, session) as { id: number; reply: Promise<Reply<TOut, TOp>> };
  }

  /**
   * Sends a notification; false when it could not be sent (closed, or a body that cannot be
   * cloned). Never throws: notes are sent from callbacks nothing awaits (finalizers, aborts).
   */
  note<TOp extends NoteName<TOut>>(op: TOp, body: TOut['notes'][TOp]): boolean {
    return this.sendNote(op, body);
  }

  private sendRequest(op: string, body: unknown, session: number): { id: number; reply: Promise<unknown> } {
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      if (this.closed) return reject(this.closed);
      this.pending.set(id, { resolve, reject, session });
      if (this.pending.size === 1) this.options.onPending?.(true);
      try {
        this.send(compact({ t: 'req', id, op, body }));
      } catch (error) {
        // A body that cannot be cloned is never sent: nothing will answer it.
        this.take(id);
        reject(new InternalError(`cannot send ${op} to the runtime thread`, undefined, { cause: error }));
      }
    });
    return { id, reply };
  }

  private sendNote(op: string, body: unknown): boolean {
    if (this.closed) return false;
    try {
      this.send({ t: 'note', op, body });
      return true;
    } catch {
      return false;
    }
  }

  receive(received: Message | string): void {
    const message = typeof received === 'string' ? expand(received) : received;
    if (message.t === 'res') return this.settle(message);
    if (message.t === 'note') {
      if (message.op === 'release') return this.release((message.body as { fn: number }).fn);
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
      (body) => this.reply(message.id, () => compact({ t: 'res', id: message.id, body }, message.op)),
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
    if (!carried.fns?.length) {
      if (carried.json === undefined) return undefined;
      return this.options.valuesAsText ? new JsonText(carried.json) : JSON.parse(carried.json);
    }
    const value: unknown = carried.json === undefined ? undefined : JSON.parse(carried.json);
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
      const reply = await this.sendRequest('call', { fn: id, args: this.carry(args, session) }, session).reply;
      return this.uncarry(reply as Carried | undefined, session);
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
      this.sendNote('release', { fn: id });
    };
    return call;
  }

  private take(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry && this.pending.delete(id) && this.pending.size === 0) this.options.onPending?.(false);
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
    if (message.error) entry.reject(uncarryError(message.error));
    else entry.resolve(message.body);
  }

  /** Answers a request; a reply that cannot be encoded or cloned is answered with an error instead. */
  private reply(id: number, build: () => Message | string): void {
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

  private send(message: Message | string): void {
    this.port.postMessage(message);
  }
}

function disposeQuietly(fn: HostFunction): void {
  try {
    fn[Symbol.dispose]?.();
  } catch {
    // Disposing is best effort; the owner reports its own failures.
  }
}
