const STORAGE_KEY = 'scomp.playground.history';
const MAX_ENTRIES = 200;

/** The console's past inputs, newest last, kept in localStorage across reloads. */
export class History {
  private entries: string[];
  /** Where up/down navigation stands; `entries.length` means "the draft being typed". */
  private cursor: number;

  constructor(private readonly storage: Storage | undefined = safeLocalStorage()) {
    this.entries = load(storage);
    this.cursor = this.entries.length;
  }

  get size(): number {
    return this.entries.length;
  }

  add(code: string): void {
    if (code.trim() === '') return;
    if (this.entries[this.entries.length - 1] !== code) this.entries.push(code);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    this.cursor = this.entries.length;
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.entries));
    } catch {
      // Storage full or disabled: history still works for this page.
    }
  }

  /** The previous entry, or undefined at the oldest. */
  previous(): string | undefined {
    if (this.cursor === 0) return undefined;
    return this.entries[--this.cursor];
  }

  /** The next entry; '' past the newest (back to an empty draft), undefined when already there. */
  next(): string | undefined {
    if (this.cursor >= this.entries.length) return undefined;
    this.cursor++;
    return this.cursor === this.entries.length ? '' : this.entries[this.cursor];
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

function load(storage: Storage | undefined): string[] {
  try {
    const value: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}
