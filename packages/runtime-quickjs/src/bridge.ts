import { BindingNotFoundError, RefNotFoundError, ScompError, toScompError, withIssues } from '@scomp/peer/authoring';
import type { ValidationIssue } from '@scomp/protocol';
import type { HostFunction } from '@scomp/peer';
import { QuickJSDeferredPromise, type QuickJSHandle } from 'quickjs-emscripten-core';
import { cutText, MAX_GUEST_TEXT } from './cutText.js';
import { limitError } from './errorsMap.js';
import { placeFunctions, splitFunctions, type ValuePath as Path } from '@scomp/peer/authoring';
import { JsonText } from './jsonText.js';
import { utf8Length } from './limits.js';
import { RecoverableSession } from './recovery.js';
import type { ActiveEval, GuestFunctionEntry } from './sessionCore.js';

export const CONSOLE = 'console';
export const LOG = 'log';

/**
 * Everything that crosses between host and guest: values both ways, guest functions as
 * HostFunctions, HostFunctions and bindings as guest async functions, console output.
 */
export abstract class GuestBridge extends RecoverableSession {
  /**
   * Guest → host following the conversion table. Consumes `handle`. With `asText`, a value without
   * functions stays the guest's JSON text (JsonText), for a caller that only forwards it.
   */
  protected toHostValue(handle: QuickJSHandle, maxBytes: number, withFunctions: boolean, asText = false): unknown {
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
      if (asText && paths.length === 0) return json === undefined ? undefined : new JsonText(json);
      const fnsHandle = ctx.getProp(tuple, 1);
      let fns: HostFunction[];
      try {
        fns = paths.map((_, index) => this.wrapGuestFunction(ctx.getProp(fnsHandle, index)));
      } finally {
        fnsHandle.dispose();
      }
      const value = json === undefined ? undefined : JSON.parse(json);
      return placeFunctions(value, fns, paths);
    } finally {
      tuple.dispose();
    }
  }

  /** Host → guest: JSON plus HostFunctions. Returns an owned handle. */
  protected toGuestValue(value: unknown): QuickJSHandle {
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

  protected errorToGuest(error: unknown): QuickJSHandle {
    const ctx = this.vm.context;
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
    const jsonHandle = ctx.newString(json);
    const made = this.enter(() => ctx.callFunction(this.vm.helper('makeError'), ctx.undefined, jsonHandle));
    jsonHandle.dispose();
    return made.error ?? made.value;
  }

  /** A guest function handed to the host becomes a HostFunction holding a handle until disposed. */
  protected wrapGuestFunction(handle: QuickJSHandle): HostFunction {
    const entry: GuestFunctionEntry = { handle, vm: this.vm, disposed: false };
    this.guestFunctions.add(entry);
    const call = async (args?: unknown): Promise<unknown> => {
      if (entry.disposed || this.disposed || entry.vm !== this.vm) throw new RefNotFoundError('function released');
      if (this.idleSpent) throw this.idleSpentError();
      this.beginActivation();
      const vm = this.vm;
      const argHandle = this.toGuestValue(args);
      const result = this.enter(() => vm.context.callFunction(entry.handle, vm.context.undefined, argHandle));
      argHandle.dispose();
      if (result.error) throw this.thrown(result.error);
      // Disposing the runtime stops the current eval, so only a call outside an eval needs its own
      // stop: disposal, or the CPU allowance outside evals running out.
      const outside = this.current ? undefined : this.untilStoppedOutsideEval();
      try {
        const settled = await this.settle(result.value, this.current?.stopped ?? outside!.stopped);
        return this.toHostValue(settled, this.deps.limits.resultBytes, true);
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
      this.failIfUnsettleable();
    };
    return hostFn;
  }

  /** A HostFunction handed to the guest becomes an async guest function. The runtime now owns it. */
  protected wrapHostFunction(fn: HostFunction): QuickJSHandle {
    if (this.receivedFunctions.size >= 1024) {
      for (const ref of this.receivedFunctions) if (!ref.deref()) this.receivedFunctions.delete(ref);
    }
    this.receivedFunctions.add(new WeakRef(fn));
    return this.vm.context.newFunction(fn.name || 'fn', (arg) => this.callHost((args) => fn(args), arg));
  }

  protected installBinding(name: string, kind: 'server' | 'client'): void {
    const vm = this.vm;
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    const fn = vm.context.newFunction(leaf, (arg) =>
      this.callHost((args, signal) => {
        const binding = kind === 'server' ? this.serverBindings.get(name) : this.clientBindings.get(name);
        if (!binding) throw new BindingNotFoundError(`binding ${name} is not available`);
        // The structured log travels as notifications (spec §11.7): logging never waits on the client.
        if (kind === 'client' && name === LOG && binding.notify) {
          binding.notify(args);
          return Promise.resolve(null);
        }
        return binding.call(args, { signal, sessionId: this.init.sessionId });
      }, arg),
    );
    const nameHandle = vm.context.newString(name);
    const result = vm.context.callFunction(vm.helper('install'), vm.context.undefined, nameHandle, fn);
    nameHandle.dispose();
    fn.dispose();
    // The server refuses names that clash with the sandbox's globals before they get here; should
    // one still fail to install, the binding is missing for guest code rather than the thread lost.
    if (result.error) result.error.dispose();
    else result.value.dispose();
  }

  protected uninstall(name: string): void {
    const vm = this.vm;
    const nameHandle = vm.context.newString(name);
    const result = vm.context.callFunction(vm.helper('uninstall'), vm.context.undefined, nameHandle);
    nameHandle.dispose();
    vm.context.unwrapResult(result).dispose();
  }

  /** The guest side of every call out: a guest promise settled when the host call settles. */
  protected callHost(invoke: (args: unknown, signal: AbortSignal) => Promise<unknown>, argHandle: QuickJSHandle | undefined): QuickJSHandle {
    const deferred = this.newDeferred();
    this.deferreds.add(deferred);
    let args: unknown;
    let refused: { error: unknown } | undefined;
    try {
      args = argHandle ? this.toHostValue(argHandle.dup(), this.deps.limits.resultBytes, true) : undefined;
    } catch (error) {
      // Settled from a job like every other call: settling now would free the promise handle
      // before it is returned to the guest.
      refused = { error };
    }
    const signal = this.current?.controller.signal ?? this.lifetime.signal;
    // The eval that made the call: once it was cancelled or stopped on a limit, what awaits the call
    // belongs to code that was told to stop, and must not run on when the call returns.
    const caller = this.current;
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

  /**
   * A guest promise with its resolvers, made by a prelude helper. quickjs-emscripten's `newPromise`
   * reads the resolvers through a view of the WebAssembly memory that the allocation itself can
   * detach by growing the memory, which fails the call at random under load.
   */
  private newDeferred(): QuickJSDeferredPromise {
    const vm = this.vm;
    const ctx = vm.context;
    const tuple = ctx.unwrapResult(ctx.callFunction(vm.helper('deferred'), ctx.undefined));
    try {
      return new QuickJSDeferredPromise({
        context: ctx,
        promiseHandle: ctx.getProp(tuple, 0),
        resolveHandle: ctx.getProp(tuple, 1),
        rejectHandle: ctx.getProp(tuple, 2),
      });
    } finally {
      tuple.dispose();
    }
  }

  protected finishHostCall(deferred: QuickJSDeferredPromise, ok: boolean, value: unknown, caller: ActiveEval | undefined): void {
    if (!this.deferreds.delete(deferred)) return;
    // Guest code outside evals used up its time, or the eval that made the call was cancelled or
    // stopped on a limit: what awaited this call does not run on (it would run outside any eval,
    // where a cancel no longer reaches it, until the CPU limit).
    if (this.idleSpent || caller?.controller.signal.aborted) return deferred.dispose();
    this.beginActivation();
    try {
      let handle: QuickJSHandle;
      try {
        handle = ok ? this.toGuestValue(value) : this.errorToGuest(value);
      } catch (error) {
        ok = false;
        handle = this.errorToGuest(error instanceof ScompError ? error : new TypeError(String(error)));
      }
      try {
        this.enter(() => (ok ? deferred.resolve(handle) : deferred.reject(handle)));
      } catch {
        // Settling runs the promise's reactions, and code there that meets its limit or a cancel is
        // interrupted, which QuickJS reports as a throw. The interrupt already ends that code (its
        // eval fails with the limit); escaping from here as an unhandled rejection would instead
        // stop the worker thread and reset every session on it.
      }
      if (handle.alive) handle.dispose();
    } finally {
      if (deferred.alive) deferred.dispose();
    }
    this.pump();
  }

  /** Sends one console line; a line longer than {@link MAX_GUEST_TEXT} becomes one string argument, cut with a marker. */
  protected forwardConsole(level: string, json: string): void {
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

function isIssueList(value: unknown): value is ValidationIssue[] {
  return (
    Array.isArray(value) &&
    value.every((issue: { path?: unknown; message?: unknown } | null) => typeof issue?.path === 'string' && typeof issue.message === 'string')
  );
}
