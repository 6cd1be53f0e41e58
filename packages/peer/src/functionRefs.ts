import { Method, type FunctionRef, type JsonSchema } from '@scomp/protocol';
import { encodeValue } from './codec.js';
import type { Connection } from './connection.js';
import { ConnectionClosedError, LimitExceededError, RefNotFoundError } from './errors.js';
import { checkSignatureArgs, type FnSignature } from './fnSignatures.js';
import type { HostCallOptions, HostFunction } from './runtime.js';
import { collectFunctions } from './values.js';

export interface RefStats {
  /** Functions of ours the other side may still call. */
  exported: number;
  /** Functions of theirs we hold and have not released. */
  imported: number;
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return `fn_${text}`;
}

/**
 * The function references of one connection: functions we exported (by id) and proxies for the
 * functions the other side exported to us. All of them die with the connection.
 */
export class FunctionRefs {
  private readonly exported = new Map<string, HostFunction>();
  /** The `input` schemas our sentinels announced: the issuer validates calls against them (spec §8.3). */
  private readonly inputs = new Map<string, JsonSchema>();
  /** Signatures known for the functions of the {@link encode} in progress. */
  private signatures: ReadonlyMap<HostFunction, FnSignature> | undefined;
  private readonly imported = new Set<string>();
  private readonly finalizer = new FinalizationRegistry<string>((id) => this.releaseImport(id));
  private dead = false;
  /** Ids exported by the {@link encode} in progress. */
  private batch: string[] | undefined;

  constructor(
    private readonly connection: Connection,
    /** Invokes a remote reference (encoding args, decoding the result). */
    private readonly invokeRemote: (ref: string, args: unknown, options?: HostCallOptions) => Promise<unknown>,
    private readonly maxExported = 10_000,
    /** References of the other side held at once; a value bringing more is refused. */
    private readonly maxImported = maxExported,
  ) {}

  stats(): RefStats {
    return { exported: this.exported.size, imported: this.imported.size };
  }

  /** Gives `fn` a fresh id the other side can invoke. */
  export(fn: HostFunction): FunctionRef {
    if (this.dead) throw new ConnectionClosedError('connection closed');
    if (this.exported.size >= this.maxExported) {
      throw new LimitExceededError(`more than ${this.maxExported} live function references`, {
        limit: 'refs',
        max: this.maxExported,
      });
    }
    const id = randomId();
    this.exported.set(id, fn);
    this.batch?.push(id);
    const signature = this.signatures?.get(fn);
    const sentinel: FunctionRef = { $scomp: { kind: 'fn', id } };
    if (signature?.input !== undefined) {
      sentinel.$scomp.input = signature.input;
      this.inputs.set(id, signature.input);
    }
    if (signature?.output !== undefined) sentinel.$scomp.output = signature.output;
    return sentinel;
  }

  /**
   * Encodes a value for the wire, exporting its functions. If that fails (too many references),
   * none of them stays exported and all are disposed: the value will never reach the other side.
   */
  encode(value: unknown, signatures?: ReadonlyMap<HostFunction, FnSignature>): unknown {
    const outer = this.batch;
    const outerSignatures = this.signatures;
    const batch: string[] = [];
    this.batch = batch;
    this.signatures = signatures;
    try {
      return encodeValue(value, this);
    } catch (error) {
      for (const id of batch) this.forget(id);
      for (const fn of collectFunctions(value)) fn[Symbol.dispose]?.();
      throw error;
    } finally {
      this.batch = outer;
      this.signatures = outerSignatures;
    }
  }

  /** Refuses `args` that break the `input` schema the sentinel for `id` announced. */
  checkArgs(id: string, args: unknown): void {
    const input = this.inputs.get(id);
    if (input !== undefined) checkSignatureArgs(input, args);
  }

  /** The exported function for `id`, or RefNotFound. */
  lookup(id: string): HostFunction {
    const fn = this.exported.get(id);
    if (!fn) throw new RefNotFoundError('function reference not found', { ref: id });
    return fn;
  }

  /** The other side released these ids. */
  releaseExports(ids: readonly string[]): void {
    for (const id of ids) {
      const fn = this.exported.get(id);
      if (!fn) continue;
      this.forget(id);
      fn[Symbol.dispose]?.();
    }
  }

  /** A callable proxy for a reference the other side sent. Disposing it releases the reference. */
  import(sentinel: FunctionRef): HostFunction {
    if (this.imported.size >= this.maxImported) {
      throw new LimitExceededError(`more than ${this.maxImported} live function references received`, {
        limit: 'refs',
        max: this.maxImported,
      });
    }
    const id = sentinel.$scomp.id;
    const input = sentinel.$scomp.input;
    this.imported.add(id);
    const proxy = ((args?: unknown, options?: HostCallOptions) => {
      // A release is final: the holder never invokes a released reference (spec §8.4), so the
      // call fails here as the issuer would answer it. A closed connection still fails as closed.
      if (!this.dead && !this.imported.has(id)) {
        return Promise.reject(new RefNotFoundError('function reference not found', { ref: id }));
      }
      // The issuer announced what the function takes: arguments that break it fail here, unsent.
      try {
        if (input !== undefined) checkSignatureArgs(input, args);
      } catch (error) {
        return Promise.reject(error);
      }
      return this.invokeRemote(id, args, options);
    }) as HostFunction;
    proxy[Symbol.dispose] = () => {
      this.finalizer.unregister(proxy);
      this.releaseImport(id);
    };
    this.finalizer.register(proxy, id, proxy);
    return proxy;
  }

  /** The connection closed: every reference in both directions is gone. */
  dropAll(): void {
    this.dead = true;
    const exported = [...this.exported.values()];
    this.exported.clear();
    this.inputs.clear();
    this.imported.clear();
    for (const fn of exported) fn[Symbol.dispose]?.();
  }

  private forget(id: string): void {
    this.exported.delete(id);
    this.inputs.delete(id);
  }

  private releaseImport(id: string): void {
    if (!this.imported.delete(id)) return;
    this.connection.notify(Method.release, { refs: [id] });
  }
}
