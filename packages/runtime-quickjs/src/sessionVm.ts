import type { RuntimeLimits } from '@scomp/peer';
import { GuestVm, type GuestVmHooks } from './guestVm.js';
import type { ModulePool, ModuleSlot } from './modulePool.js';

/**
 * The session's VM and the WebAssembly instance it lives on. After a fatal limit the VM is
 * replaced, on another instance when this one is broken. Parts that hold handles into the VM
 * register with `onTeardown` and drop them before the VM is freed.
 */
export class SessionVm {
  private guest: GuestVm;
  private place: ModuleSlot;
  private readonly dropHandles: (() => void)[] = [];

  constructor(
    private readonly pool: ModulePool,
    slot: ModuleSlot,
    private readonly limits: Required<RuntimeLimits>,
    private readonly hooks: GuestVmHooks,
  ) {
    this.place = slot;
    this.guest = new GuestVm(slot.module, limits, hooks);
  }

  get vm(): GuestVm {
    return this.guest;
  }

  get slot(): ModuleSlot {
    return this.place;
  }

  /** `drop` frees what a part holds in the VM; it runs before every teardown, in registration order. */
  onTeardown(drop: () => void): void {
    this.dropHandles.push(drop);
  }

  /** Replaces the VM with a fresh one; `moduleBroken` marks the instance unusable first. */
  async replace(moduleBroken: boolean): Promise<void> {
    if (moduleBroken) this.place.broken = true;
    this.teardown({ abandon: moduleBroken });
    if (this.place.broken) {
      this.pool.release(this.place);
      this.place = await this.pool.acquire();
    }
    this.guest = new GuestVm(this.place.module, this.limits, this.hooks);
  }

  /** Frees the VM for good and gives its place on the instance back. */
  dispose(): void {
    try {
      this.teardown({ rethrow: true });
    } finally {
      this.pool.release(this.place);
    }
  }

  /**
   * Frees the VM. A failure to free cleanly means leaked handles (a bug) or an aborted instance.
   * With `abandon`, the VM's QuickJS runtime is not freed at all: it stopped mid-operation (the
   * host stack ran out inside the interpreter, or the instance aborted), so objects it was building
   * are still linked, and JS_FreeRuntime would fail its `list_empty(&rt->gc_obj_list)` assertion
   * (printed as "Aborted(Assertion failed …)") and abort the instance. The instance is marked broken
   * and retired once its other sessions end, which frees that memory with it.
   */
  private teardown({ rethrow = false, abandon = false }: { rethrow?: boolean; abandon?: boolean }): void {
    for (const drop of this.dropHandles) drop();
    if (abandon) return;
    try {
      this.guest.dispose();
    } catch (error) {
      // The instance's state is now unknown: it must not host sessions again.
      this.place.broken = true;
      if (rethrow) throw error;
    }
  }
}
