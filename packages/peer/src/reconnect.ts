import { SessionNotFoundError, UnauthorizedError, UnsupportedVersionError } from './errors.js';

/**
 * How a client re-dials after its transport drops, in the shape tRPC and TanStack Query use:
 * one function for the delay, one for whether to go on. Attempts count from 1.
 */
export interface ReconnectOptions {
  /**
   * Whether to make another attempt after attempt `attempt` failed with `error` (the typed
   * handshake error, or whatever the transport factory threw).
   * @default {@link defaultRetry}: up to 10 attempts, none after an answer that will not change
   */
  retry?: (attempt: number, error: unknown) => boolean;
  /**
   * Milliseconds to wait before attempt `attempt`; a finite number, 0 or more.
   * @default {@link defaultRetryDelayMs}: 100 ms doubling up to 5000 ms, each spread by ±20 %
   */
  retryDelayMs?: (attempt: number) => number;
}

const maxAttempts = 10;
const initialDelayMs = 100;
const maxDelayMs = 5000;
const jitter = 0.2;

/**
 * The default `retry`: up to 10 attempts, and none after SessionNotFound (the session expired),
 * Unauthorized or UnsupportedVersion, whose answers will not change on a later attempt.
 */
export function defaultRetry(attempt: number, error: unknown): boolean {
  if (error instanceof SessionNotFoundError || error instanceof UnauthorizedError || error instanceof UnsupportedVersionError) return false;
  return attempt < maxAttempts;
}

/** The default `retryDelayMs`: exponential backoff from 100 ms, capped at 5000 ms, with ±20 % jitter. */
export function defaultRetryDelayMs(attempt: number): number {
  const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (1 - jitter + Math.random() * 2 * jitter));
}

/** The policy a client runs with: `true` and `{}` mean the defaults; `false` and `undefined` mean none. */
export function reconnectPolicy(option: ReconnectOptions | boolean | undefined): Required<ReconnectOptions> | undefined {
  if (!option) return undefined;
  if (option === true) return { retry: defaultRetry, retryDelayMs: defaultRetryDelayMs };
  if (typeof option !== 'object') throw new TypeError('reconnect must be a boolean or { retry, retryDelayMs }');
  // These numeric knobs were replaced by the two functions; ignoring them would silently change behaviour.
  for (const removed of ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'jitter']) {
    if (removed in option) throw new TypeError(`reconnect.${removed} was replaced by reconnect.retry(attempt, error) and reconnect.retryDelayMs(attempt)`);
  }
  for (const key of ['retry', 'retryDelayMs'] as const) {
    if (option[key] !== undefined && typeof option[key] !== 'function') throw new TypeError(`reconnect.${key} must be a function`);
  }
  return { retry: option.retry ?? defaultRetry, retryDelayMs: option.retryDelayMs ?? defaultRetryDelayMs };
}

/** The delay `retryDelayMs` asks for, refused with a TypeError unless it is a finite number, 0 or more. */
export function checkedDelayMs(policy: Required<ReconnectOptions>, attempt: number): number {
  const delayMs = policy.retryDelayMs(attempt);
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
    throw new TypeError(`reconnect.retryDelayMs(${attempt}) returned ${String(delayMs)}; expected a finite number of milliseconds, 0 or more`);
  }
  return delayMs;
}
