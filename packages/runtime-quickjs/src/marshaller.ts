import { RefNotFoundError, ScompError, toScompError, withIssues } from '@scomp/peer/authoring';
import type { ValidationIssue } from '@scomp/protocol';
import type { HostFunction } from '@scomp/peer';
import { placeFunctions, splitFunctions, type ValuePath as Path } from '@scomp/peer/authoring';
import { QuickJSDeferredPromise, type QuickJSHandle } from 'quickjs-emscripten-core';
import { limitError } from './errorsMap.js';
import { scoped } from './handleScope.js';
import type { GuestVm } from './guestVm.js';
import type { JobPump } from './jobPump.js';
import { JsonText } from './jsonText.js';
import { exceedsUtf8Bytes } from '@scomp/protocol/utf8';
import type { ActiveEval, RunGuard } from './runGuard.js';
import type { SessionVm } from './sessionVm.js';

export interface MarshallerOptions {
  /** Largest value, as JSON bytes, the guest may hand the host. */
  maxValueBytes: number;
  /**
   * Values the guest hands out through calls (arguments of calls out, results of its functions)
   * stay JSON text where they hold no functions (JsonText): for a session on a worker thread,
   * where every such value only crosses on to the supervising thread.
   * @default false
   */
  valuesAsText?: boolean;
  /** Aborted when the session is disposed. */
  lifetime: AbortSignal;
}

interface GuestFunctionEntry {
  handle: QuickJSHandle;
  vm: GuestVm;
  disposed: boolean;
}

/**
 * Everything that crosses between host and guest values: JSON both ways, guest functions as
 * HostFunctions, HostFunctions as async guest functions, errors, and the guest promises that
 * stand for calls out to the host. Owns the handles those hold.
 */
export class Marshaller {
  private readonly guestFunctions = new Set<GuestFunctionEntry>();
  private readonly deferreds = new Set<QuickJSDeferredPromise>();
  /**
   * HostFunctions handed to the guest, held weakly: once the guest drops its function, QuickJS
   * frees the host closure and the HostFunction may be collected (its owner's finalizer releases
   * it). Those still alive are disposed with the VM.
   */
  private readonly receivedFunctions = new Set<WeakRef<HostFunction>>();

  constructor(
    private readonly vm: SessionVm,
    private readonly guard: RunGuard,
    private readonly jobs: JobPump,
    private readonly options: MarshallerOptions,
  ) {
    vm.onTeardown(() => this.dropHandles());
  }

  /** Guest functions the host holds, calls out still pending, host functions the guest holds. */
  stats(): { liveFunctions: number; pendingHostCalls: number; receivedFunctions: number } {
    return { liveFunctions: this.guestFunctions.size, pendingHostCalls: this.deferreds.size, receivedFunctions: this.receivedFunctions.size };
  }

  /** Whether a call out, or a guest function the host holds, may still settle a guest promise. */
  get holdsWork(): boolean {
    return this.deferreds.size > 0 || this.guestFunctions.size > 0;
  }

  /**
   * Guest → host following the conversion table. Consumes `handle`. With `asText`, a value without
   * functions stays the guest's JSON text (JsonText), for a caller that only forwards it.
   */
  toHost(handle: QuickJSHandle, asText = false): unknown {
    const maxBytes = this.options.maxValueBytes;
    const vm = this.vm.vm;
    const ctx = vm.context;
    const result = scoped((own) => {
      const value = own(handle);
      const limit = own(ctx.newNumber(maxBytes));
      return this.guard.enter(() => ctx.callFunction(vm.helper('toHost'), ctx.undefined, value, limit, ctx.true));
    });
    if (result.error) throw this.jobs.thrown(result.error);
    return scoped((own) => {
      const tuple = own(result.value);
      const jsonHandle = own(ctx.getProp(tuple, 0));
      const json = ctx.typeof(jsonHandle) === 'string' ? ctx.getString(jsonHandle) : undefined;
      if (json === 'too-large' || (json !== undefined && exceedsUtf8Bytes(json, maxBytes))) {
        throw limitError('resultBytes', { max: maxBytes });
      }
      const paths = JSON.parse(ctx.getString(own(ctx.getProp(tuple, 2)))) as Path[];
      if (asText && paths.length === 0) return json === undefined ? undefined : new JsonText(json);
      const fnsHandle = own(ctx.getProp(tuple, 1));
      const fns = paths.map((_, index) => this.wrapGuestFunction(ctx.getProp(fnsHandle, index)));
      return placeFunctions(json === undefined ? undefined : JSON.parse(json), fns, paths);
    });
  }

  /**
   * An eval's result to the host, as {@link toHost} does. A string result is read as it is and
   * quoted here: QuickJS's `JSON.stringify` quotes a string of megabytes several times slower than
   * the host's, and a large result is most often one string. Reading a string turns a lone
   * surrogate into U+FFFD where the guest's JSON keeps its escape, so a text holding U+FFFD goes
   * the guest's way, as does every other value.
   */
  resultToHost(handle: QuickJSHandle, asText: boolean): unknown {
    const ctx = this.vm.vm.context;
    if (ctx.typeof(handle) !== 'string') return this.toHost(handle, asText);
    const maxBytes = this.options.maxValueBytes;
    return scoped((own) => {
      const value = own(handle);
      // UTF-8 takes at least a byte per character: a string this long is over the limit unread.
      if (ctx.getNumber(own(ctx.getProp(value, 'length'))) + 2 > maxBytes) throw limitError('resultBytes', { max: maxBytes });
      const text = ctx.getString(value);
      if (text.includes('\uFFFD')) return this.toHost(value.dup(), asText);
      const json = JSON.stringify(text);
      if (exceedsUtf8Bytes(json, maxBytes)) throw limitError('resultBytes', { max: maxBytes });
      return asText ? new JsonText(json) : text;
    });
  }

  /** Host → guest: JSON (or JsonText) plus HostFunctions. Returns an owned handle. */
  toGuest(value: unknown): QuickJSHandle {
    const vm = this.vm.vm;
    const ctx = vm.context;
    const { json, fns, paths } = value instanceof JsonText ? { json: value.json, fns: [], paths: [] } : splitFunctions(value);
    if (json === undefined && fns.length === 0) return ctx.undefined;
    const result = scoped((own) => {
      const jsonHandle = json === undefined ? ctx.undefined : own(ctx.newString(json));
      const fnArray = own(ctx.newArray());
      fns.forEach((fn, index) => ctx.setProp(fnArray, index, own(this.wrapHostFunction(fn))));
      const pathsHandle = own(ctx.newString(JSON.stringify(paths)));
      return this.guard.enter(() => ctx.callFunction(vm.helper('fromHost'), ctx.undefined, jsonHandle, fnArray, pathsHandle));
    });
    if (result.error) throw this.jobs.thrown(result.error);
    return result.value;
  }

  /** A host error as a guest Error with the wire's name, message, code and data. Returns an owned handle. */
  errorToGuest(error: unknown): QuickJSHandle {
    const vm = this.vm.vm;
    const ctx = vm.context;
    const scomp = toScompError(error);
    // Guest code often shows only the message (an uncaught error in a REPL), so it names the issues.
    const issues = (scomp.data as { issues?: unknown } | undefined)?.issues;
    const message = isIssueList(issues) ? withIssues(scomp.message, issues) : scomp.message;
    const detail: Record<string, unknown> = { name: scomp.name, message, code: scomp.code };
    if (scomp.data !== undefined) detail.data = scomp.data;
    let json: string;
    try {
      json = JSON.stringify(detail);
    } catch {
      json = JSON.stringify({ name: scomp.name, message, code: scomp.code });
    }
    const made = scoped((own) => {
      const jsonHandle = own(ctx.newString(json));
      return this.guard.enter(() => ctx.callFunction(vm.helper('makeError'), ctx.undefined, jsonHandle));
    });
    return made.error ?? made.value;
  }

  /** A HostFunction handed to the guest becomes an async guest function. The runtime now owns it. */
  wrapHostFunction(fn: HostFunction): QuickJSHandle {
    if (this.receivedFunctions.size >= 1024) {
      for (const ref of this.receivedFunctions) if (!ref.deref()) this.receivedFunctions.delete(ref);
    }
    this.receivedFunctions.add(new WeakRef(fn));
    return this.vm.vm.context.newFunction(fn.name || 'fn', (arg) => this.callHost((args) => fn(args), arg));
  }

  /** The guest side of every call out: a guest promise settled when the host call settles. */
  callHost(invoke: (args: unknown, signal: AbortSignal) => Promise<unknown>, argHandle: QuickJSHandle | undefined): QuickJSHandle {
    const deferred = this.newDeferred();
    this.deferreds.add(deferred);
    let args: unknown;
    let refused: { error: unknown } | undefined;
    try {
      args = argHandle ? this.toHost(argHandle.dup(), this.options.valuesAsText) : undefined;
    } catch (error) {
      // Settled from a job like every other call: settling now would free the promise handle
      // before it is returned to the guest.
      refused = { error };
    }
    const caller = this.guard.current;
    const signal = caller?.controller.signal ?? this.options.lifetime;
    // The eval that made the call: once it was cancelled or stopped on a limit, what awaits the call
    // belongs to code that was told to stop, and must not run on when the call returns.
    Promise.resolve()
      .then(() => (refused ? Promise.reject(refused.error) : invoke(args, signal)))
      .then(
        (value) => this.finishHostCall(deferred, true, value, caller),
        (error: unknown) => this.finishHostCall(deferred, false, error, caller),
      )
      // Settling fails only when the session's VM went away meanwhile; nothing is left to tell, and
      // a rejection nobody handles would end the thread with every session on it.
      .catch(() => {});
    return deferred.handle;
  }

  /** A guest function handed to the host becomes a HostFunction holding a handle until disposed. */
  private wrapGuestFunction(handle: QuickJSHandle): HostFunction {
    const entry: GuestFunctionEntry = { handle, vm: this.vm.vm, disposed: false };
    this.guestFunctions.add(entry);
    const guard = this.guard;
    const call = async (args?: unknown): Promise<unknown> => {
      if (entry.disposed || this.options.lifetime.aborted || entry.vm !== this.vm.vm) throw new RefNotFoundError('function released');
      if (guard.idleSpent) throw guard.idleSpentError();
      guard.beginActivation();
      const vm = this.vm.vm;
      const result = scoped((own) => {
        const argHandle = own(this.toGuest(args));
        return guard.enter(() => vm.context.callFunction(entry.handle, vm.context.undefined, argHandle));
      });
      if (result.error) throw this.jobs.thrown(result.error);
      // Disposing the runtime stops the current eval, so only a call outside an eval needs its own
      // stop: disposal, or the CPU allowance outside evals running out.
      const outside = guard.current ? undefined : guard.untilStoppedOutsideEval();
      try {
        const settled = await this.jobs.settle(result.value, guard.current?.stopped ?? outside!.stopped);
        return this.toHost(settled, this.options.valuesAsText);
      } finally {
        outside?.release();
      }
    };
    const hostFn = call as HostFunction;
    hostFn[Symbol.dispose] = () => {
      if (entry.disposed) return;
      entry.disposed = true;
      this.guestFunctions.delete(entry);
      if (entry.handle.alive) entry.handle.dispose();
      // That function may have been the last way to settle what the eval awaits.
      this.jobs.failIfUnsettleable();
    };
    return hostFn;
  }

  /**
   * A guest promise with its resolvers, made by a prelude helper. quickjs-emscripten's `newPromise`
   * reads the resolvers through a view of the WebAssembly memory that the allocation itself can
   * detach by growing the memory, which fails the call at random under load.
   */
  private newDeferred(): QuickJSDeferredPromise {
    const vm = this.vm.vm;
    const ctx = vm.context;
    return scoped((own) => {
      const tuple = own(ctx.unwrapResult(ctx.callFunction(vm.helper('deferred'), ctx.undefined)));
      return new QuickJSDeferredPromise({
        context: ctx,
        promiseHandle: ctx.getProp(tuple, 0),
        resolveHandle: ctx.getProp(tuple, 1),
        rejectHandle: ctx.getProp(tuple, 2),
      });
    });
  }

  private finishHostCall(deferred: QuickJSDeferredPromise, ok: boolean, value: unknown, caller: ActiveEval | undefined): void {
    if (!this.deferreds.delete(deferred)) return;
    // Guest code outside evals used up its time, or the eval that made the call was cancelled or
    // stopped on a limit: what awaited this call does not run on (it would run outside any eval,
    // where a cancel no longer reaches it, until the CPU limit).
    if (this.guard.idleSpent || caller?.controller.signal.aborted) return deferred.dispose();
    this.guard.beginActivation();
    scoped((own) => {
      own(deferred);
      let handle: QuickJSHandle;
      try {
        handle = own(ok ? this.toGuest(value) : this.errorToGuest(value));
      } catch (error) {
        ok = false;
        handle = own(this.errorToGuest(error instanceof ScompError ? error : new TypeError(String(error))));
      }
      try {
        this.guard.enter(() => (ok ? deferred.resolve(handle) : deferred.reject(handle)));
      } catch {
        // Settling runs the promise's reactions, and code there that meets its limit or a cancel is
        // interrupted, which QuickJS reports as a throw. The interrupt already ends that code (its
        // eval fails with the limit); escaping from here as an unhandled rejection would instead
        // stop the worker thread and reset every session on it.
      }
    });
    this.jobs.pump();
  }

  private dropHandles(): void {
    for (const entry of this.guestFunctions) {
      entry.disposed = true;
      if (entry.handle.alive) entry.handle.dispose();
    }
    this.guestFunctions.clear();
    for (const deferred of this.deferreds) if (deferred.alive) deferred.dispose();
    this.deferreds.clear();
    for (const ref of this.receivedFunctions) ref.deref()?.[Symbol.dispose]?.();
    this.receivedFunctions.clear();
  }
}

function isIssueList(value: unknown): value is ValidationIssue[] {
  return (
    Array.isArray(value) &&
    value.every((issue: { path?: unknown; message?: unknown } | null) => typeof issue?.path === 'string' && typeof issue.message === 'string')
  );
}
