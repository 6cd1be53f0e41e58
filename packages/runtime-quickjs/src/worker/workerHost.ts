import { CancelledError, importBinding, InternalError, releaseUnretainedIn, type Binding, type BindingContext } from '@scomp/peer/authoring';
import type { BindingOrigin, RuntimeBinding, RuntimeInit } from '@scomp/peer';
import type { InlineSessions, InstanceStats } from '../inlineSessions.js';
import type { QuickJsRuntime } from '../session.js';
import { Channel, type Message, type Port } from './channel.js';
import { cancelledError } from '../errorsMap.js';
import { JsonText } from '../jsonText.js';
import { fromHandler, toHandler } from './handlerValues.js';
import type { BindingSketch, ToSupervisor, ToWorker } from './operations.js';
import { SharedState } from './sharedState.js';

interface Hosted {
  runtime: QuickJsRuntime;
  slot: number;
  /**
   * The eval running now (request id; 0 when none). It is cancelled through the runtime rather than
   * a signal of its own: an AbortController and its listener per eval cost more than most evals' code.
   */
  evalId: number;
}

/**
 * The worker's side: hosts sessions on its own QuickJS instances and serves the supervisor's
 * requests. Bindings and host functions are proxies that call back to the supervising thread,
 * except bindings defined in a module, which this thread imports and runs itself.
 */
export class WorkerHost {
  private readonly channel: Channel<ToSupervisor, ToWorker>;
  private readonly hosted = new Map<number, Hosted>();
  private readonly shared: SharedState;
  /** Keys of the abort signals binding calls were made under (see the `binding` operation). */
  private readonly signals = new WeakMap<AbortSignal, number>();
  private nextSignal = 1;
  /** The signal of a module binding's client invoke made without one: it never aborts. */
  private readonly unbound = new AbortController().signal;
  /**
   * Module bindings this thread imported, by origin. Only a thread whose sessions use one imports
   * any (and with it the schema library); a failed import stays failed, as the module does in Node.
   */
  private readonly imported = new Map<string, Promise<Binding>>();

  constructor(
    port: Port,
    buffer: SharedArrayBuffer,
    private readonly sessions: InlineSessions,
  ) {
    // Every value this end receives goes on into a guest: it stays text until the guest parses it.
    this.channel = new Channel(port, { valuesAsText: true });
    this.shared = new SharedState(buffer);
    this.channel.handle('create', (body) => this.create(body));
    this.channel.handle('eval', (body, id) => this.eval(body, id));
    this.channel.handle('dispose', (body) => this.dispose(body.session));
    this.channel.on('cancel', (body) => {
      for (const entry of this.hosted.values()) if (entry.evalId === body.id) entry.runtime.cancelEval(body.reason);
    });
    this.channel.on('clientBindings', ({ session, bindings }) => {
      this.hosted.get(session)?.runtime.setClientBindings(this.bindings(session, 'client', bindings));
    });
  }

  receive(message: Message | string): void {
    this.channel.receive(message);
  }

  private async create(body: ToWorker['requests']['create']['body']): Promise<InstanceStats> {
    const { session, slot } = body;
    const bindings = body.bindings.some((sketch) => sketch.origin)
      ? await Promise.all(body.bindings.map((sketch) => (sketch.origin ? this.moduleBinding(session, body.sessionId, sketch) : Promise.resolve(this.proxy(session, 'server', sketch)))))
      : this.bindings(session, 'server', body.bindings);
    const init: RuntimeInit = { sessionId: body.sessionId, bindings };
    if (body.limits) init.limits = body.limits;
    const shared = this.shared;
    const runtime = await this.sessions.create(init, {
      watch: {
        entered: (budgetMs) => shared.entered(session, budgetMs),
        left: () => shared.left(),
        poll: () => {
          const entry = this.hosted.get(session);
          if (entry && entry.evalId !== 0 && shared.cancelRequested(entry.slot, entry.evalId)) entry.runtime.cancelEval(null);
        },
      },
    });
    this.hosted.set(session, { runtime, slot, evalId: 0 });
    return this.sessions.stats();
  }

  private async eval({ session, code, timeoutMs }: ToWorker['requests']['eval']['body'], id: number): Promise<ToWorker['requests']['eval']['reply']> {
    const entry = this.hosted.get(session);
    if (!entry) throw new CancelledError('runtime disposed');
    // A cancel seen through shared memory carries no reason (null: plain "eval cancelled").
    if (this.shared.cancelRequested(entry.slot, id)) throw cancelledError(null);
    entry.evalId = id;
    try {
      // The eval is current on its runtime from here on, so a cancel of `id` reaches it. The result
      // goes on to the supervising thread: left as text, it is parsed only there.
      const value = await entry.runtime.evalAsText(code, timeoutMs === undefined ? {} : { timeoutMs });
      return { value: this.channel.carry(value, session), instances: this.sessions.stats() };
    } finally {
      if (entry.evalId === id) entry.evalId = 0;
    }
  }

  private async dispose(session: number): Promise<InstanceStats> {
    const entry = this.hosted.get(session);
    this.hosted.delete(session);
    try {
      entry?.runtime.dispose();
    } finally {
      this.channel.dropSession(session, new CancelledError('runtime disposed'));
    }
    return this.sessions.stats();
  }

  /**
   * The key of a binding call's abort signal. Each signal gets one listener, however many calls are
   * made under it, which tells the supervising thread once when it aborts.
   */
  private signalKey(signal: AbortSignal): number {
    let key = this.signals.get(signal);
    if (key !== undefined) return key;
    key = this.nextSignal++;
    this.signals.set(signal, key);
    const aborted = key;
    if (!signal.aborted) signal.addEventListener('abort', () => this.channel.note('abort', { signal: aborted }), { once: true });
    return key;
  }

  /** Bindings of the supervising thread, callable from this worker's guest code. */
  private bindings(session: number, kind: 'server' | 'client', sketches: readonly BindingSketch[]): RuntimeBinding[] {
    return sketches.map((sketch) => this.proxy(session, kind, sketch));
  }

  /** One binding of the supervising thread: each call crosses there and back. */
  private proxy(session: number, kind: 'server' | 'client', { meta, notify }: BindingSketch): RuntimeBinding {
    const channel = this.channel;
    const binding: RuntimeBinding = { meta, call: (args, context) => this.callSupervisor(session, kind, meta.name, args, context.signal) };
    if (notify) binding.notify = (args) => channel.note('notify', { session, name: meta.name, args: channel.carry(args, session) });
    return binding;
  }

  private async callSupervisor(session: number, kind: 'server' | 'client', name: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    const channel = this.channel;
    const key = this.signalKey(signal);
    const { reply } = channel.request('binding', { session, kind, name, args: channel.carry(args, session), signal: key }, session);
    // Made under a signal that already aborted: the note follows the request.
    if (signal.aborted) channel.note('abort', { signal: key });
    return channel.uncarry(await reply, session);
  }

  /**
   * A binding defined in a module, run on this thread: its own `call` validates and maps errors as
   * on the supervising thread; only its calls of the client's bindings cross there.
   */
  private async moduleBinding(session: number, sessionId: string, { meta, origin }: BindingSketch): Promise<RuntimeBinding> {
    const binding = await this.importOnce(origin!);
    if (binding.meta.name !== meta.name) {
      throw new InternalError(`binding module ${origin!.url} defines ${binding.meta.name} on the runtime's thread, where the server has ${meta.name}`);
    }
    const invoke: BindingContext['invoke'] = async (name, args, options = {}) =>
      toHandler(await this.callSupervisor(session, 'client', name, fromHandler(args), options.signal ?? this.unbound));
    return {
      meta,
      call: async (args, context) => {
        const value = toHandler(args);
        try {
          return fromHandler(await binding.call(value, { signal: context.signal, sessionId, invoke }));
        } finally {
          // Arguments that arrived as text hold no functions to release.
          if (!(args instanceof JsonText)) releaseUnretainedIn(value);
        }
      },
    };
  }

  /** Starts importing binding modules ahead of the sessions that use them; a failure waits for their creation to report it. */
  preload(origins: readonly BindingOrigin[]): void {
    for (const origin of origins) this.importOnce(origin).catch(() => {});
  }

  private importOnce(origin: BindingOrigin): Promise<Binding> {
    const key = `${origin.export} ${origin.url}`;
    let imported = this.imported.get(key);
    if (!imported) this.imported.set(key, (imported = importBinding(origin)));
    return imported;
  }
}

