export interface ReconnectOptions {
  /** Attempts before giving up. @default 10 */
  maxAttempts?: number;
  /** Delay before the first attempt. @default 100 */
  initialDelayMs?: number;
  /** Upper bound of the delay between attempts. @default 5000 */
  maxDelayMs?: number;
  /** Random spread applied to each delay, 0..1. @default 0.2 */
  jitter?: number;
}

/** Exponential backoff with jitter: the delay before attempt `attempt` (1-based). */
export function nextDelayMs(attempt: number, options: ReconnectOptions = {}): number {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  const jitter = options.jitter ?? 0.2;
  const base = Math.min(max, initial * 2 ** (attempt - 1));
  return Math.round(base * (1 - jitter + Math.random() * 2 * jitter));
}
