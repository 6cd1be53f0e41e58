import type { Runtime, RuntimeFactory, RuntimeInit, RuntimeLimits } from '@scomp/peer';
import releaseVariant from '@jitl/quickjs-wasmfile-release-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import { availableParallelism } from 'node:os';
import type { Clock } from './budget.js';
import { SANDBOX_GLOBALS } from './globals.js';
import { InlineSessions, type InlineOptions, type InstanceStats } from './inlineSessions.js';
import { resolveLimits } from './limits.js';
import { WorkerPool } from './worker/workerPool.js';
import { WorkerRuntime } from './worker/workerRuntime.js';

const RELEASE_VARIANT = '@jitl/quickjs-wasmfile-release-sync';

export interface QuickJsRuntimeFactoryOptions {
  /** Limits for every session; a session's own `limits` override them field by field. */
  limits?: RuntimeLimits;
  /**
   * Where guest code runs. `'worker'`: on worker threads, so a cancel or a watchdog reaches code
   * that keeps its thread busy and one busy session never stalls this thread. `'main'`: on the
   * calling thread, which is faster per call but lets a busy loop hold the thread until its CPU
   * limit ends it.
   * @default 'worker'
   */
  runIn?: 'worker' | 'main';
  /**
   * Worker threads sessions are spread over (`runIn: 'worker'`): each new session goes to a thread
   * of its own until there are this many, then to the thread with the fewest sessions. Guest code
   * that keeps its thread busy delays only the sessions on that thread, so more threads keep more
   * neighbours answered; threads beyond the cores share them through the operating system. Threads
   * start as sessions arrive and each costs about 30 MiB.
   * @default twice `os.availableParallelism()`
   */
  workerThreads?: number;
  /**
   * Sessions placed on one worker thread at most (`runIn: 'worker'`); more threads start only when
   * all are full. A thread stopped by the watchdog resets all of its sessions.
   * @default 256
   */
  sessionsPerWorker?: number;
  /**
   * How long guest code may run past its time limit, or past a cancel, before the watchdog stops its
   * worker thread (`runIn: 'worker'`). Only code that cannot be interrupted gets that far.
   * @default 1000
   */
  watchdogGraceMs?: number;
  /**
   * Sessions placed on one WebAssembly instance. Lower isolates better (a session that exhausts
   * the instance's memory only hurts its neighbours there); higher costs less memory per session.
   * @default 256
   */
  sessionsPerModule?: number;
  /**
   * An instance whose memory grew past this takes no new sessions and is freed with its last one.
   * @default 268435456 (256 MiB)
   */
  retireModuleAboveBytes?: number;
  /**
   * How often, in CPU milliseconds of guest code, the session's heap is measured against `memoryBytes`.
   * @default 10
   */
  memoryCheckIntervalMs?: number;
  /**
   * The QuickJS build: a sync variant object (`runIn: 'main'` only), or the name of a module
   * exporting one as default, e.g. `'@jitl/quickjs-wasmfile-debug-sync'`.
   * @default '@jitl/quickjs-wasmfile-release-sync'
   */
  variant?: QuickJSSyncVariant | string;
  /** Monotonic clock in milliseconds for CPU accounting (`runIn: 'main'` only). @default performance.now */
  clock?: Clock;
}

/** Creates sessions on QuickJS compiled to WebAssembly. */
export class QuickJsRuntimeFactory implements RuntimeFactory {
  /** The sandbox's global names, which bindings may not take (see RuntimeFactory.reservedNames). */
  readonly reservedNames: ReadonlySet<string> = SANDBOX_GLOBALS;
  private readonly base: Omit<InlineOptions, 'variant' | 'clock'>;
  private readonly workers: WorkerPool | undefined;
  private inline: Promise<InlineSessions> | undefined;
  private inlineStats: (() => InstanceStats) | undefined;

  constructor(private readonly options: QuickJsRuntimeFactoryOptions = {}) {
    this.base = {
      ...(options.limits ? { limits: options.limits } : {}),
      sessionsPerModule: options.sessionsPerModule ?? 256,
      retireModuleAboveBytes: options.retireModuleAboveBytes ?? 256 * 1024 * 1024,
      memoryCheckIntervalMs: options.memoryCheckIntervalMs ?? 10,
    };
    if ((options.runIn ?? 'worker') === 'main') return;
    if (options.clock) throw new TypeError("clock applies to runIn: 'main' only");
    if (options.variant !== undefined && typeof options.variant !== 'string') {
      throw new TypeError("a variant object cannot cross into a worker: pass its module name, or use runIn: 'main'");
    }
    const workerThreads = options.workerThreads ?? 2 * availableParallelism();
    if (!Number.isSafeInteger(workerThreads) || workerThreads < 1) throw new TypeError('workerThreads must be a positive integer');
    this.workers = new WorkerPool({
      workerThreads,
      sessionsPerWorker: options.sessionsPerWorker ?? 256,
      watchdogGraceMs: options.watchdogGraceMs ?? 1000,
      variant: options.variant ?? RELEASE_VARIANT,
      inline: this.base,
    });
  }

  async create(init: RuntimeInit): Promise<Runtime> {
    if (!this.workers) return (await this.inlineSessions()).create(init);
    const runtime = new WorkerRuntime(this.workers, init, resolveLimits(this.options.limits, init.limits).evalTimeoutMs);
    // Not awaited: the thread creates the session while the handshake is answered, and the first
    // eval waits for it, so a handshake never waits for a thread round trip (nor a thread's boot).
    // A creation that fails fails that eval; the next one starts the session over on a thread.
    runtime.start().catch(() => {});
    return runtime;
  }

  /**
   * Worker threads (0 with `runIn: 'main'`) and how many were ever started, WebAssembly instances
   * in use, how many are broken, live sessions, and their total linear memory. Worker figures are
   * as of each thread's latest reply.
   */
  stats(): InstanceStats & { workers: number; workersStarted: number } {
    if (this.workers) return this.workers.stats();
    return { workers: 0, workersStarted: 0, ...(this.inlineStats?.() ?? { modules: 0, brokenModules: 0, sessions: 0, spareVms: 0, memoryBytes: 0 }) };
  }

  /**
   * Sessions on each worker thread, in the order the threads started, counting sessions still
   * being created (empty with `runIn: 'main'`).
   */
  placement(): number[] {
    return this.workers?.placement() ?? [];
  }

  /** Stops the worker threads. Sessions still open fail their pending work with CancelledError. */
  async close(): Promise<void> {
    await this.workers?.close();
  }

  private inlineSessions(): Promise<InlineSessions> {
    const { variant, clock } = this.options;
    this.inline ??= (
      typeof variant === 'string'
        ? import(variant).then((module: { default: QuickJSSyncVariant }) => module.default)
        : Promise.resolve(variant ?? (releaseVariant as unknown as QuickJSSyncVariant))
    ).then((loaded) => {
      const sessions = new InlineSessions({ ...this.base, variant: loaded, clock: clock ?? (() => performance.now()) });
      this.inlineStats = () => sessions.stats();
      return sessions;
    });
    return this.inline;
  }
}

export function createQuickJsRuntimeFactory(options: QuickJsRuntimeFactoryOptions = {}): QuickJsRuntimeFactory {
  return new QuickJsRuntimeFactory(options);
}
