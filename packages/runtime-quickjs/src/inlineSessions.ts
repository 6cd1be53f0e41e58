import type { RuntimeInit, RuntimeLimits } from '@scomp/peer';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { Clock } from './budget.js';
import { GuestVm, type GuestVmHooks } from './guestVm.js';
import { resolveLimits } from './limits.js';
import { ModulePool, type ModuleSlot } from './modulePool.js';
import { QuickJsRuntime } from './session.js';
import type { GuestWatch } from './runGuard.js';

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

/** What a spare VM does before a session adopts it: it runs nothing but the prelude. */
const SPARE_HOOKS: GuestVmHooks = {
  shouldInterrupt: () => false,
  console: () => {},
  settled: (_token, _ok, value) => value.dispose(),
  setTimer: (callback) => {
    callback.dispose();
    return 0;
  },
  clearTimer: () => {},
};

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
  /** The VM made ahead for the next session (`spareVm`), and its place on an instance. */
  private spare: { slot: ModuleSlot; vm: GuestVm } | undefined;
  private making: Promise<void> | undefined;
  private spareTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: InlineOptions) {
    this.pool = new ModulePool(options);
  }

  /**
   * Creates a session. `worker` is given on a worker thread: the supervising thread watches its
   * guest code, and every value the guest hands out crosses on to that thread as text.
   */
  async create(init: RuntimeInit, worker?: { watch: GuestWatch }): Promise<QuickJsRuntime> {
    const spare = this.takeSpare();
    const slot = spare?.slot ?? (await this.pool.acquire());
    try {
      const runtime = new QuickJsRuntime(init, {
        pool: this.pool,
        slot,
        limits: resolveLimits(this.options.limits, init.limits),
        clock: this.options.clock,
        memoryCheckIntervalMs: this.options.memoryCheckIntervalMs,
        ...(worker ? { watch: worker.watch, valuesAsText: true } : {}),
        ...(spare ? { prepared: spare.vm } : {}),
      });
      this.spareWhenIdle();
      return runtime;
    } catch (error) {
      spare?.vm.dispose();
      this.pool.release(slot);
      throw error;
    }
  }

  /**
   * Loads an instance ahead of the first session (a thread started as a spare does this), and
   * with `spareAfterIdleMs` makes the spare VM.
   */
  async warm(): Promise<void> {
    if (this.options.spareAfterIdleMs !== undefined) return this.makeSpare();
    this.pool.release(await this.pool.acquire());
  }

  stats(): InstanceStats {
    return this.pool.stats();
  }

  /** The spare VM, unless its instance stopped taking sessions since it was made. */
  private takeSpare(): { slot: ModuleSlot; vm: GuestVm } | undefined {
    const spare = this.spare;
    this.spare = undefined;
    if (spare && (spare.slot.broken || spare.slot.retired)) {
      spare.vm.dispose();
      this.pool.release(spare.slot);
      return undefined;
    }
    return spare;
  }

  /** Makes the next spare VM once no session was created for `spareAfterIdleMs`. */
  private spareWhenIdle(): void {
    const idleMs = this.options.spareAfterIdleMs;
    if (idleMs === undefined) return;
    clearTimeout(this.spareTimer);
    this.spareTimer = setTimeout(() => void this.makeSpare(), idleMs);
    this.spareTimer.unref();
  }

  /** Makes the spare VM unless there is one; a failure leaves none, and sessions make their own. */
  private makeSpare(): Promise<void> {
    this.making ??= (async () => {
      if (this.spare) return;
      const slot = await this.pool.acquire();
      let vm: GuestVm | undefined;
      try {
        vm = new GuestVm(slot.module, resolveLimits(this.options.limits, undefined), SPARE_HOOKS);
        vm.installPrelude();
        this.spare = { slot, vm };
      } catch {
        vm?.dispose();
        this.pool.release(slot);
      }
    })().finally(() => (this.making = undefined));
    return this.making;
  }
}
