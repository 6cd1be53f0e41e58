import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { MAX_VALUE_DEPTH, SENTINEL_KEY } from '@scomp/protocol/value-rules';
import { scoped } from './handleScope.js';
import { PRELUDE_SCRIPT, PRELUDE_SOURCE } from './preludeSource.js';

const HELPERS = ['toHost', 'fromHost', 'describeError', 'watch', 'caller', 'settleCall', 'install', 'uninstall'] as const;
export type HelperName = (typeof HELPERS)[number];

/** Global code, with top-level `await` and the final expression's value (`{ value }`). */
export const EVAL_FLAGS_ASYNC_GLOBAL = 1 << 7;
export const INPUT_FILENAME = '<eval>';

export interface GuestVmHooks {
  shouldInterrupt(): boolean;
  console(level: string, json: string): void;
  settled(token: number, ok: boolean, value: QuickJSHandle): void;
  /** Schedules `callback` (an owned handle) after `delayMs`; returns the timer id. */
  setTimer(callback: QuickJSHandle, delayMs: number): number;
  clearTimer(id: number): void;
}

export interface GuestVmLimits {
  memoryBytes: number;
  stackBytes: number;
}

/**
 * One QuickJS runtime and context with the prelude installed. Owns every handle it creates;
 * `dispose` frees them all before the runtime itself.
 */
export class GuestVm {
  readonly runtime: QuickJSRuntime;
  readonly context: QuickJSContext;
  private readonly helpers = new Map<HelperName, QuickJSHandle>();

  constructor(
    module: QuickJSWASMModule,
    limits: GuestVmLimits,
    private hooks: GuestVmHooks,
  ) {
    this.runtime = module.newRuntime();
    try {
      this.runtime.setMemoryLimit(limits.memoryBytes);
      this.runtime.setMaxStackSize(limits.stackBytes);
      this.context = this.runtime.newContext();
      // Lets computeMemoryUsage use this context instead of creating another one.
      this.runtime.context = this.context;
      // Every job runs in this one context. quickjs-emscripten's executePendingJobs reads the
      // context of the last job through a view of the WebAssembly memory, which the jobs detach
      // when they grow the memory; it then makes a new context that nothing frees, and freeing the
      // runtime aborts on it (justjake/quickjs-emscripten#240).
      const context = this.context;
      this.runtime.newContext = () => context;
      this.runtime.setInterruptHandler(() => this.hooks.shouldInterrupt());
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /**
   * True once the prelude ran. It runs on a session's first use, or ahead of any session in a
   * worker thread's spare VM (see InlineSessions), which keeps creating a session cheap.
   */
  get prepared(): boolean {
    return this.helpers.size > 0;
  }

  /** Gives a VM made ahead to the session that takes it: that session's limits and hooks from now on. */
  adopt(limits: GuestVmLimits, hooks: GuestVmHooks): void {
    this.runtime.setMemoryLimit(limits.memoryBytes);
    this.runtime.setMaxStackSize(limits.stackBytes);
    this.hooks = hooks;
  }

  installPrelude(): void {
    if (this.prepared) return;
    const ctx = this.context;
    // Read at each call, not captured: a spare VM's hooks change when a session adopts it.
    const hooks = (): GuestVmHooks => this.hooks;
    scoped((own) => {
      const factory = own(ctx.unwrapResult(ctx.evalCode(PRELUDE_SOURCE, PRELUDE_SCRIPT, { type: 'global', strict: true })));
      const consoleFn = own(
        ctx.newFunction('console', (level, json) => {
          hooks().console(ctx.getString(level), ctx.getString(json));
        }),
      );
      const settledFn = own(
        ctx.newFunction('settled', (token, ok, value) => {
          hooks().settled(ctx.getNumber(token), ctx.getNumber(ok) === 1, value.dup());
        }),
      );
      const setTimerFn = own(
        ctx.newFunction('setTimer', (callback, delay) => ctx.newNumber(hooks().setTimer(callback.dup(), ctx.getNumber(delay)))),
      );
      const clearTimerFn = own(
        ctx.newFunction('clearTimer', (id) => {
          hooks().clearTimer(ctx.getNumber(id));
        }),
      );
      // The value rules the host's walker follows, so the guest's conversions refuse what it would.
      const maxDepth = own(ctx.newNumber(MAX_VALUE_DEPTH));
      const sentinel = own(ctx.newString(SENTINEL_KEY));
      const helpers = ctx.callFunction(factory, ctx.undefined, consoleFn, settledFn, setTimerFn, clearTimerFn, maxDepth, sentinel);
      const object = own(ctx.unwrapResult(helpers));
      for (const name of HELPERS) this.helpers.set(name, ctx.getProp(object, name));
    });
  }

  helper(name: HelperName): QuickJSHandle {
    const handle = this.helpers.get(name);
    if (!handle) throw new Error(`missing helper ${name}`);
    return handle;
  }

  /** Live heap of this runtime by QuickJS's own accounting (`setMemoryLimit` alone does not cap it). */
  heapBytes(): number {
    return scoped((own) => {
      const usage = own(this.runtime.computeMemoryUsage());
      return this.context.getNumber(own(this.context.getProp(usage, 'memory_used_size')));
    });
  }

  get alive(): boolean {
    return this.runtime.alive;
  }

  dispose(): void {
    for (const handle of this.helpers.values()) if (handle.alive) handle.dispose();
    this.helpers.clear();
    if (this.context?.alive) this.context.dispose();
    if (this.runtime.alive) this.runtime.dispose();
  }
}
