import { CancelledError, LimitExceededError } from '@scomp/peer/authoring';
import type { HostFunction, RuntimeBinding, RuntimeInit, RuntimeLimits } from '@scomp/peer';
import type { QuickJSDeferredPromise, QuickJSHandle } from 'quickjs-emscripten-core';
import { CpuBudget, IdleAllowance, type Clock } from './budget.js';
import { cancelledError, evalError, limitError, resourceLimitOf, type InterruptReason, type ThrownDetail } from './errorsMap.js';
import { GuestVm } from './guestVm.js';
import { MemoryGuard } from './memoryGuard.js';
import type { ModulePool, ModuleSlot } from './modulePool.js';
import { GuestTimers } from './timers.js';

export interface SessionDeps {
  pool: ModulePool;
  slot: ModuleSlot;
  limits: Required<RuntimeLimits>;
  clock: Clock;
  memoryCheckIntervalMs: number;
  /** A supervisor on another thread watching this session's guest code (worker mode). */
  watch?: GuestWatch;
}

/**
 * What a supervisor outside the running thread needs: when guest code runs and for how long it
 * may, and a way to ask it to stop that works while the thread is busy.
 */
export interface GuestWatch {
  /** Guest code starts running and should hand control back within `budgetMs`. */
  entered(budgetMs: number): void;
  left(): void;
  /** Called by the interrupt handler; may cancel the current eval (through its signal). */
  poll(): void;
}

export interface ActiveEval {
  cancelled: boolean;
  /** Aborted when the eval is cancelled or fails on a limit; bindings it called see it. */
  controller: AbortController;
  stopped: Promise<never>;
  stop(error: Error): void;
  /** The eval's own deadline (`timeoutMs`) on the session clock, checked while its code runs. */
  deadline?: { at: number; timeoutMs: number };
}

export interface GuestFunctionEntry {
  handle: QuickJSHandle;
  vm: GuestVm;
  disposed: boolean;
}

const JOB_SLICE = 1000;

/** Runs `task` after pending I/O and timers: `setImmediate` where the platform has it. */
const yieldToHost: (task: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (task) => (globalThis as unknown as { setImmediate: (task: () => void) => void }).setImmediate(task)
    : (task) => setTimeout(task, 0);

/**
 * The state of one session and how guest code is run: CPU budget, interrupts, the promise-job
 * pump, waiting on guest promises, mapping thrown values, and replacing a VM after a fatal limit.
 */
export abstract class SessionCore {
  protected vm: GuestVm;
  protected slot: ModuleSlot;
  protected readonly budget: CpuBudget;
  protected interrupt: InterruptReason | undefined;
  protected current: ActiveEval | undefined;
  protected readonly serverBindings: Map<string, RuntimeBinding>;
  protected clientBindings = new Map<string, RuntimeBinding>();
  protected readonly watchers = new Map<number, (ok: boolean, value: QuickJSHandle) => void>();
  protected nextToken = 1;
  protected readonly deferreds = new Set<QuickJSDeferredPromise>();
  protected readonly guestFunctions = new Set<GuestFunctionEntry>();
  /**
   * HostFunctions handed to the guest, held weakly: once the guest drops its function, QuickJS
   * frees the host closure and the HostFunction may be collected (its owner's finalizer releases
   * it). Those still alive are disposed with the VM.
   */
  protected readonly receivedFunctions = new Set<WeakRef<HostFunction>>();
  protected readonly lifetime = new AbortController();
  protected readonly memory: MemoryGuard;
  protected pumpScheduled = false;
  /** Set while the runtime's own code runs in the VM, which is never interrupted. */
  protected trusted = false;
  protected disposed = false;
  protected readonly timers = new GuestTimers((callback) => this.runTimer(callback));
  protected readonly idle = new IdleAllowance();

  protected constructor(
    protected readonly init: RuntimeInit,
    protected readonly deps: SessionDeps,
  ) {
    this.slot = deps.slot;
    this.budget = new CpuBudget(deps.limits.evalTimeoutMs, deps.clock);
    this.memory = new MemoryGuard(deps.limits.memoryBytes, deps.memoryCheckIntervalMs);
    this.serverBindings = new Map(init.bindings.map((binding) => [binding.meta.name, binding]));
    this.vm = this.createVm();
  }

  /**
   * For guest code run outside an eval: a promise rejected if the runtime is disposed, or the CPU
   * allowance outside evals runs out, before `release()`. Each wait gets its own, and releases it,
   * because a reaction left on one session-long promise per call is never freed.
   */
  protected untilStoppedOutsideEval(): { stopped: Promise<never>; release(): void } {
    let reject!: (error: Error) => void;
    const stopped = new Promise<never>((_, fail) => (reject = fail));
    stopped.catch(() => {});
    const onDispose = () => reject(new CancelledError('runtime disposed'));
    const idle = this.idle.signal;
    const onIdleSpent = () => reject(idle.reason as Error);
    this.lifetime.signal.addEventListener('abort', onDispose, { once: true });
    if (idle.aborted) onIdleSpent();
    else idle.addEventListener('abort', onIdleSpent, { once: true });
    return {
      stopped,
      release: () => {
        this.lifetime.signal.removeEventListener('abort', onDispose);
        idle.removeEventListener('abort', onIdleSpent);
      },
    };
  }

  protected createVm(): GuestVm {
    const vm = new GuestVm(this.slot.module, this.deps.limits, {
      shouldInterrupt: () => this.shouldInterrupt(),
      console: (level, json) => this.forwardConsole(level, json),
      settled: (token, ok, value) => {
        const watcher = this.watchers.get(token);
        this.watchers.delete(token);
        if (watcher) watcher(ok, value);
        else value.dispose();
      },
      setTimer: (callback, delayMs) => this.timers.set(callback, delayMs),
      clearTimer: (id) => this.timers.clear(id),
    });
    this.vm = vm;
    return vm;
  }

  /** A timer callback runs like any entry from the host; what it throws goes to console.error. */
  private runTimer(callback: QuickJSHandle): void {
    if (this.disposed) return;
    this.beginActivation();
    const vm = this.vm;
    const result = this.enter(() => vm.context.callFunction(callback, vm.context.undefined));
    if (result.error) {
      const error = this.thrown(result.error);
      if (this.current && (error instanceof LimitExceededError || error instanceof CancelledError)) this.current.stop(error);
      else this.forwardConsole('error', JSON.stringify([`Uncaught ${error.message}`]));
    } else {
      result.value.dispose();
    }
    this.pump();
  }

  /** Forwards one console call of the guest (see the bridge). */
  protected abstract forwardConsole(level: string, json: string): void;

  protected startEval(): ActiveEval {
    let stop!: (error: Error) => void;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    stopped.catch(() => {});
    const controller = new AbortController();
    const active: ActiveEval = {
      cancelled: false,
      controller,
      stopped,
      stop: (error) => {
        if (!controller.signal.aborted) controller.abort(error);
        stop(error);
      },
    };
    this.current = active;
    this.interrupt = undefined;
    this.budget.reset(this.deps.limits.evalTimeoutMs);
    this.memory.restart();
    this.idle.reset();
    this.timers.resume();
    this.timers.keepProcessAlive(true);
    return active;
  }

  /** Outside an eval, each entry from the host gets a fresh CPU allowance. */
  protected beginActivation(): void {
    if (this.current || this.budget.running) return;
    this.interrupt = undefined;
    this.budget.reset(this.deps.limits.evalTimeoutMs);
    this.memory.restart();
  }

  protected enter<T>(run: () => T): T {
    const outermost = !this.budget.running;
    const watch = outermost ? this.deps.watch : undefined;
    const slot = this.slot;
    const previous = slot.allowGrowth;
    if (outermost) slot.allowGrowth = this.allowGrowth;
    // Guest code running outside any eval is added up (see chargeIdle).
    const idleSince = outermost && !this.current ? this.deps.clock() : undefined;
    this.budget.resume();
    watch?.entered(this.remainingMs());
    try {
      return run();
    } finally {
      this.budget.pause();
      watch?.left();
      if (outermost) slot.allowGrowth = previous;
      if (idleSince !== undefined) this.chargeIdle(this.deps.clock() - idleSince);
    }
  }

  /**
   * Adds the time of an entry outside any eval. Once the total passes the time limit, nothing of
   * the guest's runs until the next eval: timers are cleared and refused, queued jobs dropped,
   * settlements of its calls discarded, and calls into its functions refused (see IdleAllowance).
   */
  private chargeIdle(ms: number): void {
    const limit = this.deps.limits.evalTimeoutMs;
    if (!this.idle.charge(ms, limit, () => this.idleSpentError())) return;
    this.timers.suspend();
    // The entry that used the allowance up reports its own interruption: keep its reason.
    const interrupted = this.interrupt;
    this.haltGuestJobs('time');
    this.interrupt = interrupted;
    this.forwardConsole(
      'error',
      JSON.stringify([`Uncaught InternalError: code outside an eval used ${limit} ms of CPU time; its timers and queued jobs were dropped until the next eval`]),
    );
  }

  /** True while guest code may not run: outside an eval, with the allowance there used up. */
  protected get idleSpent(): boolean {
    return !this.current && this.idle.exhausted;
  }

  protected idleSpentError(): LimitExceededError {
    return limitError('time', { max: this.deps.limits.evalTimeoutMs });
  }

  /** Asked before the instance's memory grows while this session's code runs (see MemoryGuard). */
  private readonly allowGrowth = (bytes: number): boolean => this.trusted || this.memory.allow(bytes);

  /** How long the code entered now may run before a limit should have stopped it. */
  private remainingMs(): number {
    const cpu = this.budget.limitMs - this.budget.elapsedMs();
    const deadline = this.current?.deadline;
    return Math.max(0, deadline ? Math.min(cpu, deadline.at - this.deps.clock()) : cpu);
  }

  protected shouldInterrupt(): boolean {
    if (this.trusted) return false;
    if (this.interrupt) return true;
    this.deps.watch?.poll();
    const deadline = this.current?.deadline;
    if (this.current?.cancelled) this.interrupt = 'cancel';
    else if (this.budget.exceeded()) this.interrupt = 'time';
    else if (deadline && this.deps.clock() > deadline.at) this.interrupt = 'deadline';
    else if (this.memory.checkDue(this.deps.clock()) && this.vm.heapBytes() > this.deps.limits.memoryBytes) this.interrupt = 'memory';
    return this.interrupt !== undefined;
  }

  /**
   * Runs queued promise jobs. A slice runs at most JOB_SLICE jobs; if more are queued the rest run
   * on a later macrotask, so that a cancel can arrive while guest code loops through promises.
   * Errors that escape a job end the current eval.
   */
  protected pump(): void {
    const runtime = this.vm.runtime;
    if (!runtime.alive) return;
    if (!runtime.hasPendingJob()) return this.failIfUnsettleable();
    const result = this.enter(() => runtime.executePendingJobs(JOB_SLICE));
    if (result.error) {
      const error = this.thrown(result.error);
      this.current?.stop(error);
    } else if (this.interrupt && this.current) {
      // A job interrupted inside a promise reaction only rejects that reaction's promise, and
      // the jobs that would carry the rejection to the eval are interrupted too: end it here.
      this.current.stop(this.interruptError(this.interrupt));
    }
    if (!runtime.hasPendingJob()) return this.failIfUnsettleable();
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      yieldToHost(() => {
        this.pumpScheduled = false;
        if (!this.disposed) this.pump();
      });
    }
  }

  /**
   * Guest promises settle only through its own jobs, its timers, answers to its calls, or the host
   * calling one of its functions. When the eval waits on a promise and none of those is pending,
   * nothing can ever settle it: fail the eval now rather than leave the session waiting forever.
   */
  protected failIfUnsettleable(): void {
    const active = this.current;
    if (!active || this.watchers.size === 0 || this.pumpScheduled) return;
    if (this.timers.size > 0 || this.deferreds.size > 0 || this.guestFunctions.size > 0) return;
    active.stop(
      evalError({ name: 'Error', message: 'the eval awaits a promise that nothing can settle: no timer, call or job of this session is pending' }),
    );
  }

  /** Waits for a guest promise (or passes a plain value through). Consumes `handle`. */
  protected async settle(handle: QuickJSHandle, stop: Promise<never>): Promise<QuickJSHandle> {
    const vm = this.vm;
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
    try {
      const tokenHandle = vm.context.newNumber(token);
      const watched = this.enter(() => vm.context.callFunction(vm.helper('watch'), vm.context.undefined, handle, tokenHandle));
      tokenHandle.dispose();
      if (watched.error) throw this.thrown(watched.error);
      watched.value.dispose();
    } finally {
      handle.dispose();
    }
    this.pump();
    try {
      return await Promise.race([settled, stop]);
    } catch (error) {
      if (this.watchers.delete(token)) settled.catch(() => {});
      else settled.then((late) => late.alive && late.dispose(), () => {});
      throw error;
    }
  }

  /** Maps a thrown guest value (consumed) to a host error. */
  protected thrown(errorHandle: QuickJSHandle): Error {
    if (this.interrupt) {
      errorHandle.dispose();
      return this.interruptError(this.interrupt);
    }
    const detail = this.describe(errorHandle);
    const limit = resourceLimitOf(detail);
    if (limit) return limitError(limit);
    return evalError(detail);
  }

  protected describe(errorHandle: QuickJSHandle): ThrownDetail {
    const vm = this.vm;
    try {
      const described = this.enter(() => vm.context.callFunction(vm.helper('describeError'), vm.context.undefined, errorHandle));
      if (described.error) {
        described.error.dispose();
        return { name: 'Error', message: 'unreadable error' };
      }
      const json = vm.context.getString(described.value);
      described.value.dispose();
      return JSON.parse(json) as ThrownDetail;
    } finally {
      errorHandle.dispose();
    }
  }

  protected interruptError(reason: InterruptReason): Error {
    if (reason === 'cancel') return cancelledError();
    if (reason === 'time') return limitError('time', { max: this.deps.limits.evalTimeoutMs });
    if (reason === 'deadline') return limitError('time', { max: this.current?.deadline?.timeoutMs ?? this.deps.limits.evalTimeoutMs });
    return limitError('memory', { max: this.deps.limits.memoryBytes });
  }

  /** After a cancel or limit, the eval's queued jobs are interrupted as they start, so none runs on. */
  protected haltGuestJobs(reason: InterruptReason): void {
    const runtime = this.vm.runtime;
    this.interrupt ??= reason;
    while (runtime.alive && runtime.hasPendingJob()) {
      const result = runtime.executePendingJobs();
      if (result.error) result.error.dispose();
    }
    this.interrupt = undefined;
  }
}
