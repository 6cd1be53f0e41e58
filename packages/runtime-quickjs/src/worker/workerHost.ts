import { CancelledError } from '@scomp/peer/authoring';
import type { RuntimeBinding, RuntimeInit, RuntimeLimits } from '@scomp/peer';
import type { BindingMeta } from '@scomp/protocol';
import { setMaxListeners } from 'node:events';
import type { InlineSessions } from '../inlineSessions.js';
import type { QuickJsRuntime } from '../session.js';
import { Channel, type Carried, type Message, type Port } from './channel.js';
import { SharedState } from './sharedState.js';

/** A binding as it crosses into a worker: its metadata, and whether it takes notifications. */
export interface BindingSketch {
  meta: BindingMeta;
  notify: boolean;
}

export interface CreateBody {
  session: number;
  slot: number;
  sessionId: string;
  bindings: BindingSketch[];
  limits?: RuntimeLimits;
}

interface Hosted {
  runtime: QuickJsRuntime;
  slot: number;
  /** The eval running now (request id) and its controller. */
  evalId: number;
  controller: AbortController | undefined;
}

/**
 * The worker's side: hosts sessions on its own QuickJS instances and serves the supervisor's
 * requests. Bindings and host functions are proxies that call back to the supervising thread.
 */
export class WorkerHost {
  private readonly channel: Channel;
  private readonly hosted = new Map<number, Hosted>();
  private readonly shared: SharedState;

  constructor(
    port: Port,
    buffer: SharedArrayBuffer,
    private readonly sessions: InlineSessions,
  ) {
    this.channel = new Channel(port);
    this.shared = new SharedState(buffer);
    this.channel.handle('create', (body) => this.create(body as unknown as CreateBody));
    this.channel.handle('eval', (body, id) => this.eval(body.session as number, body.code as string, body.timeoutMs as number | undefined, id));
    this.channel.handle('dispose', (body) => this.dispose(body.session as number));
    this.channel.on('cancel', (body) => {
      for (const entry of this.hosted.values()) if (entry.evalId === body.id) entry.controller?.abort(body.reason);
    });
    this.channel.on('clientBindings', (body) => {
      const session = body.session as number;
      this.hosted.get(session)?.runtime.setClientBindings(this.bindings(session, 'client', body.bindings as BindingSketch[]));
    });
  }

  receive(message: Message): void {
    this.channel.receive(message);
  }

  private async create(body: CreateBody): Promise<{ extra: unknown }> {
    const { session, slot } = body;
    const init: RuntimeInit = { sessionId: body.sessionId, bindings: this.bindings(session, 'server', body.bindings) };
    if (body.limits) init.limits = body.limits;
    const shared = this.shared;
    const runtime = await this.sessions.create(init, {
      entered: (budgetMs) => shared.entered(session, budgetMs),
      left: () => shared.left(),
      poll: () => {
        const entry = this.hosted.get(session);
        if (entry?.controller && shared.cancelRequested(entry.slot, entry.evalId)) entry.controller.abort(null);
      },
    });
    this.hosted.set(session, { runtime, slot, evalId: 0, controller: undefined });
    return { extra: this.sessions.stats() };
  }

  private async eval(session: number, code: string, timeoutMs: number | undefined, id: number): Promise<{ value: unknown; session: number; extra: unknown }> {
    const entry = this.hosted.get(session);
    if (!entry) throw new CancelledError('runtime disposed');
    const controller = new AbortController();
    // A cancel seen through shared memory carries no reason (null: plain "eval cancelled").
    if (this.shared.cancelRequested(entry.slot, id)) controller.abort(null);
    entry.evalId = id;
    entry.controller = controller;
    try {
      // The result goes on to the supervising thread: left as text, it is parsed only there.
      const value = await entry.runtime.evalAsText(code, timeoutMs === undefined ? { signal: controller.signal } : { signal: controller.signal, timeoutMs });
      return { value, session, extra: this.sessions.stats() };
    } finally {
      if (entry.controller === controller) {
        entry.evalId = 0;
        entry.controller = undefined;
      }
    }
  }

  private async dispose(session: number): Promise<{ extra: unknown }> {
    const entry = this.hosted.get(session);
    this.hosted.delete(session);
    try {
      await entry?.runtime.dispose();
    } finally {
      this.channel.dropSession(session, new CancelledError('runtime disposed'));
    }
    return { extra: this.sessions.stats() };
  }

  /** Bindings of the supervising thread, callable from this worker's guest code. */
  private bindings(session: number, kind: 'server' | 'client', sketches: readonly BindingSketch[]): RuntimeBinding[] {
    const channel = this.channel;
    return sketches.map(({ meta, notify }) => {
      const binding: RuntimeBinding = {
        meta,
        call: async (args, context) => {
          const { id, reply } = channel.request('binding', { session, kind, name: meta.name, args: channel.carry(args, session) }, session);
          const onAbort = () => channel.note('abort', { id });
          if (context.signal.aborted) onAbort();
          else {
            // One listener per call in flight, removed when it settles: an eval making many
            // concurrent calls is not a leak, so Node's leak warning threshold does not apply.
            setMaxListeners(0, context.signal);
            context.signal.addEventListener('abort', onAbort, { once: true });
          }
          try {
            return (await reply).value;
          } finally {
            context.signal.removeEventListener('abort', onAbort);
          }
        },
      };
      if (notify) binding.notify = (args) => channel.note('notify', { session, name: meta.name, args: channel.carry(args, session) as Carried });
      return binding;
    });
  }
}
