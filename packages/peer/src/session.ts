import type { BindingMeta, EvalParams } from '@scomp/protocol';
import { CancelledError, DisconnectedError, InvalidParamsError, LimitExceededError, ScompError } from './errors.js';
import type { Binding } from './binding.js';
import { BindingAccess } from './bindingAccess.js';
import { RawJson } from './rawJson.js';
import type { EvalOptions, Runtime } from './runtime.js';

export interface AttachedClient {
  /** The bindings the client declared in its handshake. */
  readonly clientBindings: readonly BindingMeta[];
  invokeClient(name: string, args: unknown, signal?: AbortSignal): Promise<unknown>;
  notifyClient(name: string, args: unknown): void;
  close(info: { code?: number; reason?: string }): void;
}

/** Who a session belongs to, as the server's authenticate hook decided. */
export interface Principal {
  id: string;
  [key: string]: unknown;
}

export interface SessionLimits {
  /** Evals waiting behind the running one; more are refused with LimitExceeded. @default 16 */
  maxQueuedEvals: number;
  /**
   * Outcomes kept for retries by idempotency key. Their bytes are bounded too: each is at most the
   * runtime's `resultBytes`. @default 32
   */
  maxStoredOutcomes: number;
  /** How long an outcome stays retrievable after it settles. @default 600000 */
  outcomeTtlMs: number;
  /**
   * Serialized bytes of the settled outcomes kept; the oldest are forgotten first, and an outcome
   * larger than this is not kept at all. @default 16777216 (16 MiB)
   */
  maxStoredOutcomeBytes?: number;
}

interface StoredOutcome {
  code: string;
  promise: Promise<unknown>;
  expiresAt: number;
  /** Serialized size once settled. */
  bytes: number;
}

/** The JSON size of a settled outcome (functions count as nothing). */
function outcomeBytes(outcome: unknown): number {
  if (outcome instanceof RawJson) return outcome.text.length;
  try {
    return JSON.stringify(outcome instanceof ScompError ? outcome.toErrorObject() : outcome)?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * A session: one runtime and its state, which outlive connections. Evals run one at a time in
 * arrival order; an eval keeps running if its connection drops, and its outcome stays available
 * under its idempotency key for a bounded time.
 */
export class Session {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private readonly outcomes = new Map<string, StoredOutcome>();
  private storedBytes = 0;
  private disposed = false;
  lastActivity = Date.now();
  /** The connection currently serving this session, if any. */
  attached: AttachedClient | undefined;

  constructor(
    readonly id: string,
    readonly principal: Principal,
    readonly runtime: Runtime,
    private readonly limits: SessionLimits,
    /** The server's bindings when the session was created, as its client narrowed them; kept across resumes. */
    readonly access: BindingAccess = new BindingAccess(new Map(), undefined),
  ) {}

  /** The server bindings the session sees: its runtime's globals, kept across resumes. */
  get serverBindings(): ReadonlyMap<string, Binding> {
    return this.access.bindings;
  }

  get queueLength(): number {
    return this.queued;
  }

  /** Queues an eval; the result is a host value (JSON plus functions). */
  eval(params: EvalParams, cancelSignal: AbortSignal): Promise<unknown> {
    this.lastActivity = Date.now();
    this.pruneOutcomes();
    if (params.key !== undefined) {
      const stored = this.outcomes.get(params.key);
      if (stored && stored.code !== params.code) {
        return Promise.reject(
          InvalidParamsError.fromIssues([{ path: '/key', message: 'key was already used for different code' }]),
        );
      }
      if (stored) return stored.promise;
    }
    if (this.queued > this.limits.maxQueuedEvals) {
      return Promise.reject(
        new LimitExceededError(`more than ${this.limits.maxQueuedEvals} evals queued`, {
          limit: 'evalQueue',
          max: this.limits.maxQueuedEvals,
        }),
      );
    }
    this.queued++;
    const run = this.tail.then(() => {
      if (this.disposed) throw new DisconnectedError('session ended');
      if (cancelSignal.aborted) throw new CancelledError('eval cancelled before it started');
      // The outcome is only sent on (and kept for retries): text the runtime holds stays text.
      const options: EvalOptions = { signal: cancelSignal, acceptRawJson: true };
      if (params.timeoutMs !== undefined) options.timeoutMs = params.timeoutMs;
      if (params.key !== undefined) options.key = params.key;
      return this.runtime.eval(params.code, options);
    });
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.tail = settled;
    void settled.then(() => {
      this.queued--;
      this.lastActivity = Date.now();
    });
    if (params.key !== undefined) {
      const key = params.key;
      const stored: StoredOutcome = { code: params.code, promise: run, expiresAt: Number.POSITIVE_INFINITY, bytes: 0 };
      this.outcomes.set(key, stored);
      run.then(
        (value) => this.keep(key, stored, value),
        (error: unknown) => this.keep(key, stored, error),
      );
    }
    return run;
  }

  /** The client's bindings as the runtime sees them; `client` is undefined while none is attached. */
  setClientBindings(metas: readonly BindingMeta[], client: AttachedClient | undefined): void {
    const detached = () => Promise.reject(new DisconnectedError('no client is connected to this session'));
    this.runtime.setClientBindings(
      metas.map((meta) => ({
        meta,
        call: client ? (args, context) => client.invokeClient(meta.name, args, context.signal) : detached,
        notify: (args) => client?.notifyClient(meta.name, args),
      })),
    );
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.outcomes.clear();
    this.storedBytes = 0;
    await this.runtime.dispose();
  }

  /** A keyed eval settled: its outcome is kept for its time to live, within the byte budget. */
  private keep(key: string, stored: StoredOutcome, outcome: unknown): void {
    if (this.outcomes.get(key) !== stored) return;
    stored.expiresAt = Date.now() + this.limits.outcomeTtlMs;
    stored.bytes = outcomeBytes(outcome);
    this.storedBytes += stored.bytes;
    const maxBytes = this.limits.maxStoredOutcomeBytes ?? 16 * 1024 * 1024;
    // Only settled outcomes are forgotten for space: forgetting a running eval's key would let a
    // retry run it a second time.
    for (const [oldKey, old] of this.outcomes) {
      if (this.storedBytes <= maxBytes) break;
      if (old.expiresAt !== Number.POSITIVE_INFINITY) this.forget(oldKey);
    }
  }

  private forget(key: string): void {
    const stored = this.outcomes.get(key);
    if (!stored) return;
    this.outcomes.delete(key);
    this.storedBytes -= stored.bytes;
  }

  private pruneOutcomes(): void {
    const now = Date.now();
    for (const [key, stored] of this.outcomes) if (stored.expiresAt <= now) this.forget(key);
    while (this.outcomes.size >= this.limits.maxStoredOutcomes) {
      const oldest = this.outcomes.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
  }
}
