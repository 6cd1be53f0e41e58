import { CancelledError, LimitExceededError, toScompError } from '@scomp/peer/errors';
import type { RuntimeLimits } from '@scomp/peer';
import { isHostStackOverflow, isWasmAbort, limitError } from './errorsMap.js';
import type { JobPump } from './jobPump.js';
import type { ActiveEval, RunGuard } from './runGuard.js';
import type { SessionVm } from './sessionVm.js';

/**
 * What happens after guest code failed: the error the caller sees, and when the session's state
 * is unusable (an out-of-memory that left it over its limit, an aborted instance, a host stack
 * that ran out mid-operation), a fresh VM, on another instance if this one is broken.
 */
export class Recovery {
  constructor(
    private readonly vm: SessionVm,
    private readonly guard: RunGuard,
    private readonly jobs: JobPump,
    private readonly limits: Required<RuntimeLimits>,
  ) {}

  /** Turns whatever ended an eval into the error the caller sees, resetting the session if it is unusable. */
  async finishError(error: unknown, active: ActiveEval): Promise<Error> {
    // The host's own stack ran out inside the interpreter (deep recursion in native code such as
    // JSON.stringify): the instance stopped mid-operation, so the session gets a fresh one.
    if (isHostStackOverflow(error)) {
      active.stop(limitError('stack'));
      await this.vm.replace(true);
      return limitError('stack', { max: this.limits.stackBytes, sessionReset: true });
    }
    const failure = isWasmAbort(error) ? limitError('memory') : error instanceof Error ? error : toScompError(error);
    if (failure instanceof LimitExceededError || failure instanceof CancelledError) {
      active.stop(failure);
      this.jobs.halt(failure instanceof CancelledError ? 'cancel' : 'time');
    }
    if (failure instanceof LimitExceededError && failure.detail.limit === 'memory') {
      const usable = !isWasmAbort(error) && this.probe();
      if (!usable) await this.vm.replace(isWasmAbort(error));
      return new LimitExceededError(failure.message, { ...failure.detail, sessionReset: !usable });
    }
    return failure;
  }

  /** True when the context still evaluates code after an out-of-memory error. */
  probe(): boolean {
    this.guard.clearInterrupt();
    const vm = this.vm.vm;
    try {
      const result = vm.context.evalCode('1 + 1', 'probe.js', { type: 'global' });
      if (result.error) {
        result.error.dispose();
        return false;
      }
      result.value.dispose();
      return vm.heapBytes() <= this.limits.memoryBytes;
    } catch {
      return false;
    }
  }
}
