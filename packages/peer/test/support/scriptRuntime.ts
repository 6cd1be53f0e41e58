import type { HostFunction, Runtime, RuntimeBinding, RuntimeFactory, RuntimeInit } from '../../src/index.js';
import { CancelledError, EvalError } from '../../src/index.js';

/** What a script sees: every binding by name, a persistent state object, and the eval's signal. */
export interface ScriptScope {
  call(name: string, args?: unknown): Promise<unknown>;
  /** Fire-and-forget call, as runtimes route `console` output. */
  notify(name: string, args?: unknown): void;
  state: Record<string, unknown>;
  signal: AbortSignal;
}
export type Script = (scope: ScriptScope) => unknown;

/**
 * A test runtime whose "code" names a script registered in advance, so peer tests control
 * exactly what an eval does without depending on any real language runtime.
 */
export function scriptRuntimeFactory(scripts: Record<string, Script>) {
  const runtimes: ScriptRuntime[] = [];
  const factory: RuntimeFactory & { runtimes: ScriptRuntime[] } = {
    runtimes,
    create(init) {
      const runtime = new ScriptRuntime(init, scripts);
      runtimes.push(runtime);
      return runtime;
    },
  };
  return factory;
}

export class ScriptRuntime implements Runtime {
  readonly state: Record<string, unknown> = {};
  clientBindings: readonly RuntimeBinding[] = [];
  disposed = false;
  evals = 0;
  constructor(
    readonly init: RuntimeInit,
    private readonly scripts: Record<string, Script>,
  ) {}

  async eval(code: string, options: { signal?: AbortSignal } = {}): Promise<unknown> {
    this.evals++;
    const script = this.scripts[code];
    if (!script) throw new EvalError(`unknown script ${code}`, { name: 'ReferenceError', message: `${code} is not defined` });
    const signal = options.signal ?? new AbortController().signal;
    const call = (name: string, args?: unknown) => {
      const binding = [...this.init.bindings, ...this.clientBindings].find((b) => b.meta.name === name);
      if (!binding) return Promise.reject(new EvalError(`${name} is not defined`, { name: 'ReferenceError', message: `${name} is not defined` }));
      return binding.call(args, { signal, sessionId: this.init.sessionId });
    };
    const notify = (name: string, args?: unknown) => {
      this.clientBindings.find((b) => b.meta.name === name)?.notify?.(args);
    };
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(new CancelledError('eval cancelled'));
      signal.addEventListener('abort', () => reject(new CancelledError('eval cancelled')), { once: true });
    });
    try {
      return await Promise.race([Promise.resolve().then(() => script({ call, notify, state: this.state, signal })), aborted]);
    } catch (error) {
      if (error instanceof Error && !('code' in error)) {
        throw new EvalError(error.message, { name: error.name, message: error.message });
      }
      throw error;
    }
  }

  setClientBindings(bindings: readonly RuntimeBinding[]): void {
    this.clientBindings = bindings;
  }

  stats() {
    return { liveFunctions: 0 };
  }

  dispose(): void {
    this.disposed = true;
  }
}

export type { HostFunction };
