import { isHostStackOverflow, isWasmAbort } from './errorsMap.js';

/** A QuickJS handle, or anything else freed once. */
export interface OwnedHandle {
  readonly alive: boolean;
  dispose(): void;
}

/** Marks a handle as owned by the running scope; returns it. */
export type Own = <THandle extends OwnedHandle>(handle: THandle) => THandle;

/**
 * Runs `run`, then frees the handles it passed to `own`, last first, whether it returned or threw.
 * One exception: when the interpreter stopped mid-operation (the host stack ran out inside it, or
 * its instance aborted), nothing more is freed in it. Objects it was building are still linked,
 * and freeing into them could corrupt the instance the session shares with others; the session
 * abandons that VM instead (see SessionVm).
 */
export function scoped<T>(run: (own: Own) => T): T {
  const owned: OwnedHandle[] = [];
  try {
    return run((handle) => {
      owned.push(handle);
      return handle;
    });
  } catch (error) {
    if (isHostStackOverflow(error) || isWasmAbort(error)) owned.length = 0;
    throw error;
  } finally {
    for (let index = owned.length - 1; index >= 0; index--) {
      const handle = owned[index]!;
      if (handle.alive) handle.dispose();
    }
  }
}
