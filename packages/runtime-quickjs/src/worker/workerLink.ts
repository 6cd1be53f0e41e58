import { BindingNotFoundError, CancelledError, InternalError, LimitExceededError, RawJson } from '@scomp/peer/authoring';
import type { EvalOptions, RuntimeBinding, RuntimeLimits } from '@scomp/peer';
import type { Worker } from 'node:worker_threads';
import type { InstanceStats } from '../inlineSessions.js';
import { Channel, type Message } from './channel.js';
import type { BindingSketch, Carried, ToSupervisor, ToWorker } from './operations.js';
import type { SharedState } from './sharedState.js';

/** What a link needs of a session runtime it hosts. */
export interface LinkedSession {
  readonly sessionId: string;
  readonly timeLimitMs: number;
  binding(kind: 'server' | 'client', name: string): RuntimeBinding | undefined;
  /**
   * The thread hosting the session was stopped. `error` fails what the session had running;
   * `notice`, when given, fails its next eval once even if something was running.
   */
  lost(error: Error, notice?: Error): void;
}

export interface LinkOptions {
  sessionsPerWorker: number;
  watchdogGraceMs: number;
}

/**
 * The supervising side of one worker thread: the channel to it, its sessions, and a watchdog.
 * Guest code that neither finishes nor reaches an interrupt check within its limit plus
 * `watchdogGraceMs` (a single native operation, or a loop of expensive ones) or that ignores a
 * cancel that long gets the thread stopped; its sessions are then reset.
 */
export class WorkerLink {
  readonly channel: Channel<ToWorker, ToSupervisor>;
  instances: InstanceStats = { modules: 0, brokenModules: 0, sessions: 0, spareVms: 0, memoryBytes: 0 };
  private readonly sessions = new Map<number, LinkedSession>();
  private readonly slots: number[];
  private readonly reserved = new Set<number>();
  /** When a cancel was asked, per session, for the watchdog. */
  private readonly cancels = new Map<number, number>();
  /**
   * Abort signals of binding calls, by the worker's key of its signal: the calls of one eval share
   * one controller. A session's entry stays while its calls run or it is the session's latest, and
   * goes when a call under another signal finds it idle: calls under a signal are made only while
   * its eval runs, so once the next one calls, only calls still running can need it.
   */
  private readonly signals = new Map<number, { controller: AbortController; calls: number; session: number }>();
  /** The signal of each session's latest binding call. */
  private readonly latestSignal = new Map<number, number>();
  private readonly watchdog: ReturnType<typeof setInterval>;
  private stopped: Promise<void> | undefined;
  /** Set once the thread runs: a session placed here then does not wait for it to start. */
  booted = false;

  constructor(
    private readonly worker: Worker,
    readonly shared: SharedState,
    private readonly options: LinkOptions,
    private readonly onGone: () => void,
  ) {
    this.slots = Array.from({ length: options.sessionsPerWorker }, (_, index) => index);
    this.channel = new Channel(worker, { onPending: (busy) => (busy ? worker.ref() : worker.unref()) });
    worker.on('message', (message: Message | string) => this.channel.receive(message));
    worker.once('online', () => (this.booted = true));
    // After the listener: Node refs a worker's port when its first 'message' listener is added.
    worker.unref();
    worker.on('error', (error) => this.fail(undefined, new InternalError('runtime worker failed', { sessionReset: true }, { cause: error })));
    worker.on('exit', () => this.fail(undefined, new InternalError('runtime worker exited', { sessionReset: true })));
    this.channel.handle('binding', (body) => this.callBinding(body));
    this.channel.on('abort', (body) => this.signals.get(body.signal)?.controller.abort(new CancelledError('eval ended')));
    this.channel.on('notify', ({ session, name, args }) => {
      const binding = this.sessions.get(session)?.binding('client', name);
      binding?.notify?.(this.channel.uncarry(args, session));
    });
    const period = Math.max(10, Math.min(250, options.watchdogGraceMs / 4));
    this.watchdog = setInterval(() => this.check(), period);
    this.watchdog.unref();
  }

  hasRoom(): boolean {
    return this.room() > 0;
  }

  /** Sessions this thread can still take. */
  room(): number {
    return this.stopped ? 0 : this.slots.length;
  }

  isEmpty(): boolean {
    return this.sessions.size === 0 && this.reserved.size === 0;
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  /** Sessions placed here, including those still being created. */
  load(): number {
    return this.options.sessionsPerWorker - this.slots.length;
  }

  /** Whether guest code runs on the thread right now. */
  busy(): boolean {
    return this.shared.running() !== undefined;
  }

  reserveSlot(): number {
    const slot = this.slots.pop();
    if (slot === undefined) throw new InternalError('no room on this worker');
    this.reserved.add(slot);
    return slot;
  }

  /** Creates the session on the thread. */
  async attach(session: number, slot: number, owner: LinkedSession, bindings: BindingSketch[], limits: RuntimeLimits | undefined): Promise<void> {
    this.sessions.set(session, owner);
    const body = { session, slot, sessionId: owner.sessionId, bindings, ...(limits ? { limits } : {}) };
    try {
      this.instances = await this.channel.request('create', body, session).reply;
    } catch (error) {
      this.detach(session, slot);
      throw error;
    }
  }

  /**
   * Runs one eval; aborting `signal` cancels it through shared memory, so even a busy loop sees it.
   * With `acceptRawJson`, a result without functions stays the guest's JSON text (RawJson), which
   * is checked but never parsed on this thread.
   */
  async eval(session: number, slot: number, code: string, options: EvalOptions): Promise<unknown> {
    const { signal, timeoutMs } = options;
    const { id, reply } = this.channel.request('eval', timeoutMs === undefined ? { session, code } : { session, code, timeoutMs }, session);
    const onAbort = () => {
      this.shared.requestCancel(slot, id);
      this.cancels.set(session, Date.now());
      const reason: unknown = signal?.reason;
      this.channel.note('cancel', { id, reason: typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : null });
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { value, instances } = await reply;
      this.instances = instances;
      if (options.acceptRawJson && value?.json !== undefined && !value.fns?.length) return new RawJson(value.json);
      return this.channel.uncarry(value, session);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.cancels.delete(session);
      this.shared.clearCancel(slot);
    }
  }

  /** Disposes the session on the thread and frees its slot. */
  async detachAndDispose(session: number, slot: number): Promise<void> {
    if (this.stopped) return this.detach(session, slot);
    try {
      this.instances = await this.channel.request('dispose', { session }, session).reply;
    } finally {
      this.detach(session, slot);
    }
  }

  /** Stops the thread; every session on it learns `reason`. */
  stop(reason: Error): Promise<void> {
    this.fail(undefined, reason);
    return this.stopped!;
  }

  private detach(session: number, slot: number): void {
    if (!this.sessions.delete(session) && !this.reserved.has(slot)) return;
    this.channel.dropSession(session, new CancelledError('runtime disposed'));
    for (const [key, entry] of this.signals) if (entry.session === session) this.signals.delete(key);
    this.latestSignal.delete(session);
    this.reserved.delete(slot);
    this.shared.clearCancel(slot);
    this.slots.push(slot);
  }

  private async callBinding(body: ToSupervisor['requests']['binding']['body']): Promise<Carried | undefined> {
    const { session, name } = body;
    const owner = this.sessions.get(session);
    const binding = owner?.binding(body.kind, name);
    if (!owner || !binding) throw new BindingNotFoundError(`binding ${name} is not available`);
    const shared = this.signalOf(session, body.signal);
    shared.calls++;
    try {
      const args = this.channel.uncarry(body.args, session);
      return this.channel.carry(await binding.call(args, { signal: shared.controller.signal, sessionId: owner.sessionId }), session);
    } finally {
      shared.calls--;
    }
  }

  private signalOf(session: number, key: number): { controller: AbortController; calls: number; session: number } {
    const latest = this.latestSignal.get(session);
    if (latest !== key) {
      if (latest !== undefined && this.signals.get(latest)?.calls === 0) this.signals.delete(latest);
      this.latestSignal.set(session, key);
    }
    let shared = this.signals.get(key);
    if (!shared) this.signals.set(key, (shared = { controller: new AbortController(), calls: 0, session }));
    return shared;
  }

  /** The watchdog: stops the thread when guest code outlives its limit, or a cancel, by the grace period. */
  private check(): void {
    const running = this.shared.running();
    if (!running || this.stopped) return;
    const now = Date.now();
    const grace = this.options.watchdogGraceMs;
    const cancelAt = this.cancels.get(running.sessionId);
    if (now > running.deadline + grace) this.fail(running.sessionId, undefined, 'time');
    else if (cancelAt !== undefined && now - cancelAt > grace) this.fail(running.sessionId, undefined, 'cancel');
  }

  /**
   * Ends this link once. The culprit (if any) sees its limit or cancel with `sessionReset`; the other
   * sessions on the thread see that they were reset because their thread was stopped.
   */
  private fail(culprit: number | undefined, reason: Error | undefined, kind?: 'time' | 'cancel'): void {
    if (this.stopped) return;
    clearInterval(this.watchdog);
    this.stopped = this.worker.terminate().then(
      () => {},
      () => {},
    );
    this.onGone();
    for (const { controller } of this.signals.values()) controller.abort(new CancelledError('runtime worker stopped'));
    this.signals.clear();
    this.latestSignal.clear();
    for (const [session, owner] of this.sessions) {
      let error: Error;
      let notice: Error | undefined;
      if (session === culprit && kind === 'time') {
        error = new LimitExceededError('time limit exceeded', { limit: 'time', max: owner.timeLimitMs, sessionReset: true });
      } else if (session === culprit) {
        error = new CancelledError('eval cancelled; the session was reset', { sessionReset: true });
        // A cancelled request is usually answered before its runtime stops: say it again.
        notice = new InternalError('session reset: its cancelled eval could not be interrupted', { sessionReset: true });
      } else {
        error =
          reason ??
          new InternalError('session reset: its worker was stopped because another session on it overran its limits', { sessionReset: true });
      }
      this.channel.dropSession(session, error);
      owner.lost(error, notice);
    }
    this.sessions.clear();
    this.channel.close(reason ?? new InternalError('runtime worker stopped', { sessionReset: true }));
  }
}
