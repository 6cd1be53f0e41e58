import type { RuntimeInit, RuntimeLimits } from '@scomp/peer';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { Clock } from './budget.js';
import { resolveLimits } from './limits.js';
import { ModulePool } from './modulePool.js';
import { QuickJsRuntime } from './session.js';
import type { GuestWatch } from './runGuard.js';
import { SpareVm } from './spareVm.js';

export interface InlineOptions {
  limits?: RuntimeLimits;
  sessionsPerModule: number;
  retireModuleAboveBytes: number;
  memoryCheckIntervalMs: number;
  variant: QuickJSSyncVariant;
  clock: Clock;
  /**
   * With a value, keep one VM made ahead, its prelude run, for the next session, and make the next
   * one once no session has been created for this many milliseconds, so a burst of creations is not
   * slowed by making VMs no one asked for yet. Compiling the prelude is most of a session's first
   * eval. For a worker thread's sessions, whose thread ends with them.
   * @default no VM made ahead
   */
  spareAfterIdleMs?: number;
}

/** What a set of QuickJS instances holds: instances, how many aborted, sessions, linear memory. */
export interface InstanceStats {
  modules: number;
  brokenModules: number;
  sessions: number;
  /** VMs made ahead for the next session (a worker thread keeps one); not counted in `sessions`. */
  spareVms: number;
  memoryBytes: number;
}

/** Sessions running on the calling thread, placed on a pool of WebAssembly instances. */
export class InlineSessions {
  private readonly pool: ModulePool;
  private readonly spare: SpareVm | undefined;

  constructor(private readonly options: InlineOptions) {
    // A place given back may be the last session of a retired instance but for the spare.
    this.pool = new ModulePool(options, () => this.spare?.dropStale());
    const afterIdleMs = options.spareAfterIdleMs;
    this.spare = afterIdleMs === undefined ? undefined : new SpareVm(this.pool, { limits: options.limits, afterIdleMs });
  }

  /**
   * Creates a session. `worker` is given on a worker thread: the supervising thread watches its
   * guest code, and every value the guest hands out crosses on to that thread as text.
   */
  async create(init: RuntimeInit, worker?: { watch: GuestWatch }): Promise<QuickJsRuntime> {
    const prepared = this.spare?.take();
    const slot = prepared?.slot ?? (await this.pool.acquire());
    try {
      const runtime = new QuickJsRuntime(init, {
        pool: this.pool,
        slot,
        limits: resolveLimits(this.options.limits, init.limits),
        clock: this.options.clock,
        memoryCheckIntervalMs: this.options.memoryCheckIntervalMs,
        ...(worker ? { watch: worker.watch, valuesAsText: true } : {}),
        ...(prepared ? { prepared: prepared.vm } : {}),
      });
      this.spare?.scheduleAfterIdle();
      return runtime;
    } catch (error) {
      prepared?.vm.dispose();
      this.pool.release(slot);
      throw error;
    }
  }

  /**
   * Loads an instance ahead of the first session (a thread started as a spare does this), and
   * with `spareAfterIdleMs` makes the spare VM.
   */
  async warm(): Promise<void> {
    if (this.spare) return this.spare.make();
    this.pool.release(await this.pool.acquire());
  }

  stats(): InstanceStats {
    const { sessions, ...rest } = this.pool.stats();
    const spareVms = this.spare?.count ?? 0;
    return { ...rest, sessions: sessions - spareVms, spareVms };
  }
}
