import type { EvalOptions, Runtime, RuntimeBinding, RuntimeInit, RuntimeLimits, RuntimeStats } from '@scomp/peer';
import { BindingNotFoundError, CancelledError, RawJson } from '@scomp/peer/authoring';
import { CONSOLE_BINDING_NAME } from '@scomp/protocol/value-rules';
import type { Clock } from './budget.js';
import { cutText, MAX_GUEST_TEXT } from './cutText.js';
import { EvalRunner } from './evalRunner.js';
import type { GuestVm } from './guestVm.js';
import { scoped } from './handleScope.js';
import { JobPump } from './jobPump.js';
import { JsonText } from './jsonText.js';
import { Marshaller } from './marshaller.js';
import type { ModulePool, ModuleSlot } from './modulePool.js';
import { Recovery } from './recovery.js';
import { RunGuard, type GuestWatch } from './runGuard.js';
import { SessionVm } from './sessionVm.js';
import { GuestTimers } from './timers.js';

export const CONSOLE = CONSOLE_BINDING_NAME;
export const LOG = 'log';

export interface SessionDeps {
  pool: ModulePool;
  slot: ModuleSlot;
  limits: Required<RuntimeLimits>;
  clock: Clock;
  memoryCheckIntervalMs: number;
  /** A supervisor on another thread watching this session's guest code (worker mode). */
  watch?: GuestWatch;
  /** See MarshallerOptions.valuesAsText. @default false */
  valuesAsText?: boolean;
  /** A VM made ahead on `slot`'s instance, usually with its prelude run (a worker thread's spare). */
  prepared?: GuestVm;
}

/**
 * One session on QuickJS, composed of parts that each own their state (see the package README,
 * "Inside"): the VM, the guard that stops guest code, the job pump, the marshaller, recovery and
 * the eval runner. This class wires them and keeps the session's bindings.
 */
export class QuickJsRuntime implements Runtime {
  private readonly lifetime = new AbortController();
  private readonly serverBindings: Map<string, RuntimeBinding>;
  private clientBindings = new Map<string, RuntimeBinding>();
  private readonly vm: SessionVm;
  private readonly guard: RunGuard;
  private readonly jobs: JobPump;
  private readonly timers: GuestTimers;
  private readonly marshaller: Marshaller;
  private readonly runner: EvalRunner;
  /** The VM the bindings are installed in (a fresh VM after a reset has none yet). */
  private bindingsIn: GuestVm | undefined;

  constructor(
    private readonly init: RuntimeInit,
    deps: SessionDeps,
  ) {
    const { limits, clock } = deps;
    const lifetime = this.lifetime.signal;
    this.serverBindings = new Map(init.bindings.map((binding) => [binding.meta.name, binding]));
    this.timers = new GuestTimers((callback) => this.jobs.callUnawaited(callback));
    this.vm = new SessionVm(
      deps.pool,
      deps.slot,
      limits,
      {
        shouldInterrupt: () => this.guard.shouldInterrupt(),
        console: (level, json) => this.forwardConsole(level, json),
        settled: (token, ok, value) => this.jobs.settled(token, ok, value),
        setTimer: (callback, delayMs) => this.timers.set(callback, delayMs),
        clearTimer: (id) => this.timers.clear(id),
      },
      deps.prepared,
    );
    this.guard = new RunGuard(this.vm, {
      limits,
      clock,
      memoryCheckIntervalMs: deps.memoryCheckIntervalMs,
      lifetime,
      watch: deps.watch,
      onIdleSpent: () => {
        this.timers.suspend();
        this.jobs.halt('time');
        this.forwardConsole(
          'error',
          JSON.stringify([`Uncaught InternalError: code outside an eval used ${limits.evalTimeoutMs} ms of CPU time; its timers and queued jobs were dropped until the next eval`]),
        );
      },
    });
    this.jobs = new JobPump(this.vm, this.guard, {
      lifetime,
      otherWork: () => this.timers.size > 0 || this.marshaller.holdsWork,
      uncaught: (message) => this.forwardConsole('error', JSON.stringify([message])),
    });
    this.vm.onTeardown(() => this.timers.clearAll());
    this.marshaller = new Marshaller(this.vm, this.guard, this.jobs, {
      maxValueBytes: limits.resultBytes,
      valuesAsText: deps.valuesAsText ?? false,
      lifetime,
    });
    this.runner = new EvalRunner({
      guard: this.guard,
      jobs: this.jobs,
      marshaller: this.marshaller,
      recovery: new Recovery(this.vm, this.guard, this.jobs, limits),
      timers: this.timers,
      clock,
      lifetime,
      prepare: () => this.prepareVm(),
    });
  }

  // ----- Runtime -----

  async eval(code: string, options: EvalOptions = {}): Promise<unknown> {
    if (!options.acceptRawJson) return this.runner.run(code, options, false);
    // The caller sends the result on: the guest's JSON text goes to it checked, never parsed here.
    const value = await this.runner.run(code, options, true);
    return value instanceof JsonText ? new RawJson(value.json) : value;
  }

  /** `eval`, with a result that holds no functions left as JsonText: for a caller that forwards it. */
  evalAsText(code: string, options: EvalOptions = {}): Promise<unknown> {
    return this.runner.run(code, options, true);
  }

  /** Cancels the eval running now, if any, as aborting its signal with `reason` would. */
  cancelEval(reason: unknown): void {
    this.runner.cancel(reason);
  }

  setClientBindings(bindings: readonly RuntimeBinding[]): void {
    if (this.lifetime.signal.aborted) return;
    const installed = this.bindingsIn === this.vm.vm;
    if (installed) for (const name of this.guestClientBindings()) this.uninstall(name);
    this.clientBindings = new Map(bindings.map((binding) => [binding.meta.name, binding]));
    if (!installed) return;
    for (const name of this.guestClientBindings()) this.install(name, 'client');
  }

  stats(): RuntimeStats {
    return this.marshaller.stats();
  }

  dispose(): void {
    if (this.lifetime.signal.aborted) return;
    this.guard.current?.stop(new CancelledError('runtime disposed'));
    this.lifetime.abort();
    this.vm.dispose();
  }

  // ----- wiring -----

  /** Runs the prelude and installs the bindings before the first guest code of this VM runs. */
  private prepareVm(): GuestVm {
    const vm = this.vm.vm;
    if (this.bindingsIn === vm) return vm;
    // The prelude is the runtime's own code: a cancel or limit must not stop it halfway. A VM
    // made ahead has run it already.
    this.guard.trustedRun(() => {
      vm.installPrelude();
      for (const name of this.serverBindings.keys()) this.install(name, 'server');
      for (const name of this.guestClientBindings()) this.install(name, 'client');
    });
    this.bindingsIn = vm;
    return vm;
  }

  /** Client bindings guest code calls by name: not the console (its own global), nor one a server binding shadows. */
  private guestClientBindings(): string[] {
    return [...this.clientBindings.keys()].filter((name) => name !== CONSOLE && !this.serverBindings.has(name));
  }

  private install(name: string, kind: 'server' | 'client'): void {
    const vm = this.vm.vm;
    const ctx = vm.context;
    const result = scoped((own) => {
      const fn = own(
        this.marshaller.callOut((args, signal) => {
          const binding = kind === 'server' ? this.serverBindings.get(name) : this.clientBindings.get(name);
          if (!binding) throw new BindingNotFoundError(`binding ${name} is not available`);
          // The structured log travels as notifications (spec §11.7): logging never waits on the client.
          if (kind === 'client' && name === LOG && binding.notify) {
            binding.notify(args);
            return Promise.resolve(null);
          }
          return binding.call(args, { signal, sessionId: this.init.sessionId });
        }),
      );
      return ctx.callFunction(vm.helper('install'), ctx.undefined, own(ctx.newString(name)), fn);
    });
    // The server refuses names that clash with the sandbox's globals before they get here; should
    // one still fail to install, the binding is missing for guest code rather than the thread lost.
    if (result.error) result.error.dispose();
    else result.value.dispose();
  }

  private uninstall(name: string): void {
    const vm = this.vm.vm;
    const ctx = vm.context;
    scoped((own) => ctx.unwrapResult(ctx.callFunction(vm.helper('uninstall'), ctx.undefined, own(ctx.newString(name)))).dispose());
  }

  /** Sends one console line; a line longer than {@link MAX_GUEST_TEXT} becomes one string argument, cut with a marker. */
  private forwardConsole(level: string, json: string): void {
    const binding = this.clientBindings.get(CONSOLE);
    if (!binding) return;
    let args: unknown;
    try {
      args = JSON.parse(json);
    } catch {
      return;
    }
    if (json.length > MAX_GUEST_TEXT && Array.isArray(args)) {
      const text = args.map((arg: unknown) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
      args = [cutText(text, MAX_GUEST_TEXT)];
    }
    if (binding.notify) return binding.notify({ level, args });
    binding.call({ level, args }, { signal: this.lifetime.signal, sessionId: this.init.sessionId }).catch(() => {});
  }
}
