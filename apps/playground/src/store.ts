import { useEffect, useState } from 'preact/hooks';

/** Something the page shows that changes over time: views subscribe and re-render on `changed()`. */
export class Store {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Coalesces a burst of changes (a message flood) into one re-render per task. */
  protected changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}

/** Re-renders the calling component whenever `store` changes. */
export function useStore<TStore extends Store>(store: TStore): TStore {
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((version) => version + 1)), [store]);
  return store;
}
