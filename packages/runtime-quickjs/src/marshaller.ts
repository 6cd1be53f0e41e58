import { RefNotFoundError, ScompError } from '@scomp/peer/authoring';
import type { HostFunction } from '@scomp/peer';
import { placeFunctions, splitFunctions, type ValuePath as Path } from '@scomp/peer/authoring';
import type { QuickJSHandle } from 'quickjs-emscripten-core';
import { errorJson, limitError } from './errorsMap.js';
import { scoped, type Own } from './handleScope.js';
import type { GuestVm } from './guestVm.js';
import { readGuestString, readGuestText } from './guestText.js';
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

interface PendingCall {
  /** The eval that made the call, if one was running. */
  caller: ActiveEval | undefined;
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
  /** Calls out the guest awaits, by the id the prelude gave them. */
  private readonly calls = new Map<number, PendingCall>();
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
    return { liveFunctions: this.guestFunctions.size, pendingHostCalls: this.calls.size, receivedFunctions: this.receivedFunctions.size };
  }

  /** Whether a call out, or a guest function the host holds, may still settle a guest promise. */
  get holdsWork(): boolean {
    return this.calls.size > 0 || this.guestFunctions.size > 0;
  }

  /**
   * Guest → host following the conversion table. Consumes `handle`. With `asText`, a value without
   * functions stays the guest's JSON text (JsonText), for a caller that only forwards it.
   */
  toHost(handle: QuickJSHandle, asText = false): unknown {
    const vm = this.vm.vm;
    const ctx = vm.context;
    const result = scoped((own) => {
      const value = own(handle);
      const limit = own(ctx.newNumber(this.options.maxValueBytes));
      return this.guard.enter(() => ctx.callFunction(vm.helper('toHost'), ctx.undefined, value, limit, ctx.true));
    });
    if (result.error) throw this.jobs.thrown(result.error);
    return scoped((own) => {
      const tuple = own(result.value);
      const jsonHandle = own(ctx.getProp(tuple, 0));
      const json = ctx.typeof(jsonHandle) === 'string' ? readGuestText(ctx, jsonHandle).text : undefined;
      if (json === 'too-large') throw limitError('resultBytes', { max: this.options.maxValueBytes });
      const paths = ctx.getString(own(ctx.getProp(tuple, 2)));
      return this.fromGuestText(json, paths, paths === '[]' ? undefined : own(ctx.getProp(tuple, 1)), asText);
    });
  }

  /**
   * An eval's result to the host, as {@link toHost} does. A string result is read as it is and
   * quoted here: QuickJS's `JSON.stringify` quotes a string of megabytes several times slower than
   * the host's, and a large result is most often one string. Most strings need no escape at all,
   * and then quoting is two characters and the UTF-8 size is the size just read, so the text is
   * not walked again. Reading a string turns a lone surrogate into U+FFFD, and ends it at a U+0000,
   * where the guest's JSON keeps both exactly: such a text goes the guest's way, as does every other
   * value.
   */
  resultToHost(handle: QuickJSHandle, asText: boolean): unknown {
    const ctx = this.vm.vm.context;
    if (ctx.typeof(handle) !== 'string') return this.toHost(handle, asText);
    const maxBytes = this.options.maxValueBytes;
    return scoped((own) => {
      const value = own(handle);
      const length = ctx.getNumber(own(ctx.getProp(value, 'length')));
      // UTF-8 takes at least a byte per character: a string this long is over the limit unread.
      if (length + 2 > maxBytes) throw limitError('resultBytes', { max: maxBytes });
      const { text, utf8Bytes, plain } = readGuestString(ctx, value);
      if (text.length !== length || text.includes('\uFFFD')) return this.toHost(value.dup(), asText);
      const json = plain ? (asText ? `"${text}"` : undefined) : JSON.stringify(text);
      if (plain ? utf8Bytes + 2 > maxBytes : exceedsUtf8Bytes(json!, maxBytes)) throw limitError('resultBytes', { max: maxBytes });
      return asText ? new JsonText(json!) : text;
    });
  }

  /**
   * A value the guest's `toHost` wrote: its JSON text, the paths of its functions as JSON text, and
   * (when there are any) the array of those functions, which become HostFunctions.
   */
  private fromGuestText(json: string | undefined, paths: string, fnsHandle: QuickJSHandle | undefined, asText: boolean): unknown {
    const maxBytes = this.options.maxValueBytes;
    if (json !== undefined && exceedsUtf8Bytes(json, maxBytes)) throw limitError('resultBytes', { max: maxBytes });
    if (fnsHandle === undefined) {
      if (json === undefined) return undefined;
      return asText ? new JsonText(json) : JSON.parse(json);
    }
    const ctx = this.vm.vm.context;
    const fnPaths = JSON.parse(paths) as Path[];
    const fns = fnPaths.map((_, index) => this.wrapGuestFunction(ctx.getProp(fnsHandle, index)));
    return placeFunctions(json === undefined ? undefined : JSON.parse(json), fns, fnPaths);
  }

  /** Host → guest: JSON (or JsonText) plus HostFunctions. Returns an owned handle. */
  toGuest(value: unknown): QuickJSHandle {
    const vm = this.vm.vm;
    const ctx = vm.context;
    const { json, fns, paths } = splitHostValue(value);
    if (json === undefined && fns.length === 0) return ctx.undefined;
    const result = scoped((own) => {
      const [jsonHandle, fnArray, pathsHandle] = this.guestParts(own, json, fns, paths);
      return this.guard.enter(() => ctx.callFunction(vm.helper('fromHost'), ctx.undefined, jsonHandle, fnArray, pathsHandle));
    });
    if (result.error) throw this.jobs.thrown(result.error);
    return result.value;
  }

  /** fromHost's arguments as handles: the JSON text, the functions (as guest functions) and their paths. */
  private guestParts(own: Own, json: string | undefined, fns: HostFunction[], paths: Path[]): [QuickJSHandle, QuickJSHandle, QuickJSHandle] {
    const ctx = this.vm.vm.context;
    const fnArray = own(ctx.newArray());
    fns.forEach((fn, index) => ctx.setProp(fnArray, index, own(this.wrapHostFunction(fn))));
    return [json === undefined ? ctx.undefined : own(ctx.newString(json)), fnArray, own(ctx.newString(JSON.stringify(paths)))];
  }

  /** A HostFunction handed to the guest becomes an async guest function. The runtime now owns it. */
  wrapHostFunction(fn: HostFunction): QuickJSHandle {
    if (this.receivedFunctions.size >= 1024) {
      for (const ref of this.receivedFunctions) if (!ref.deref()) this.receivedFunctions.delete(ref);
    }
    this.receivedFunctions.add(new WeakRef(fn));
    return this.callOut((args) => fn(args), fn.name || 'fn');
  }

  /**
   * A guest function that calls out to the host: `invoke` gets the converted argument and the
   * signal of the eval that made the call, and its result settles the promise the guest awaits.
   * The guest converts the argument itself and crosses once per call (the prelude's `caller`).
   * `name` names the guest function (`fn` when not given). Returns an owned handle.
   */
  callOut(invoke: (args: unknown, signal: AbortSignal) => Promise<unknown>, name?: string): QuickJSHandle {
    const vm = this.vm.vm;
    const ctx = vm.context;
    return scoped((own) => {
      const hostFn = own(ctx.newFunction('call', (...parts) => this.startCall(invoke, parts)));
      const limit = own(ctx.newNumber(this.options.maxValueBytes));
      const named = name === undefined ? [] : [own(ctx.newString(name))];
      return ctx.unwrapResult(ctx.callFunction(vm.helper('caller'), ctx.undefined, hostFn, limit, ...named));
    });
  }

  /** The host side of a call out (see callOut): `parts` are the prelude's `(id, json, paths?, fns?, thrown?)`, borrowed. */
  private startCall(invoke: (args: unknown, signal: AbortSignal) => Promise<unknown>, parts: QuickJSHandle[]): void {
    const ctx = this.vm.vm.context;
    const id = ctx.getNumber(parts[0]!);
    const call: PendingCall = { caller: this.guard.current };
    this.calls.set(id, call);
    let args: unknown;
    let refused: { error: unknown } | undefined;
    try {
      if (parts.length >= 5) throw this.jobs.thrown(parts[4]!.dup());
      const json = readGuestText(ctx, parts[1]!).text;
      if (json === 'too-large') throw limitError('resultBytes', { max: this.options.maxValueBytes });
      args = this.fromGuestText(json === '' ? undefined : json, parts.length >= 4 ? ctx.getString(parts[2]!) : '[]', parts[3], this.options.valuesAsText ?? false);
    } catch (error) {
      // Settled from a job like every other call, so a refused call fails the same way.
      refused = { error };
    }
    // The eval that made the call: once it was cancelled or stopped on a limit, what awaits the call
    // belongs to code that was told to stop, and must not run on when the call returns.
    const signal = call.caller?.signal ?? this.options.lifetime;
    Promise.resolve()
      .then(() => (refused ? Promise.reject(refused.error) : invoke(args, signal)))
      .then(
        (value) => this.finishCall(id, call, true, value),
        (error: unknown) => this.finishCall(id, call, false, error),
      )
      // Settling fails only when the session's VM went away meanwhile; nothing is left to tell, and
      // a rejection nobody handles would end the thread with every session on it.
      .catch(() => {});
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


  /** Settles call `id` in the guest with the host's answer, then runs the guest code that awaited it. */
  private finishCall(id: number, call: PendingCall, ok: boolean, value: unknown): void {
    if (this.calls.get(id) !== call) return;
    this.calls.delete(id);
    // Guest code outside evals used up its time, or the eval that made the call was cancelled or
    // stopped on a limit: what awaited this call does not run on (it would run outside any eval,
    // where a cancel no longer reaches it, until the CPU limit).
    if (this.guard.idleSpent || call.caller?.signal.aborted) return this.forgetCall(id);
    this.guard.beginActivation();
    const failure = this.settleCall(id, ok, value);
    // A value that cannot become a guest value fails the call with why.
    if (failure && ok) this.settleCall(id, false, failure instanceof ScompError ? failure : new TypeError(String(failure)));
    this.jobs.pump();
  }

  /** Runs the prelude's `settleCall`; returns what it threw instead of throwing. */
  private settleCall(id: number, ok: boolean, value: unknown): Error | undefined {
    const vm = this.vm.vm;
    const ctx = vm.context;
    try {
      const result = scoped((own) => {
        const args = [own(ctx.newNumber(id)), own(ctx.newNumber(ok ? 1 : 0))];
        if (!ok) args.push(own(ctx.newString(errorJson(value))));
        else {
          const { json, fns, paths } = splitHostValue(value);
          // Without functions only the text crosses: the prelude parses it, nothing to place.
          if (fns.length === 0) args.push(json === undefined ? ctx.undefined : own(ctx.newString(json)));
          else args.push(...this.guestParts(own, json, fns, paths));
        }
        return this.guard.enter(() => ctx.callFunction(vm.helper('settleCall'), ctx.undefined, ...args));
      });
      if (result.error) return this.jobs.thrown(result.error);
      result.value.dispose();
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new TypeError(String(error));
    }
  }

  /** Drops the guest's record of a call whose answer will not be delivered. */
  private forgetCall(id: number): void {
    const vm = this.vm.vm;
    if (!vm.alive) return;
    const ctx = vm.context;
    // The prelude's own bookkeeping: no limit or cancel of the guest's code applies to it.
    scoped((own) => {
      const result = this.guard.trustedRun(() => ctx.callFunction(vm.helper('settleCall'), ctx.undefined, own(ctx.newNumber(id)), own(ctx.newNumber(2))));
      own(result.error ?? result.value);
    });
  }

  private dropHandles(): void {
    for (const entry of this.guestFunctions) {
      entry.disposed = true;
      if (entry.handle.alive) entry.handle.dispose();
    }
    this.guestFunctions.clear();
    // The guest's record of them goes with its context.
    this.calls.clear();
    for (const ref of this.receivedFunctions) ref.deref()?.[Symbol.dispose]?.();
    this.receivedFunctions.clear();
  }
}

/** A host value as JSON text plus its functions; JsonText is text already. */
function splitHostValue(value: unknown): { json: string | undefined; fns: HostFunction[]; paths: Path[] } {
  return value instanceof JsonText ? { json: value.json, fns: [], paths: [] } : splitFunctions(value);
}
