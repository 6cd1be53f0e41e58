import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

/** One WebAssembly instance of QuickJS and the sessions placed on it. */
export interface ModuleSlot {
  readonly module: QuickJSWASMModule;
  sessions: number;
  /** Set once the instance aborted (a failed assertion in C): nothing may run on it again. */
  broken: boolean;
  /** Set once its memory grew past the retirement threshold: no new sessions. */
  retired?: boolean;
  /** Set while a session's code runs: asked before the linear memory grows by `bytes`. */
  allowGrowth?: ((bytes: number) => boolean) | undefined;
}

export interface ModulePoolOptions {
  variant: QuickJSSyncVariant;
  sessionsPerModule: number;
  retireModuleAboveBytes: number;
}

/**
 * Places sessions on WebAssembly instances. All sessions of an instance share its linear memory
 * (each has its own QuickJS runtime: separate heap, limits and interrupt handler), so an instance
 * holds at most `sessionsPerModule` sessions to bound what one runaway session can cost the
 * others. An instance whose memory grew past `retireModuleAboveBytes` (WebAssembly memory never
 * shrinks) or that aborted takes no new sessions and is dropped once its last session is gone.
 */
export class ModulePool {
  private readonly slots: ModuleSlot[] = [];
  private loading: Promise<void> | undefined;

  /** `released` runs after every place given back (the owner of a spare VM checks on it then). */
  constructor(
    private readonly options: ModulePoolOptions,
    private readonly released?: () => void,
  ) {}

  async acquire(): Promise<ModuleSlot> {
    for (;;) {
      // Counting the session in the same turn as the check keeps concurrent creates within bounds.
      const open = this.slots.find((slot) => this.accepts(slot));
      if (open) {
        open.sessions++;
        return open;
      }
      await this.load();
    }
  }

  release(slot: ModuleSlot): void {
    slot.sessions--;
    if (slot.sessions <= 0 && (slot.broken || slot.retired || memoryBytes(slot) > this.options.retireModuleAboveBytes)) {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
    }
    this.released?.();
  }

  /**
   * Whether a place already held on `slot` (a spare VM's) may still go to a new session: not once
   * the instance aborted or was retired, nor once its memory grew past the retirement threshold.
   */
  open(slot: ModuleSlot): boolean {
    if (!slot.broken && !slot.retired && memoryBytes(slot) > this.options.retireModuleAboveBytes) slot.retired = true;
    return !slot.broken && !slot.retired;
  }

  stats(): { modules: number; brokenModules: number; sessions: number; memoryBytes: number } {
    let sessions = 0;
    let broken = 0;
    let memory = 0;
    for (const slot of this.slots) {
      sessions += slot.sessions;
      if (slot.broken) broken++;
      memory += memoryBytes(slot);
    }
    return { modules: this.slots.length, brokenModules: broken, sessions, memoryBytes: memory };
  }

  private accepts(slot: ModuleSlot): boolean {
    if (slot.broken || slot.retired) return false;
    // A fresh instance always takes its first session, whatever the threshold.
    if (slot.sessions > 0 && memoryBytes(slot) > this.options.retireModuleAboveBytes) {
      slot.retired = true;
      return false;
    }
    return slot.sessions < this.options.sessionsPerModule;
  }

  /** Instantiates one more instance; concurrent callers share the instantiation. */
  private load(): Promise<void> {
    this.loading ??= newQuickJSWASMModuleFromVariant(this.options.variant).then(
      (module) => {
        this.loading = undefined;
        const slot: ModuleSlot = { module, sessions: 0, broken: false };
        guardGrowth(slot);
        this.slots.push(slot);
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }
}

/**
 * Routes every growth of the instance's linear memory through `slot.allowGrowth`. Emscripten grows
 * the memory by calling `grow` on it and takes a throw for a failed allocation, which QuickJS turns
 * into its out-of-memory error; an own property on this one memory object changes nothing else.
 */
function guardGrowth(slot: ModuleSlot): void {
  let memory: WebAssembly.Memory;
  try {
    memory = slot.module.getWasmMemory();
  } catch {
    return;
  }
  const grow = memory.grow;
  memory.grow = (pages: number): number => {
    if (slot.allowGrowth && !slot.allowGrowth(pages * WASM_PAGE_BYTES)) throw new RangeError('memory growth refused: memory limit');
    return grow.call(memory, pages);
  };
}

const WASM_PAGE_BYTES = 64 * 1024;

const memories = new WeakMap<QuickJSWASMModule, { buffer: ArrayBuffer } | null>();

/** Current size of an instance's linear memory (0 when the build does not expose it). */
export function memoryBytes(slot: ModuleSlot): number {
  let memory = memories.get(slot.module);
  if (memory === undefined) {
    try {
      memory = slot.module.getWasmMemory() as { buffer: ArrayBuffer };
    } catch {
      memory = null;
    }
    memories.set(slot.module, memory);
  }
  return memory ? memory.buffer.byteLength : 0;
}
