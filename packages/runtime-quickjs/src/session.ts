import { CancelledError } from '@scomp/peer/authoring';
import type { EvalOptions, Runtime, RuntimeBinding, RuntimeInit, RuntimeStats } from '@scomp/peer';
import { CONSOLE, GuestBridge } from './bridge.js';
import { cancelledError, limitError } from './errorsMap.js';
import { EVAL_FLAGS_ASYNC_GLOBAL, INPUT_FILENAME, type GuestVm } from './guestVm.js';
import { rewriteDeclarations } from './rewrite.js';
import type { SessionDeps } from './sessionCore.js';

/** One session on QuickJS. See the package README for the evaluation semantics. */
export class QuickJsRuntime extends GuestBridge implements Runtime {
  constructor(init: RuntimeInit, deps: SessionDeps) {
    super(init, deps);
  }

  /** Runs the prelude and installs the bindings before the first guest code of this VM runs. */
  protected prepareVm(): GuestVm {
    const vm = this.vm;
    if (vm.prepared) return vm;
    // The prelude is the runtime's own code: a cancel or limit must not stop it halfway.
    this.trusted = true;
    try {
      vm.installPrelude();
      for (const name of this.serverBindings.keys()) this.installBinding(name, 'server');
      for (const name of this.clientBindings.keys()) {
        if (name !== CONSOLE && !this.serverBindings.has(name)) this.installBinding(name, 'client');
      }
    } finally {
      this.trusted = false;
    }
    return vm;
  }

  // ----- Runtime -----

  eval(code: string, options: EvalOptions = {}): Promise<unknown> {
    return this.run(code, options, false);
  }

  /** `eval`, with a result that holds no functions left as JsonText: for a caller that forwards it. */
  evalAsText(code: string, options: EvalOptions = {}): Promise<unknown> {
    return this.run(code, options, true);
  }

  private async run(code: string, options: EvalOptions, asText: boolean): Promise<unknown> {
    if (this.disposed) throw new CancelledError('runtime disposed');
    const { signal, timeoutMs } = options;
    if (signal?.aborted) throw cancelledError(signal.reason);
    const active = this.startEval();
    const onAbort = () => {
      active.cancelled = true;
      active.stop(cancelledError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort);
    // The timer ends an eval parked on the host; the deadline stops code that keeps the thread busy.
    if (timeoutMs !== undefined) active.deadline = { at: this.deps.clock() + timeoutMs, timeoutMs };
    const timer =
      timeoutMs === undefined ? undefined : setTimeout(() => active.stop(limitError('time', { max: timeoutMs })), timeoutMs);
    // dispose() stops the current eval, so its own stop promise covers that too.
    const stop = active.stopped;
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
      return this.toHostValue(settled, this.deps.limits.resultBytes, true, asText);
    } catch (error) {
      throw await this.finishError(error, active);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
      this.current = undefined;
      this.timers.keepProcessAlive(false);
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
}
