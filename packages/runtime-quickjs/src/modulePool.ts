import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

/** One WebAssembly instance of QuickJS and the sessions placed on it. */
export interface ModuleSlot {
  readonly module: QuickJSWASMModule;
  sessions: number;
  /** Set once the instance aborted (a failed assertion in C): nothing may run on it again. */
  broken: boolean;
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
  private loading: Promise<ModuleSlot> | undefined;

  constructor(private readonly options: ModulePoolOptions) {}

  async acquire(): Promise<ModuleSlot> {
    const open = this.slots.find((slot) => this.accepts(slot));
    const slot = open ?? (await this.load());
    slot.sessions++;
    return slot;
  }

  release(slot: ModuleSlot): void {
    slot.sessions--;
    if (slot.sessions <= 0 && !this.accepts(slot)) {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
    }
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
    return !slot.broken && slot.sessions < this.options.sessionsPerModule && memoryBytes(slot) <= this.options.retireModuleAboveBytes;
  }

  private load(): Promise<ModuleSlot> {
    // Concurrent creates share one instantiation instead of each loading an instance.
    this.loading ??= newQuickJSWASMModuleFromVariant(this.options.variant).then(
      (module) => {
        this.loading = undefined;
        const slot: ModuleSlot = { module, sessions: 0, broken: false };
        this.slots.push(slot);
        return slot;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading.then((slot) => (this.accepts(slot) ? slot : this.load()));
  }
}

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
