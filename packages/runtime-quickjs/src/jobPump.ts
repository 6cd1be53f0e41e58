import { CancelledError, LimitExceededError } from '@scomp/peer/errors';
import type { QuickJSHandle } from 'quickjs-emscripten-core';
import { scoped } from './handleScope.js';
import { evalError, limitError, resourceLimitOf, type InterruptReason, type ThrownDetail } from './errorsMap.js';
import type { RunGuard } from './runGuard.js';
import type { SessionVm } from './sessionVm.js';

export interface JobPumpOptions {
  /** Aborted when the session is disposed. */
  lifetime: AbortSignal;
  /** Whether anything but promise jobs may still settle a guest promise: a timer, a call, a guest function the host holds. */
  otherWork(): boolean;
  /** An error no guest code caught, outside any eval (a timer callback's): reported as the console would. */
  uncaught(message: string): void;
}

const JOB_SLICE = 1000;

/** Runs `task` after pending I/O and timers: `setImmediate` where the platform has it. */
const yieldToHost: (task: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (task) => (globalThis as unknown as { setImmediate: (task: () => void) => void }).setImmediate(task)
    : (task) => setTimeout(task, 0);

/**
 * The guest's promise machinery seen from the host: runs its queued jobs in slices, waits for its
 * promises, and maps what it throws to host errors.
 */
export class JobPump {
  private readonly watchers = new Map<number, (ok: boolean, value: QuickJSHandle) => void>();
  private nextToken = 1;
  private scheduled = false;

  constructor(
    private readonly vm: SessionVm,
    private readonly guard: RunGuard,
    private readonly options: JobPumpOptions,
  ) {
    vm.onTeardown(() => this.watchers.clear());
  }

  /** The prelude reports that a watched promise settled (`value` is owned). */
  settled(token: number, ok: boolean, value: QuickJSHandle): void {
    const watcher = this.watchers.get(token);
    this.watchers.delete(token);
    if (watcher) watcher(ok, value);
    else value.dispose();
  }

  /**
   * Runs queued promise jobs. A slice runs at most JOB_SLICE jobs; if more are queued the rest run
   * on a later macrotask, so that a cancel can arrive while guest code loops through promises.
   * Errors that escape a job end the current eval.
   */
  pump(): void {
    const runtime = this.vm.vm.runtime;
    if (!runtime.alive) return;
    if (!runtime.hasPendingJob()) return this.failIfUnsettleable();
    const result = this.guard.enter(() => runtime.executePendingJobs(JOB_SLICE));
    const current = this.guard.current;
    const interrupted = this.guard.interrupted;
    if (result.error) {
      const error = this.thrown(result.error);
      current?.stop(error);
    } else if (interrupted && current) {
      // A job interrupted inside a promise reaction only rejects that reaction's promise, and
      // the jobs that would carry the rejection to the eval are interrupted too: end it here.
      current.stop(this.guard.interruptError(interrupted));
    }
    if (!runtime.hasPendingJob()) return this.failIfUnsettleable();
    if (!this.scheduled) {
      this.scheduled = true;
      yieldToHost(() => {
        this.scheduled = false;
        if (!this.options.lifetime.aborted) this.pump();
      });
    }
  }

  /**
   * Guest promises settle only through its own jobs, its timers, answers to its calls, or the host
   * calling one of its functions. When the eval waits on a promise and none of those is pending,
   * nothing can ever settle it: fail the eval now rather than leave the session waiting forever.
   */
  failIfUnsettleable(): void {
    const active = this.guard.current;
    if (!active || this.watchers.size === 0 || this.scheduled) return;
    if (this.options.otherWork()) return;
    active.stop(
      evalError({ name: 'Error', message: 'the eval awaits a promise that nothing can settle: no timer, call or job of this session is pending' }),
    );
  }

  /** Waits for a guest promise (or passes a plain value through). Consumes `handle`. */
  async settle(handle: QuickJSHandle, stop: Promise<never>): Promise<QuickJSHandle> {
    const vm = this.vm.vm;
    this.pump();
    const state = vm.context.getPromiseState(handle);
    if (state.type === 'fulfilled') {
      if (state.notAPromise) return handle;
      handle.dispose();
      return state.value;
    }
    if (state.type === 'rejected') {
      handle.dispose();
      throw this.thrown(state.error);
    }
    const token = this.nextToken++;
    const settled = new Promise<QuickJSHandle>((resolve, reject) => {
      this.watchers.set(token, (ok, value) => (ok ? resolve(value) : reject(this.thrown(value))));
    });
    scoped((own) => {
      const watchedHandle = own(handle);
      const tokenHandle = own(vm.context.newNumber(token));
      const watched = this.guard.enter(() => vm.context.callFunction(vm.helper('watch'), vm.context.undefined, watchedHandle, tokenHandle));
      if (watched.error) throw this.thrown(watched.error);
      watched.value.dispose();
    });
    this.pump();
    try {
      return await Promise.race([settled, stop]);
    } catch (error) {
      if (this.watchers.delete(token)) settled.catch(() => {});
      else settled.then((late) => late.alive && late.dispose(), () => {});
      throw error;
    }
  }

  /** Calls a guest function from the host with no one awaiting it (a timer): what it throws goes to the console. */
  callUnawaited(callback: QuickJSHandle): void {
    if (this.options.lifetime.aborted) return;
    this.guard.beginActivation();
    const vm = this.vm.vm;
    const result = this.guard.enter(() => vm.context.callFunction(callback, vm.context.undefined));
    if (result.error) {
      const error = this.thrown(result.error);
      const current = this.guard.current;
      if (current && (error instanceof LimitExceededError || error instanceof CancelledError)) current.stop(error);
      else this.options.uncaught(`Uncaught ${error.message}`);
    } else {
      result.value.dispose();
    }
    this.pump();
  }

  /** Maps a thrown guest value (consumed) to a host error. */
  thrown(errorHandle: QuickJSHandle): Error {
    const interrupted = this.guard.interrupted;
    if (interrupted) {
      errorHandle.dispose();
      return this.guard.interruptError(interrupted);
    }
    const detail = this.describe(errorHandle);
    const limit = resourceLimitOf(detail);
    if (limit) return limitError(limit);
    return evalError(detail);
  }

  /** After a cancel or limit, the eval's queued jobs are interrupted as they start, so none runs on. */
  halt(reason: InterruptReason): void {
    const runtime = this.vm.vm.runtime;
    this.guard.interrupting(reason, () => {
      while (runtime.alive && runtime.hasPendingJob()) {
        const result = runtime.executePendingJobs();
        if (result.error) result.error.dispose();
      }
    });
  }

  private describe(errorHandle: QuickJSHandle): ThrownDetail {
    const vm = this.vm.vm;
    return scoped((own) => {
      const error = own(errorHandle);
      const described = this.guard.enter(() => vm.context.callFunction(vm.helper('describeError'), vm.context.undefined, error));
      if (described.error) {
        described.error.dispose();
        return { name: 'Error', message: 'unreadable error' };
      }
      return JSON.parse(vm.context.getString(own(described.value))) as ThrownDetail;
    });
  }
}
