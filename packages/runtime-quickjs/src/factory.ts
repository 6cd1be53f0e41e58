import type { Runtime, RuntimeFactory, RuntimeInit, RuntimeLimits } from '@scomp/peer';
import releaseVariant from '@jitl/quickjs-wasmfile-release-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { Clock } from './budget.js';
import { resolveLimits } from './limits.js';
import { ModulePool } from './modulePool.js';
import { QuickJsRuntime } from './session.js';

export interface QuickJsRuntimeFactoryOptions {
  /** Limits for every session; a session's own `limits` override them field by field. */
  limits?: RuntimeLimits;
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
  /** The QuickJS build. @default the release build of `@jitl/quickjs-wasmfile-release-sync` */
  variant?: QuickJSSyncVariant;
  /** Monotonic clock in milliseconds for CPU accounting. @default performance.now */
  clock?: Clock;
}

/** Creates sessions on QuickJS compiled to WebAssembly. */
export class QuickJsRuntimeFactory implements RuntimeFactory {
  private readonly pool: ModulePool;
  private readonly options: QuickJsRuntimeFactoryOptions;

  constructor(options: QuickJsRuntimeFactoryOptions = {}) {
    this.options = options;
    this.pool = new ModulePool({
      variant: options.variant ?? (releaseVariant as unknown as QuickJSSyncVariant),
      sessionsPerModule: options.sessionsPerModule ?? 256,
      retireModuleAboveBytes: options.retireModuleAboveBytes ?? 256 * 1024 * 1024,
    });
  }

  async create(init: RuntimeInit): Promise<Runtime> {
    const slot = await this.pool.acquire();
    try {
      return new QuickJsRuntime(init, {
        pool: this.pool,
        slot,
        limits: resolveLimits(this.options.limits, init.limits),
        clock: this.options.clock ?? (() => performance.now()),
        memoryCheckIntervalMs: this.options.memoryCheckIntervalMs ?? 10,
      });
    } catch (error) {
      this.pool.release(slot);
      throw error;
    }
  }

  /** WebAssembly instances in use, how many are broken, live sessions, and their total linear memory. */
  stats(): { modules: number; brokenModules: number; sessions: number; memoryBytes: number } {
    return this.pool.stats();
  }
}

export function createQuickJsRuntimeFactory(options: QuickJsRuntimeFactoryOptions = {}): QuickJsRuntimeFactory {
  return new QuickJsRuntimeFactory(options);
}
