/** Lets every queued microtask and in-memory delivery run to completion (no wall-clock wait). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
