import type { RuntimeLimits } from '@scomp/peer';
import { GuestVm, type GuestVmHooks } from './guestVm.js';
import { resolveLimits } from './limits.js';
import type { ModulePool, ModuleSlot } from './modulePool.js';

/** A VM made ahead and the place it holds on its instance. */
export interface PreparedVm {
  slot: ModuleSlot;
  vm: GuestVm;
}

export interface SpareVmOptions {
  /** The limits the spare is made under; the session that adopts it sets its own. */
  limits?: RuntimeLimits | undefined;
  /** Make the next spare once no session was created for this long. */
  afterIdleMs: number;
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

/**
 * One VM made ahead, its prelude compiled and run, for the next session: compiling the prelude is
 * most of a fresh session's first eval. The spare holds a place on its instance like a session,
 * so placement counts it. The next one is made only once creations pause, so a burst of creations
 * pays for no VMs nobody asked for yet. A spare whose instance stopped taking sessions (broken, or
 * retired) is never handed out: it is dropped, without freeing it, as the instance goes.
 */
export class SpareVm {
  private ready: PreparedVm | undefined;
  private making: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly pool: ModulePool,
    private readonly options: SpareVmOptions,
  ) {}

  /** 1 while a spare is ready, else 0. */
  get count(): number {
    return this.ready ? 1 : 0;
  }

  /** The spare for a session to adopt, if one is ready on an instance that still takes sessions. */
  take(): PreparedVm | undefined {
    this.dropStale();
    const ready = this.ready;
    this.ready = undefined;
    return ready;
  }

  /** A session was just created: the next spare is made once none was for `afterIdleMs`. */
  scheduleAfterIdle(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.make(), this.options.afterIdleMs);
    this.timer.unref();
  }

  /** Makes the spare unless one is ready; a failure leaves none, and sessions make their own VMs. */
  make(): Promise<void> {
    this.making ??= this.prepare().finally(() => (this.making = undefined));
    return this.making;
  }

  /**
   * Lets go of a spare whose instance takes no new sessions. Its runtime is not freed: the
   * instance is dropped, memory and all, once its last place is released, and an instance that
   * refused to grow or aborted may not free a runtime cleanly (see SessionVm.allocationRefused).
   */
  dropStale(): void {
    const ready = this.ready;
    if (!ready || this.pool.open(ready.slot)) return;
    this.ready = undefined;
    this.pool.release(ready.slot);
  }

  private async prepare(): Promise<void> {
    if (this.ready) return;
    const slot = await this.pool.acquire();
    let vm: GuestVm | undefined;
    try {
      vm = new GuestVm(slot.module, resolveLimits(this.options.limits, undefined), SPARE_HOOKS);
      vm.installPrelude();
      this.ready = { slot, vm };
    } catch {
      try {
        vm?.dispose();
      } catch {
        // The instance aborted while the prelude ran: it must not host sessions again.
        slot.broken = true;
      }
      this.pool.release(slot);
    }
  }
}
