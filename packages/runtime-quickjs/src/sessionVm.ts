import type { RuntimeLimits } from '@scomp/peer';
import { GuestVm, type GuestVmHooks } from './guestVm.js';
import type { ModulePool, ModuleSlot } from './modulePool.js';

/**
 * The session's VM and the WebAssembly instance it lives on. After a fatal limit the VM is
 * replaced, on another instance when this one is broken or retired. Parts that hold handles into the VM
 * register with `onTeardown` and drop them before the VM is freed.
 */
export class SessionVm {
  private guest: GuestVm;
  private place: ModuleSlot;
  private readonly dropHandles: (() => void)[] = [];
  /** Set once the instance refused to grow for an allocation of this VM (see `allocationRefused`). */
  private refused = false;

  /** `prepared`: a VM made ahead on `slot`'s instance, which this session adopts. */
  constructor(
    private readonly pool: ModulePool,
    slot: ModuleSlot,
    private readonly limits: Required<RuntimeLimits>,
    private readonly hooks: GuestVmHooks,
    prepared?: GuestVm,
  ) {
    this.place = slot;
    prepared?.adopt(limits, hooks);
    this.guest = prepared ?? new GuestVm(slot.module, limits, hooks);
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

  /**
   * The instance refused to grow while this VM allocated (MemoryGuard). That allocation failed
   * wherever it happened, not only where QuickJS counts its heap: in quickjs-emscripten's own cells
   * for handles, or in the allocator. Such a runtime does not free cleanly once the instance's
   * memory has grown since (by any VM on it): JS_FreeRuntime then fails its
   * `list_empty(&rt->gc_obj_list)` assertion in the debug build, and leaks the heap in the release
   * build. So the VM is never freed on its own: it is abandoned at teardown, and its instance takes
   * no new sessions and is dropped, with all its memory, once its last session ends. Called from
   * inside an allocation, so it only sets flags.
   */
  allocationRefused(): void {
    this.refused = true;
    this.place.retired = true;
  }

  /** Replaces the VM with a fresh one; `moduleBroken` marks the instance unusable first. */
  async replace(moduleBroken: boolean): Promise<void> {
    if (moduleBroken) this.place.broken = true;
    this.teardown({ abandon: moduleBroken });
    // A retired instance (grown too large, or it refused to grow for this VM) takes no new VMs either.
    if (this.place.broken || this.place.retired) {
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
    const refused = this.refused;
    this.refused = false;
    if (abandon || refused) return;
    try {
      this.guest.dispose();
    } catch (error) {
      // The instance's state is now unknown: it must not host sessions again.
      this.place.broken = true;
      if (rethrow) throw error;
    }
  }
}
