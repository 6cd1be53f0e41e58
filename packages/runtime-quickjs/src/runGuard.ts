import { CancelledError, type LimitExceededError } from '@scomp/peer/authoring';
import type { RuntimeLimits } from '@scomp/peer';
import { CpuBudget, IdleAllowance, type Clock } from './budget.js';
import { cancelledError, limitError, type InterruptReason } from './errorsMap.js';
import { MemoryGuard } from './memoryGuard.js';
import type { SessionVm } from './sessionVm.js';

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
  /**
   * Aborted when the eval is cancelled or fails on a limit; bindings it called see it. Made on
   * first use: most evals call nothing, and an AbortSignal costs several microseconds to make.
   */
  readonly signal: AbortSignal;
  stopped: Promise<never>;
  stop(error: Error): void;
  /** The eval's own deadline (`timeoutMs`) on the session clock, checked while its code runs. */
  deadline?: { at: number; timeoutMs: number };
}

export interface RunGuardOptions {
  limits: Required<RuntimeLimits>;
  clock: Clock;
  memoryCheckIntervalMs: number;
  /** Aborted when the session is disposed. */
  lifetime: AbortSignal;
  watch?: GuestWatch | undefined;
  /**
   * Guest code outside evals used up its allowance (see IdleAllowance): what it left behind (timers,
   * queued jobs) must not run on until the next eval.
   */
  onIdleSpent(): void;
}

/**
 * Decides when guest code must stop. Every entry into the interpreter goes through `enter`, which
 * runs the CPU budget, tells a supervisor on another thread, and routes growth of the instance's
 * memory through the memory guard; QuickJS asks `shouldInterrupt` every few thousand steps.
 * Holds the eval running now, and the allowance of code that runs outside any eval.
 */
export class RunGuard {
  private readonly budget: CpuBudget;
  private readonly memory: MemoryGuard;
  private readonly idle = new IdleAllowance();
  private interrupt: InterruptReason | undefined;
  private active: ActiveEval | undefined;
  /** Set while the runtime's own code runs in the VM, which is never interrupted. */
  private trusted = false;
  /** Calls into guest functions outside any eval, waiting on what they returned (untilStoppedOutsideEval). */
  private readonly outsideWaits = new Set<(error: Error) => void>();

  constructor(
    private readonly vm: SessionVm,
    private readonly options: RunGuardOptions,
  ) {
    this.budget = new CpuBudget(options.limits.evalTimeoutMs, options.clock);
    this.memory = new MemoryGuard(options.limits.memoryBytes, options.memoryCheckIntervalMs);
  }

  /** The eval running now, if any. */
  get current(): ActiveEval | undefined {
    return this.active;
  }

  /** Why running code is being stopped, once something decided it must be. */
  get interrupted(): InterruptReason | undefined {
    return this.interrupt;
  }

  /** Starts an eval: a fresh CPU budget, memory count and allowance outside evals. */
  startEval(): ActiveEval {
    let stop!: (error: Error) => void;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    stopped.catch(() => {});
    let controller: AbortController | undefined;
    let stoppedBy: Error | undefined;
    const active: ActiveEval = {
      cancelled: false,
      get signal() {
        if (!controller) {
          controller = new AbortController();
          if (stoppedBy) controller.abort(stoppedBy);
        }
        return controller.signal;
      },
      stopped,
      stop: (error) => {
        if (stoppedBy) return;
        stoppedBy = error;
        controller?.abort(error);
        stop(error);
      },
    };
    this.active = active;
    this.interrupt = undefined;
    this.budget.reset(this.options.limits.evalTimeoutMs);
    this.memory.restart();
    this.idle.reset();
    return active;
  }

  endEval(): void {
    this.active = undefined;
  }

  /** Outside an eval, each entry from the host gets a fresh CPU allowance. */
  beginActivation(): void {
    if (this.active || this.budget.running) return;
    this.interrupt = undefined;
    this.budget.reset(this.options.limits.evalTimeoutMs);
    this.memory.restart();
  }

  /** Runs `run`, which enters the interpreter, on the budget. Entries nest (guest → host → guest). */
  enter<T>(run: () => T): T {
    const outermost = !this.budget.running;
    const watch = outermost ? this.options.watch : undefined;
    const slot = this.vm.slot;
    const previous = slot.allowGrowth;
    if (outermost) slot.allowGrowth = this.allowGrowth;
    // Guest code running outside any eval is added up (see chargeIdle).
    const idleSince = outermost && !this.active ? this.options.clock() : undefined;
    this.budget.resume();
    watch?.entered(this.remainingMs());
    try {
      return run();
    } finally {
      this.budget.pause();
      watch?.left();
      if (outermost) slot.allowGrowth = previous;
      if (idleSince !== undefined) this.chargeIdle(this.options.clock() - idleSince);
    }
  }

  /** Runs the runtime's own code in the VM (the prelude, installing bindings): nothing interrupts it. */
  trustedRun<T>(run: () => T): T {
    this.trusted = true;
    try {
      return run();
    } finally {
      this.trusted = false;
    }
  }

  /**
   * Runs `run` with the interrupt set to `reason` (unless one is set already), so guest code it
   * starts is interrupted at once; the interrupt is clear afterwards.
   */
  interrupting(reason: InterruptReason, run: () => void): void {
    this.interrupt ??= reason;
    try {
      run();
    } finally {
      this.interrupt = undefined;
    }
  }

  /** Forgets a decided interrupt (the session's state is being probed after an out-of-memory error). */
  clearInterrupt(): void {
    this.interrupt = undefined;
  }

  /** The interrupt handler QuickJS calls while guest code runs. */
  shouldInterrupt(): boolean {
    if (this.trusted) return false;
    if (this.interrupt) return true;
    this.options.watch?.poll();
    const { clock, limits } = this.options;
    const deadline = this.active?.deadline;
    if (this.active?.cancelled) this.interrupt = 'cancel';
    else if (this.budget.exceeded()) this.interrupt = 'time';
    else if (deadline && clock() > deadline.at) this.interrupt = 'deadline';
    else if (this.memory.checkDue(clock()) && this.vm.vm.heapBytes() > limits.memoryBytes) this.interrupt = 'memory';
    return this.interrupt !== undefined;
  }

  interruptError(reason: InterruptReason): Error {
    const { limits } = this.options;
    if (reason === 'cancel') return cancelledError();
    if (reason === 'time') return limitError('time', { max: limits.evalTimeoutMs });
    if (reason === 'deadline') return limitError('time', { max: this.active?.deadline?.timeoutMs ?? limits.evalTimeoutMs });
    return limitError('memory', { max: limits.memoryBytes });
  }

  /** True while guest code may not run: outside an eval, with the allowance there used up. */
  get idleSpent(): boolean {
    return !this.active && this.idle.exhausted;
  }

  idleSpentError(): LimitExceededError {
    return limitError('time', { max: this.options.limits.evalTimeoutMs });
  }

  /**
   * For guest code run outside an eval: a promise rejected if the runtime is disposed, or the CPU
   * allowance outside evals runs out, before `release()`. Each wait gets its own, and releases it,
   * because a reaction left on one session-long promise per call is never freed. The waits share
   * one listener on the session's lifetime, so many calls into guest functions at once do not
   * pile listeners onto that one signal.
   */
  untilStoppedOutsideEval(): { stopped: Promise<never>; release(): void } {
    let reject!: (error: Error) => void;
    const stopped = new Promise<never>((_, fail) => (reject = fail));
    stopped.catch(() => {});
    const lifetime = this.options.lifetime;
    if (lifetime.aborted) reject(new CancelledError('runtime disposed'));
    else if (this.idle.exhausted) reject(this.idle.signal.reason as Error);
    else {
      if (this.outsideWaits.size === 0) lifetime.addEventListener('abort', this.onDisposedOutside, { once: true });
      this.outsideWaits.add(reject);
    }
    return {
      stopped,
      release: () => {
        if (!this.outsideWaits.delete(reject) || this.outsideWaits.size > 0) return;
        lifetime.removeEventListener('abort', this.onDisposedOutside);
      },
    };
  }

  private readonly onDisposedOutside = () => this.failOutsideWaits(new CancelledError('runtime disposed'));

  private failOutsideWaits(error: Error): void {
    for (const reject of this.outsideWaits) reject(error);
  }

  /**
   * Adds the time of an entry outside any eval. Once the total passes the time limit, nothing of
   * the guest's runs until the next eval: timers are cleared and refused, queued jobs dropped,
   * settlements of its calls discarded, and calls into its functions refused (see IdleAllowance).
   */
  private chargeIdle(ms: number): void {
    if (!this.idle.charge(ms, this.options.limits.evalTimeoutMs, () => this.idleSpentError())) return;
    this.failOutsideWaits(this.idle.signal.reason as Error);
    // The entry that used the allowance up reports its own interruption: keep its reason.
    const interrupted = this.interrupt;
    this.options.onIdleSpent();
    this.interrupt = interrupted;
  }

  /** Asked before the instance's memory grows while this session's code runs (see MemoryGuard). */
  private readonly allowGrowth = (bytes: number): boolean => {
    if (this.trusted || this.memory.allow(bytes)) return true;
    this.vm.allocationRefused();
    return false;
  };

  /** How long the code entered now may run before a limit should have stopped it. */
  private remainingMs(): number {
    const cpu = this.budget.limitMs - this.budget.elapsedMs();
    const deadline = this.active?.deadline;
    return Math.max(0, deadline ? Math.min(cpu, deadline.at - this.options.clock()) : cpu);
  }
}
