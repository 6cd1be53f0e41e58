import { CancelledError, InternalError } from '@scomp/peer/authoring';
import type { EvalOptions, Runtime, RuntimeBinding, RuntimeInit, RuntimeStats } from '@scomp/peer';
import { cancelledError } from '../errorsMap.js';
import type { BindingSketch } from './operations.js';
import type { LinkedSession, WorkerLink } from './workerLink.js';
import type { WorkerPool } from './workerPool.js';

interface Placement {
  link: WorkerLink;
  session: number;
  slot: number;
  ready: Promise<void>;
}

function sketch(binding: RuntimeBinding): BindingSketch {
  const sketched: BindingSketch = { meta: binding.meta, notify: typeof binding.notify === 'function' };
  if (binding.origin) sketched.origin = binding.origin;
  return sketched;
}

/**
 * A session whose guest code runs on a worker thread. This thread keeps its bindings and hands the
 * worker only their metadata; calls come back here, except those of bindings defined in a module
 * (RuntimeBinding.origin), which the worker imports and runs itself. If the thread is stopped (the watchdog, or a
 * crash), the session starts over on another thread and says so once, in its next eval's error.
 */
export class WorkerRuntime implements Runtime, LinkedSession {
  readonly sessionId: string;
  readonly timeLimitMs: number;
  private readonly serverBindings: Map<string, RuntimeBinding>;
  private clientBindings = new Map<string, RuntimeBinding>();
  private placement: Placement | undefined;
  /** Why the previous thread was lost, when no eval was running to report it. */
  private notice: Error | undefined;
  private evaluating = false;
  private disposed: Promise<void> | undefined;

  constructor(
    private readonly pool: WorkerPool,
    private readonly init: RuntimeInit,
    timeLimitMs: number,
  ) {
    this.sessionId = init.sessionId;
    this.timeLimitMs = timeLimitMs;
    this.serverBindings = new Map(init.bindings.map((binding) => [binding.meta.name, binding]));
  }

  /** Places the session on a thread (again, after a loss). */
  start(): Promise<void> {
    const sketches = this.init.bindings.map(sketch);
    // Before placing: a thread started for this session (or as the spare) then imports them as it boots.
    this.pool.preload(sketches);
    const { link, session, slot } = this.pool.place();
    const ready = link.attach(session, slot, this, sketches, this.init.limits);
    const placement: Placement = { link, session, slot, ready };
    this.placement = placement;
    ready.then(
      () => {
        if (this.placement === placement && this.clientBindings.size > 0) this.sendClientBindings(placement);
      },
      () => {
        if (this.placement === placement) this.placement = undefined;
      },
    );
    return ready;
  }

  async eval(code: string, options: EvalOptions = {}): Promise<unknown> {
    if (this.disposed) throw new CancelledError('runtime disposed');
    const { signal } = options;
    if (signal?.aborted) throw cancelledError(signal.reason);
    if (this.notice) {
      const notice = this.notice;
      this.notice = undefined;
      throw notice;
    }
    if (!this.placement) await this.start();
    const placement = this.placement!;
    await placement.ready;
    this.evaluating = true;
    try {
      return await placement.link.eval(placement.session, placement.slot, code, options);
    } finally {
      this.evaluating = false;
    }
  }

  setClientBindings(bindings: readonly RuntimeBinding[]): void {
    if (this.disposed) return;
    this.clientBindings = new Map(bindings.map((binding) => [binding.meta.name, binding]));
    const placement = this.placement;
    if (placement) placement.ready.then(() => this.placement === placement && this.sendClientBindings(placement), () => {});
  }

  stats(): RuntimeStats {
    const placement = this.placement;
    return {
      liveFunctions: placement ? placement.link.channel.liveProxies(placement.session) : 0,
      receivedFunctions: placement ? placement.link.channel.exportedCount(placement.session) : 0,
    };
  }

  dispose(): Promise<void> {
    this.disposed ??= this.teardown();
    return this.disposed;
  }

  // ----- LinkedSession -----

  binding(kind: 'server' | 'client', name: string): RuntimeBinding | undefined {
    return kind === 'server' ? this.serverBindings.get(name) : this.clientBindings.get(name);
  }

  lost(error: Error, notice?: Error): void {
    this.placement = undefined;
    if (this.disposed) return;
    if (notice) this.notice = notice;
    else if (!this.evaluating) this.notice = error;
  }

  /** Runs from promise callbacks, so it never throws: a failure is reported by the next eval. */
  private sendClientBindings(placement: Placement): void {
    const sent = placement.link.channel.note('clientBindings', { session: placement.session, bindings: [...this.clientBindings.values()].map(sketch) });
    if (!sent && !this.disposed) this.notice = new InternalError('the client bindings could not be passed to the runtime thread');
  }

  private async teardown(): Promise<void> {
    const placement = this.placement;
    this.placement = undefined;
    if (!placement) return;
    await placement.ready.catch(() => {});
    try {
      await placement.link.detachAndDispose(placement.session, placement.slot);
    } finally {
      this.pool.emptied(placement.link);
    }
  }
}
