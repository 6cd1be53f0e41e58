import {
  BindingNotFoundError,
  CancelledError,
  LimitExceededError,
  RefNotFoundError,
  ScompError,
  toScompError,
  type EvalOptions,
  type HostFunction,
  type Runtime,
  type RuntimeBinding,
  type RuntimeInit,
  type RuntimeLimits,
  type RuntimeStats,
} from '@scomp/peer';
import type { QuickJSDeferredPromise, QuickJSHandle } from 'quickjs-emscripten-core';
import { CpuBudget, type Clock } from './budget.js';
import { cancelledError, evalError, limitError, resourceLimitOf, type InterruptReason, type ThrownDetail } from './errorsMap.js';
import { EVAL_FLAGS_ASYNC_GLOBAL, GuestVm, INPUT_FILENAME } from './guestVm.js';
import { placeFunctions, splitFunctions, type Path } from './hostValues.js';
import { utf8Length } from './limits.js';
import { memoryBytes, type ModulePool, type ModuleSlot } from './modulePool.js';
import { rewriteDeclarations } from './rewrite.js';

export interface SessionDeps {
  pool: ModulePool;
  slot: ModuleSlot;
  limits: Required<RuntimeLimits>;
  clock: Clock;
  memoryCheckIntervalMs: number;
}

interface ActiveEval {
  cancelled: boolean;
  /** Aborted when the eval is cancelled or fails on a limit; bindings it called see it. */
  controller: AbortController;
  stopped: Promise<never>;
  stop(error: Error): void;
}

interface GuestFunctionEntry {
  handle: QuickJSHandle;
  vm: GuestVm;
  disposed: boolean;
}

const CONSOLE = 'console';
const JOB_SLICE = 1000;

/** One session on QuickJS. See the package README for the evaluation semantics. */
export class QuickJsRuntime implements Runtime {
  private vm: GuestVm;
  private slot: ModuleSlot;
  private readonly budget: CpuBudget;
  private interrupt: InterruptReason | undefined;
  private current: ActiveEval | undefined;
  private readonly serverBindings: Map<string, RuntimeBinding>;
  private clientBindings = new Map<string, RuntimeBinding>();
  private readonly watchers = new Map<number, (ok: boolean, value: QuickJSHandle) => void>();
  private nextToken = 1;
  private readonly deferreds = new Set<QuickJSDeferredPromise>();
  private readonly guestFunctions = new Set<GuestFunctionEntry>();
  private readonly receivedFunctions = new Set<HostFunction>();
  private readonly lifetime = new AbortController();
  private readonly lifetimeStopped: Promise<never>;
  private lastMemoryCheck = 0;
  /** Linear memory of the instance when this session last started running guest code. */
  private memoryAtStart = 0;
  private pumpScheduled = false;
  private disposed = false;

  constructor(
    private readonly init: RuntimeInit,
    private readonly deps: SessionDeps,
  ) {
    this.slot = deps.slot;
    this.budget = new CpuBudget(deps.limits.evalTimeoutMs, deps.clock);
    this.serverBindings = new Map(init.bindings.map((binding) => [binding.meta.name, binding]));
    this.lifetimeStopped = new Promise<never>((_, reject) => {
      this.lifetime.signal.addEventListener('abort', () => reject(new CancelledError('runtime disposed')));
    });
    this.lifetimeStopped.catch(() => {});
    this.vm = this.createVm();
  }

  private createVm(): GuestVm {
    const vm = new GuestVm(this.slot.module, this.deps.limits, {
      shouldInterrupt: () => this.shouldInterrupt(),
      console: (level, json) => this.forwardConsole(level, json),
      settled: (token, ok, value) => {
        const watcher = this.watchers.get(token);
        this.watchers.delete(token);
        if (watcher) watcher(ok, value);
        else value.dispose();
      },
    });
    this.vm = vm;
    return vm;
  }

  /** Runs the prelude and installs the bindings before the first guest code of this VM runs. */
  private prepareVm(): GuestVm {
    const vm = this.vm;
    if (vm.prepared) return vm;
    vm.installPrelude();
    for (const name of this.serverBindings.keys()) this.installBinding(name, 'server');
    for (const name of this.clientBindings.keys()) {
      if (name !== CONSOLE && !this.serverBindings.has(name)) this.installBinding(name, 'client');
    }
    return vm;
  }

  // ----- Runtime -----

  async eval(code: string, options: EvalOptions = {}): Promise<unknown> {
    if (this.disposed) throw new CancelledError('runtime disposed');
    const { signal, timeoutMs } = options;
    if (signal?.aborted) throw cancelledError(signal.reason);
    const active = this.startEval();
    const onAbort = () => {
      active.cancelled = true;
      active.stop(cancelledError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort);
    const timer =
      timeoutMs === undefined ? undefined : setTimeout(() => active.stop(limitError('time', { max: timeoutMs })), timeoutMs);
    const stop = Promise.race([active.stopped, this.lifetimeStopped]);
    stop.catch(() => {});
    try {
      const source = rewriteDeclarations(code);
      const vm = this.prepareVm();
      const result = this.enter(() => vm.context.evalCode(source, INPUT_FILENAME, EVAL_FLAGS_ASYNC_GLOBAL));
      if (result.error) throw this.thrown(result.error);
      const completion = await this.settle(result.value, stop);
      const value = vm.context.getProp(completion, 'value');
      completion.dispose();
      // A promise as the final value is awaited, so `getOrder({ id })` without `await` yields the order.
      const settled = await this.settle(value, stop);
      return this.toHostValue(settled, this.deps.limits.resultBytes, true);
    } catch (error) {
      throw await this.finishError(error, active);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
      this.current = undefined;
    }
  }

  setClientBindings(bindings: readonly RuntimeBinding[]): void {
    if (this.disposed) return;
    const installed = this.vm.prepared;
    if (installed) for (const name of this.clientBindings.keys()) if (name !== CONSOLE && !this.serverBindings.has(name)) this.uninstall(name);
    this.clientBindings = new Map(bindings.map((binding) => [binding.meta.name, binding]));
    if (!installed) return;
    for (const name of this.clientBindings.keys()) {
      if (name !== CONSOLE && !this.serverBindings.has(name)) this.installBinding(name, 'client');
    }
  }

  stats(): RuntimeStats {
    return {
      liveFunctions: this.guestFunctions.size,
      pendingHostCalls: this.deferreds.size,
      receivedFunctions: this.receivedFunctions.size,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.current?.stop(new CancelledError('runtime disposed'));
    this.lifetime.abort();
    try {
      this.teardownVm(true);
    } finally {
      this.deps.pool.release(this.slot);
    }
  }

  // ----- evaluation plumbing -----

  private startEval(): ActiveEval {
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
    this.memoryAtStart = memoryBytes(this.slot);
    return active;
  }

  /** Outside an eval, each entry from the host gets a fresh CPU allowance. */
  private beginActivation(): void {
    if (this.current || this.budget.running) return;
    this.interrupt = undefined;
    this.budget.reset(this.deps.limits.evalTimeoutMs);
    this.memoryAtStart = memoryBytes(this.slot);
  }

  private enter<T>(run: () => T): T {
    this.budget.resume();
    try {
      return run();
    } finally {
      this.budget.pause();
    }
  }

  private shouldInterrupt(): boolean {
    if (this.interrupt) return true;
    if (this.current?.cancelled) this.interrupt = 'cancel';
    else if (this.budget.exceeded()) this.interrupt = 'time';
    else {
      // Heap accounting walks the heap, so it runs on an interval, or at once when the shared
      // linear memory grew by more than the limit while this session ran (only this session
      // runs while its code runs, so a burst of allocation shows up there first).
      const now = this.deps.clock();
      const memory = memoryBytes(this.slot);
      const grew = memory - this.memoryAtStart > this.deps.limits.memoryBytes;
      if (grew || now - this.lastMemoryCheck >= this.deps.memoryCheckIntervalMs) {
        this.lastMemoryCheck = now;
        this.memoryAtStart = memory;
        if (this.vm.heapBytes() > this.deps.limits.memoryBytes) this.interrupt = 'memory';
      }
    }
    return this.interrupt !== undefined;
  }

  /**
   * Runs queued promise jobs. A slice runs at most JOB_SLICE jobs; if more are queued the rest run
   * on a later macrotask, so that a cancel can arrive while guest code loops through promises.
   * Errors that escape a job end the current eval.
   */
  private pump(): void {
    const runtime = this.vm.runtime;
    if (!runtime.alive || !runtime.hasPendingJob()) return;
    const result = this.enter(() => runtime.executePendingJobs(JOB_SLICE));
    if (result.error) {
      const error = this.thrown(result.error);
      this.current?.stop(error);
    }
    if (runtime.hasPendingJob() && !this.pumpScheduled) {
      this.pumpScheduled = true;
      setTimeout(() => {
        this.pumpScheduled = false;
        if (!this.disposed) this.pump();
      }, 0);
    }
  }

  /** Waits for a guest promise (or passes a plain value through). Consumes `handle`. */
  private async settle(handle: QuickJSHandle, stop: Promise<never>): Promise<QuickJSHandle> {
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
  private thrown(errorHandle: QuickJSHandle): Error {
    if (this.interrupt) {
      errorHandle.dispose();
      return this.interruptError(this.interrupt);
    }
    const detail = this.describe(errorHandle);
    const limit = resourceLimitOf(detail);
    if (limit) return limitError(limit);
    return evalError(detail);
  }

  private describe(errorHandle: QuickJSHandle): ThrownDetail {
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

  private interruptError(reason: InterruptReason): Error {
    if (reason === 'cancel') return cancelledError();
    if (reason === 'time') return limitError('time', { max: this.deps.limits.evalTimeoutMs });
    return limitError('memory', { max: this.deps.limits.memoryBytes });
  }

  /** Turns whatever ended an eval into the error the caller sees, resetting the session if it is unusable. */
  private async finishError(error: unknown, active: ActiveEval): Promise<Error> {
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

  /** After a cancel or limit, the eval's queued jobs are interrupted as they start, so none runs on. */
  private haltGuestJobs(reason: InterruptReason): void {
    const runtime = this.vm.runtime;
    this.interrupt ??= reason;
    while (runtime.alive && runtime.hasPendingJob()) {
      const result = runtime.executePendingJobs();
      if (result.error) result.error.dispose();
    }
    this.interrupt = undefined;
  }

  /** True when the context still evaluates code after an out-of-memory error. */
  private probe(): boolean {
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

  private async resetVm(moduleBroken: boolean): Promise<void> {
    if (moduleBroken) this.slot.broken = true;
    this.teardownVm();
    if (this.slot.broken) {
      this.deps.pool.release(this.slot);
      this.slot = await this.deps.pool.acquire();
    }
    this.createVm();
  }

  /** Frees the VM. A failure to free cleanly means leaked handles (a bug) or an aborted instance. */
  private teardownVm(rethrow = false): void {
    this.watchers.clear();
    for (const entry of this.guestFunctions) {
      entry.disposed = true;
      if (entry.handle.alive) entry.handle.dispose();
    }
    this.guestFunctions.clear();
    for (const deferred of this.deferreds) if (deferred.alive) deferred.dispose();
    this.deferreds.clear();
    for (const fn of this.receivedFunctions) fn[Symbol.dispose]?.();
    this.receivedFunctions.clear();
    try {
      this.vm.dispose();
    } catch (error) {
      // The instance's state is now unknown: it must not host sessions again.
      this.slot.broken = true;
      if (rethrow) throw error;
    }
  }

  // ----- values across the boundary -----

  /** Guest → host following the conversion table. Consumes `handle`. */
  private toHostValue(handle: QuickJSHandle, maxBytes: number, withFunctions: boolean): unknown {
    const vm = this.vm;
    const ctx = vm.context;
    const limit = ctx.newNumber(maxBytes);
    const allow = withFunctions ? ctx.true : ctx.false;
    const result = this.enter(() => ctx.callFunction(vm.helper('toHost'), ctx.undefined, handle, limit, allow));
    limit.dispose();
    handle.dispose();
    if (result.error) throw this.thrown(result.error);
    const tuple = result.value;
    try {
      const jsonHandle = ctx.getProp(tuple, 0);
      const json = ctx.typeof(jsonHandle) === 'string' ? ctx.getString(jsonHandle) : undefined;
      jsonHandle.dispose();
      if (json === 'too-large' || (json !== undefined && utf8Length(json) > maxBytes)) {
        throw limitError('resultBytes', { max: maxBytes });
      }
      const pathsHandle = ctx.getProp(tuple, 2);
      const paths = JSON.parse(ctx.getString(pathsHandle)) as Path[];
      pathsHandle.dispose();
      const fnsHandle = ctx.getProp(tuple, 1);
      const fns = paths.map((_, index) => this.wrapGuestFunction(ctx.getProp(fnsHandle, index)));
      fnsHandle.dispose();
      const value = json === undefined ? undefined : JSON.parse(json);
      return placeFunctions(value, fns, paths);
    } finally {
      tuple.dispose();
    }
  }

  /** Host → guest: JSON plus HostFunctions. Returns an owned handle. */
  private toGuestValue(value: unknown): QuickJSHandle {
    const vm = this.vm;
    const ctx = vm.context;
    const { json, fns, paths } = splitFunctions(value);
    if (json === undefined && fns.length === 0) return ctx.undefined;
    const jsonHandle = json === undefined ? ctx.undefined : ctx.newString(json);
    const fnArray = ctx.newArray();
    fns.forEach((fn, index) => {
      const guestFn = this.wrapHostFunction(fn);
      ctx.setProp(fnArray, index, guestFn);
      guestFn.dispose();
    });
    const pathsHandle = ctx.newString(JSON.stringify(paths));
    const result = this.enter(() => ctx.callFunction(vm.helper('fromHost'), ctx.undefined, jsonHandle, fnArray, pathsHandle));
    jsonHandle.dispose();
    fnArray.dispose();
    pathsHandle.dispose();
    if (result.error) throw this.thrown(result.error);
    return result.value;
  }

  private errorToGuest(error: unknown): QuickJSHandle {
    const ctx = this.vm.context;
    const scomp = toScompError(error);
    const detail: Record<string, unknown> = { name: scomp.name, message: scomp.message, code: scomp.code };
    if (scomp.data !== undefined) detail.data = scomp.data;
    let json: string;
    try {
      json = JSON.stringify(detail);
    } catch {
      json = JSON.stringify({ name: scomp.name, message: scomp.message, code: scomp.code });
    }
    const jsonHandle = ctx.newString(json);
    const made = this.enter(() => ctx.callFunction(this.vm.helper('makeError'), ctx.undefined, jsonHandle));
    jsonHandle.dispose();
    return made.error ?? made.value;
  }

  /** A guest function handed to the host becomes a HostFunction holding a handle until disposed. */
  private wrapGuestFunction(handle: QuickJSHandle): HostFunction {
    const entry: GuestFunctionEntry = { handle, vm: this.vm, disposed: false };
    this.guestFunctions.add(entry);
    const call = async (args?: unknown): Promise<unknown> => {
      if (entry.disposed || this.disposed || entry.vm !== this.vm) throw new RefNotFoundError('function released');
      this.beginActivation();
      const vm = this.vm;
      const argHandle = this.toGuestValue(args);
      const result = this.enter(() => vm.context.callFunction(entry.handle, vm.context.undefined, argHandle));
      argHandle.dispose();
      if (result.error) throw this.thrown(result.error);
      const stop = this.current ? Promise.race([this.current.stopped, this.lifetimeStopped]) : this.lifetimeStopped;
      stop.catch(() => {});
      const settled = await this.settle(result.value, stop);
      return this.toHostValue(settled, this.deps.limits.resultBytes, true);
    };
    const hostFn = call as HostFunction;
    hostFn[Symbol.dispose] = () => {
      if (entry.disposed) return;
      entry.disposed = true;
      this.guestFunctions.delete(entry);
      if (entry.handle.alive) entry.handle.dispose();
    };
    return hostFn;
  }

  /** A HostFunction handed to the guest becomes an async guest function. The runtime now owns it. */
  private wrapHostFunction(fn: HostFunction): QuickJSHandle {
    this.receivedFunctions.add(fn);
    return this.vm.context.newFunction(fn.name || 'fn', (arg) => this.callHost((args) => fn(args), arg));
  }

  private installBinding(name: string, kind: 'server' | 'client'): void {
    const vm = this.vm;
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    const fn = vm.context.newFunction(leaf, (arg) =>
      this.callHost((args, signal) => {
        const binding = kind === 'server' ? this.serverBindings.get(name) : this.clientBindings.get(name);
        if (!binding) throw new BindingNotFoundError(`binding ${name} is not available`);
        return binding.call(args, { signal, sessionId: this.init.sessionId });
      }, arg),
    );
    const nameHandle = vm.context.newString(name);
    const result = vm.context.callFunction(vm.helper('install'), vm.context.undefined, nameHandle, fn);
    nameHandle.dispose();
    fn.dispose();
    vm.context.unwrapResult(result).dispose();
  }

  private uninstall(name: string): void {
    const vm = this.vm;
    const nameHandle = vm.context.newString(name);
    const result = vm.context.callFunction(vm.helper('uninstall'), vm.context.undefined, nameHandle);
    nameHandle.dispose();
    vm.context.unwrapResult(result).dispose();
  }

  /** The guest side of every call out: a guest promise settled when the host call settles. */
  private callHost(invoke: (args: unknown, signal: AbortSignal) => Promise<unknown>, argHandle: QuickJSHandle | undefined): QuickJSHandle {
    const vm = this.vm;
    const deferred = vm.context.newPromise();
    this.deferreds.add(deferred);
    let args: unknown;
    try {
      args = argHandle ? this.toHostValue(argHandle.dup(), this.deps.limits.resultBytes, true) : undefined;
    } catch (error) {
      this.finishHostCall(deferred, false, error);
      return deferred.handle;
    }
    const signal = this.current?.controller.signal ?? this.lifetime.signal;
    Promise.resolve()
      .then(() => invoke(args, signal))
      .then(
        (value) => this.finishHostCall(deferred, true, value),
        (error: unknown) => this.finishHostCall(deferred, false, error),
      );
    return deferred.handle;
  }

  private finishHostCall(deferred: QuickJSDeferredPromise, ok: boolean, value: unknown): void {
    if (!this.deferreds.delete(deferred)) return;
    this.beginActivation();
    try {
      let handle: QuickJSHandle;
      try {
        handle = ok ? this.toGuestValue(value) : this.errorToGuest(value);
      } catch (error) {
        ok = false;
        handle = this.errorToGuest(error instanceof ScompError ? error : new TypeError(String(error)));
      }
      this.enter(() => (ok ? deferred.resolve(handle) : deferred.reject(handle)));
      if (handle.alive) handle.dispose();
    } finally {
      if (deferred.alive) deferred.dispose();
    }
    this.pump();
  }

  private forwardConsole(level: string, json: string): void {
    const binding = this.clientBindings.get(CONSOLE);
    if (!binding) return;
    let args: unknown;
    try {
      args = JSON.parse(json);
    } catch {
      return;
    }
    if (binding.notify) return binding.notify({ level, args });
    binding.call({ level, args }, { signal: this.lifetime.signal, sessionId: this.init.sessionId }).catch(() => {});
  }
}

function isWasmAbort(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === 'RuntimeError';
}
