import { CancelledError, LimitExceededError, toScompError } from '@scomp/peer/authoring';
import { limitError } from './errorsMap.js';
import { SessionCore, type ActiveEval } from './sessionCore.js';

/**
 * What happens after guest code failed: the error the caller sees, and when the session's state
 * is unusable (an out-of-memory that left it over its limit, an aborted instance, a host stack
 * that ran out mid-operation), a fresh VM, on another instance if this one is broken.
 */
export abstract class RecoverableSession extends SessionCore {
  /** Turns whatever ended an eval into the error the caller sees, resetting the session if it is unusable. */
  protected async finishError(error: unknown, active: ActiveEval): Promise<Error> {
    // The host's own stack ran out inside the interpreter (deep recursion in native code such as
    // JSON.stringify): the instance stopped mid-operation, so the session gets a fresh one.
    if (isHostStackOverflow(error)) {
      active.stop(limitError('stack'));
      await this.resetVm(true);
      return limitError('stack', { max: this.deps.limits.stackBytes, sessionReset: true });
    }
    const failure = isWasmAbort(error) ? limitError('memory') : error instanceof Error ? error : toScompError(error);
    if (failure instanceof LimitExceededError || failure instanceof CancelledError) {
      active.stop(failure);
      this.haltGuestJobs(failure instanceof CancelledError ? 'cancel' : 'time');
    }
    if (failure instanceof LimitExceededError && failure.detail.limit === 'memory') {
      const usable = !isWasmAbort(error) && this.probe();
      if (!usable) await this.resetVm(isWasmAbort(error));
      return new LimitExceededError(failure.message, { ...failure.detail, sessionReset: !usable });
    }
    return failure;
  }

  /** True when the context still evaluates code after an out-of-memory error. */
  protected probe(): boolean {
    this.interrupt = undefined;
    try {
      const result = this.vm.context.evalCode('1 + 1', 'probe.js', { type: 'global' });
      if (result.error) {
        result.error.dispose();
        return false;
      }
      result.value.dispose();
      return this.vm.heapBytes() <= this.deps.limits.memoryBytes;
    } catch {
      return false;
    }
  }

  protected async resetVm(moduleBroken: boolean): Promise<void> {
    if (moduleBroken) this.slot.broken = true;
    this.teardownVm(false, moduleBroken);
    if (this.slot.broken) {
      this.deps.pool.release(this.slot);
      this.slot = await this.deps.pool.acquire();
    }
    this.createVm();
  }

  /**
   * Frees the VM. A failure to free cleanly means leaked handles (a bug) or an aborted instance.
   * With `abandon`, the VM's QuickJS runtime is not freed at all: it stopped mid-operation (the
   * host stack ran out inside the interpreter, or the instance aborted), so objects it was building
   * are still linked, and JS_FreeRuntime would fail its `list_empty(&rt->gc_obj_list)` assertion
   * (printed as "Aborted(Assertion failed …)") and abort the instance. The instance is marked broken
   * and retired once its other sessions end, which frees that memory with it.
   */
  protected teardownVm(rethrow = false, abandon = false): void {
    this.watchers.clear();
    this.timers.clearAll();
    for (const entry of this.guestFunctions) {
      entry.disposed = true;
      if (entry.handle.alive) entry.handle.dispose();
    }
    this.guestFunctions.clear();
    for (const deferred of this.deferreds) if (deferred.alive) deferred.dispose();
    this.deferreds.clear();
    for (const ref of this.receivedFunctions) ref.deref()?.[Symbol.dispose]?.();
    this.receivedFunctions.clear();
    if (abandon) return;
    try {
      this.vm.dispose();
    } catch (error) {
      // The instance's state is now unknown: it must not host sessions again.
      this.slot.broken = true;
      if (rethrow) throw error;
    }
  }
}


function isHostStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && error.message === 'Maximum call stack size exceeded';
}

function isWasmAbort(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === 'RuntimeError';
}
