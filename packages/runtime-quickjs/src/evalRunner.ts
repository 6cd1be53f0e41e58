import { CancelledError } from '@scomp/peer/authoring';
import type { EvalOptions } from '@scomp/peer';
import type { Clock } from './budget.js';
import { cancelledError, limitError } from './errorsMap.js';
import { scoped } from './handleScope.js';
import { EVAL_FLAGS_ASYNC_GLOBAL, INPUT_FILENAME, type GuestVm } from './guestVm.js';
import type { JobPump } from './jobPump.js';
import type { Marshaller } from './marshaller.js';
import type { Recovery } from './recovery.js';
import { DeclarationRewriter } from './rewrite.js';
import type { ActiveEval, RunGuard } from './runGuard.js';
import type { GuestTimers } from './timers.js';

export interface EvalRunnerParts {
  guard: RunGuard;
  jobs: JobPump;
  marshaller: Marshaller;
  recovery: Recovery;
  timers: GuestTimers;
  clock: Clock;
  /** Aborted when the session is disposed. */
  lifetime: AbortSignal;
  /** The VM, with the prelude run and the bindings installed. */
  prepare(): GuestVm;
}

/**
 * Runs one eval from start to result: the cancel signal and `timeoutMs`, the code and the promise
 * it leaves, the value converted for the host, and recovery when it fails.
 */
export class EvalRunner {
  private readonly rewriter = new DeclarationRewriter();

  constructor(private readonly parts: EvalRunnerParts) {}

  /**
   * Cancels the eval running now, as aborting its signal would (with `reason` as the signal's
   * reason): for a caller that would otherwise make an AbortController per eval only to cancel few.
   */
  cancel(reason: unknown): void {
    const active = this.parts.guard.current;
    if (active) cancel(active, reason);
  }

  /** With `asText`, a result holding no functions stays the guest's JSON text (JsonText). */
  async run(code: string, options: EvalOptions, asText: boolean): Promise<unknown> {
    const { guard, jobs, marshaller, recovery, timers, clock, lifetime } = this.parts;
    if (lifetime.aborted) throw new CancelledError('runtime disposed');
    const { signal, timeoutMs } = options;
    if (signal?.aborted) throw cancelledError(signal.reason);
    const active = guard.startEval();
    timers.resume();
    timers.keepProcessAlive(true);
    const onAbort = () => cancel(active, signal?.reason);
    signal?.addEventListener('abort', onAbort);
    // The timer ends an eval parked on the host; the deadline stops code that keeps the thread busy.
    if (timeoutMs !== undefined) active.deadline = { at: clock() + timeoutMs, timeoutMs };
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => active.stop(limitError('time', { max: timeoutMs })), timeoutMs);
    // dispose() stops the current eval, so its own stop promise covers that too.
    const stop = active.stopped;
    try {
      const source = this.rewriter.rewrite(code);
      const vm = this.parts.prepare();
      const result = guard.enter(() => vm.context.evalCode(source, INPUT_FILENAME, EVAL_FLAGS_ASYNC_GLOBAL));
      if (result.error) throw jobs.thrown(result.error);
      const completion = await jobs.settle(result.value, stop);
      const value = scoped((own) => vm.context.getProp(own(completion), 'value'));
      // A promise as the final value is awaited, so `getOrder({ id })` without `await` yields the order.
      const settled = await jobs.settle(value, stop);
      return marshaller.resultToHost(settled, asText);
    } catch (error) {
      throw await recovery.finishError(error, active);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
      guard.endEval();
      timers.keepProcessAlive(false);
    }
  }
}

function cancel(active: ActiveEval, reason: unknown): void {
  active.cancelled = true;
  active.stop(cancelledError(reason));
}
