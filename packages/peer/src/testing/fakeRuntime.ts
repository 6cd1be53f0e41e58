import { CONSOLE_BINDING_NAME } from '@scomp/protocol';
import { CancelledError, EvalError, LimitExceededError, RefNotFoundError } from '../errors.js';
import type {
  EvalOptions,
  HostFunction,
  Runtime,
  RuntimeBinding,
  RuntimeFactory,
  RuntimeInit,
  RuntimeStats,
} from '../runtime.js';
import type { RuntimeCapabilities } from './runtimeConformance.js';

const AsyncFunction = (Object.getPrototypeOf(async () => {}) as object).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<unknown>;

/** What {@link FakeRuntime} cannot do; pass to `runtimeConformance({ capabilities })`. */
export const FAKE_RUNTIME_CAPABILITIES: RuntimeCapabilities = {
  declarations: false,
  interruptsRunningCode: false,
  cancelsBusyCode: false,
  stackLines: false,
};

const DEFAULT_RESULT_BYTES = 4 * 1024 * 1024;

/**
 * A Runtime for tests of the peer itself, with no interpreter: code runs in the host process
 * through an `AsyncFunction`. It is NOT a sandbox and must never run untrusted code.
 *
 * Conventions:
 * - The code is one expression (top-level `await` allowed); its value is the result. Code that is
 *   not an expression runs as an async function body and yields what it `return`s.
 * - Persistence: an assignment to an undeclared name (`x = 1`) is kept in the session's scope and
 *   visible to later evals. Declarations (`const x = 1`) are local to one eval.
 * - Bindings are globals of that scope; dotted names become nested namespace objects.
 * - Running code cannot be interrupted; cancel and `timeoutMs` end an eval only while it awaits.
 *   `evalTimeoutMs`, `memoryBytes` and `stackBytes` are not enforced; `resultBytes` is.
 */
export class FakeRuntime implements Runtime {
  private readonly scope = Object.create(null) as Record<string | symbol, unknown>;
  private clientNames: string[] = [];
  private readonly liveFunctions = new Set<HostFunction>();
  private readonly pending = new Set<(error: Error) => void>();
  private disposed = false;
  private readonly resultBytes: number;

  constructor(private readonly init: RuntimeInit) {
    this.resultBytes = init.limits?.resultBytes ?? DEFAULT_RESULT_BYTES;
    for (const binding of init.bindings) this.install(binding);
    this.scope.console = this.makeConsole();
  }

  async eval(code: string, options: EvalOptions = {}): Promise<unknown> {
    if (this.disposed) throw new CancelledError('runtime disposed');
    if (options.signal?.aborted) throw new CancelledError('eval cancelled');
    const run = this.compile(code);
    let stop!: (error: Error) => void;
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    const onAbort = () => stop(new CancelledError('eval cancelled'));
    options.signal?.addEventListener('abort', onAbort);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => stop(new LimitExceededError('time limit exceeded', { limit: 'time', max: options.timeoutMs })), options.timeoutMs);
    this.pending.add(stop);
    try {
      const value = await Promise.race([run(this.proxy).then((result) => result), stopped]);
      return this.toHost(value);
    } catch (error) {
      if (error instanceof CancelledError || error instanceof LimitExceededError || error instanceof EvalError) throw error;
      throw thrownToEvalError(error);
    } finally {
      this.pending.delete(stop);
      options.signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  setClientBindings(bindings: readonly RuntimeBinding[]): void {
    for (const name of this.clientNames) this.remove(name);
    this.clientNames = [];
    for (const binding of bindings) {
      if (binding.meta.name === CONSOLE_BINDING_NAME) this.consoleBinding = binding;
      else {
        this.install(binding);
        this.clientNames.push(binding.meta.name);
      }
    }
    if (!bindings.some((binding) => binding.meta.name === CONSOLE_BINDING_NAME)) this.consoleBinding = undefined;
  }

  stats(): RuntimeStats {
    return { liveFunctions: this.liveFunctions.size };
  }

  dispose(): void {
    this.disposed = true;
    for (const stop of this.pending) stop(new CancelledError('runtime disposed'));
    this.liveFunctions.clear();
  }

  private consoleBinding: RuntimeBinding | undefined;

  /** Lookups fall through to the host's globals; assignments to unknown names stay in the scope. */
  private readonly proxy = new Proxy(this.scope, {
    has: (_, key) => key !== Symbol.unscopables,
    get: (target, key) => (key in target ? target[key] : (globalThis as Record<string | symbol, unknown>)[key]),
    set: (target, key, value) => {
      target[key] = value;
      return true;
    },
  });

  private compile(code: string): (scope: object) => Promise<unknown> {
    try {
      return new AsyncFunction('scope', `with (scope) { return (${code}\n); }`) as (scope: object) => Promise<unknown>;
    } catch {
      try {
        return new AsyncFunction('scope', `with (scope) { ${code}\n}`) as (scope: object) => Promise<unknown>;
      } catch (error) {
        throw thrownToEvalError(error);
      }
    }
  }

  private install(binding: RuntimeBinding): void {
    const parts = binding.meta.name.split('.');
    let target = this.scope as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) {
      const next = target[part];
      target = (typeof next === 'object' && next !== null ? next : (target[part] = {})) as Record<string, unknown>;
    }
    target[parts[parts.length - 1]!] = async (args?: unknown) => {
      if (this.disposed) throw new CancelledError('runtime disposed');
      const hostArgs = this.toHost(args);
      return binding.call(hostArgs, { signal: new AbortController().signal, sessionId: this.init.sessionId });
    };
  }

  private remove(name: string): void {
    const parts = name.split('.');
    let target = this.scope as Record<string, unknown> | undefined;
    for (const part of parts.slice(0, -1)) target = target?.[part] as Record<string, unknown> | undefined;
    if (target) delete target[parts[parts.length - 1]!];
  }

  private makeConsole(): Record<string, (...args: unknown[]) => void> {
    const log =
      (level: string) =>
      (...args: unknown[]): void => {
        const binding = this.consoleBinding;
        if (!binding) return;
        const message = { level, args: toJsonValue(args, () => null) };
        if (binding.notify) return binding.notify(message);
        binding
          .call(message, { signal: new AbortController().signal, sessionId: this.init.sessionId })
          .catch(() => {});
      };
    return { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
  }

  private toHost(value: unknown): unknown {
    const converted = toJsonValue(value, (fn) => this.wrap(fn as (args?: unknown) => unknown));
    const size = JSON.stringify(converted)?.length ?? 0;
    if (size > this.resultBytes) throw new LimitExceededError('resultBytes limit exceeded', { limit: 'resultBytes', max: this.resultBytes });
    return converted;
  }

  private wrap(fn: (args?: unknown) => unknown): HostFunction {
    let released = false;
    const hostFn = (async (args?: unknown) => {
      if (released || this.disposed) throw new RefNotFoundError('function released');
      try {
        return this.toHost(await fn(args));
      } catch (error) {
        throw error instanceof LimitExceededError ? error : thrownToEvalError(error);
      }
    }) as HostFunction;
    hostFn[Symbol.dispose] = () => {
      released = true;
      this.liveFunctions.delete(hostFn);
    };
    this.liveFunctions.add(hostFn);
    return hostFn;
  }
}

/** Converts a value by the runtime conversion table (the same rules as the reference runtime). */
// `typeof value === 'function'` narrows to `Function`, which is what the callback is handed.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function toJsonValue(value: unknown, onFunction: (fn: Function) => unknown): unknown {
  const ancestors: object[] = [];
  const path: string[] = [];
  const SKIP = Symbol('skip');
  const walk = (node: unknown, key: string, inArray: boolean): unknown => {
    switch (typeof node) {
      case 'undefined':
      case 'symbol':
        return inArray ? null : SKIP;
      case 'number':
        return Number.isFinite(node) ? (node === 0 ? 0 : node) : null;
      case 'bigint':
        return String(node);
      case 'string':
      case 'boolean':
        return node;
      case 'function':
        return onFunction(node);
      case 'object':
        break;
    }
    if (node === null) return null;
    const object = node as Record<string, unknown>;
    if (ancestors.includes(object)) {
      const pointer = path.map((part) => `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
      throw new TypeError(`result contains a cycle at ${pointer}`);
    }
    ancestors.push(object);
    try {
      if (typeof object.toJSON === 'function') return walk((object.toJSON as (key: string) => unknown)(key), key, inArray);
      const child = (item: unknown, name: string | number, itemInArray: boolean) => {
        path.push(String(name));
        try {
          return walk(item, String(name), itemInArray);
        } finally {
          path.pop();
        }
      };
      if (object instanceof Error) return { name: String(object.name), message: String(object.message) };
      if (object instanceof Map) return [...object].map((entry, index) => child(entry, index, true));
      if (object instanceof Set) return [...object].map((item, index) => child(item, index, true));
      if (object instanceof ArrayBuffer) return [...new Uint8Array(object)];
      if (object instanceof DataView) return [...new Uint8Array(object.buffer, object.byteOffset, object.byteLength)];
      if (ArrayBuffer.isView(object)) return Array.from(object as unknown as ArrayLike<unknown>, (item, index) => child(item, index, true));
      if (Array.isArray(object)) return object.map((item, index) => child(item, index, true));
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(object)) {
        const converted = child(object[name], name, false);
        if (converted !== SKIP) out[name] = converted;
      }
      return out;
    } finally {
      ancestors.pop();
    }
  };
  const result = walk(value, '', false);
  return result === SKIP ? undefined : result;
}

function thrownToEvalError(thrown: unknown): EvalError {
  if (thrown instanceof Error) {
    const data: { name: string; message: string; stack?: string } = { name: thrown.name, message: thrown.message };
    return new EvalError(`${thrown.name}: ${thrown.message}`, data);
  }
  let message: string;
  try {
    message = typeof thrown === 'object' && thrown !== null ? JSON.stringify(thrown) : String(thrown);
  } catch {
    message = String(thrown);
  }
  return new EvalError(`Thrown: ${message}`, { name: 'Thrown', message });
}

/** A factory of {@link FakeRuntime}s: test-only, not a sandbox. */
export function createFakeRuntimeFactory(): RuntimeFactory {
  return { create: (init) => new FakeRuntime(init) };
}
