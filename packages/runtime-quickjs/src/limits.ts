import type { RuntimeLimits } from '@scomp/peer';

/** The limits a session gets when neither the factory nor the session overrides them. */
export const DEFAULT_LIMITS: Required<RuntimeLimits> = {
  /** CPU time per eval. */
  evalTimeoutMs: 10_000,
  /** Estimated heap of one session. */
  memoryBytes: 64 * 1024 * 1024,
  /** Native stack of the interpreter. */
  stackBytes: 192 * 1024,
  /** One eval result as JSON. */
  resultBytes: 4 * 1024 * 1024,
};

export function resolveLimits(...layers: (RuntimeLimits | undefined)[]): Required<RuntimeLimits> {
  const out = { ...DEFAULT_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(out) as (keyof RuntimeLimits)[]) {
      const value = layer[key];
      if (value !== undefined) out[key] = value;
    }
  }
  return out;
}
