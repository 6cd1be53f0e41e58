import type { RuntimeInit, RuntimeLimits } from '@scomp/peer';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { Clock } from './budget.js';
import { resolveLimits } from './limits.js';
import { ModulePool } from './modulePool.js';
import { QuickJsRuntime } from './session.js';
import type { GuestWatch } from './runGuard.js';

export interface InlineOptions {
  limits?: RuntimeLimits;
  sessionsPerModule: number;
  retireModuleAboveBytes: number;
  memoryCheckIntervalMs: number;
  variant: QuickJSSyncVariant;
  clock: Clock;
}

/** What a set of QuickJS instances holds: instances, how many aborted, sessions, linear memory. */
export interface InstanceStats {
  modules: number;
  brokenModules: number;
  sessions: number;
  memoryBytes: number;
}

/** Sessions running on the calling thread, placed on a pool of WebAssembly instances. */
export class InlineSessions {
  private readonly pool: ModulePool;

  constructor(private readonly options: InlineOptions) {
    this.pool = new ModulePool(options);
  }

  /**
   * Creates a session. `worker` is given on a worker thread: the supervising thread watches its
   * guest code, and every value the guest hands out crosses on to that thread as text.
   */
  async create(init: RuntimeInit, worker?: { watch: GuestWatch }): Promise<QuickJsRuntime> {
    const slot = await this.pool.acquire();
    try {
      return new QuickJsRuntime(init, {
        pool: this.pool,
        slot,
        limits: resolveLimits(this.options.limits, init.limits),
        clock: this.options.clock,
        memoryCheckIntervalMs: this.options.memoryCheckIntervalMs,
        ...(worker ? { watch: worker.watch, valuesAsText: true } : {}),
      });
    } catch (error) {
      this.pool.release(slot);
      throw error;
    }
  }

  /** Loads an instance ahead of the first session (a thread started as a spare does this). */
  async warm(): Promise<void> {
    this.pool.release(await this.pool.acquire());
  }

  stats(): InstanceStats {
    return this.pool.stats();
  }
}
