import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

/** One WebAssembly instance of QuickJS and the sessions placed on it. */
export interface ModuleSlot {
  readonly module: QuickJSWASMModule;
  sessions: number;
  /** Set once the instance aborted (a failed assertion in C): nothing may run on it again. */
  broken: boolean;
  /** Set once its memory grew past the retirement threshold: no new sessions. */
  retired?: boolean;
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

  constructor(private readonly options: ModulePoolOptions) {}

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
        this.slots.push({ module, sessions: 0, broken: false });
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
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
