export interface KeepAliveOptions {
  /** Time between pings. @default 30000 */
  intervalMs?: number;
  /** How long a ping may go unanswered before the peer counts as dead. @default 10000 */
  timeoutMs?: number;
}

export const DEFAULT_KEEP_ALIVE = { intervalMs: 30_000, timeoutMs: 10_000 } as const;

/**
 * Pings on an interval and declares the peer dead when neither a pong nor any other frame arrives
 * within `timeoutMs` of a ping. Any traffic counts as life: a pong can queue behind a large message.
 */
export class KeepAlive {
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ping: () => void,
    private readonly onTimeout: (timeoutMs: number) => void,
    options: KeepAliveOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_KEEP_ALIVE.intervalMs;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KEEP_ALIVE.timeoutMs;
    this.schedule();
  }

  /** The peer showed it is alive. */
  alive(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  stop(): void {
    clearTimeout(this.pingTimer);
    clearTimeout(this.deadline);
    this.pingTimer = this.deadline = undefined;
  }

  private schedule(): void {
    this.pingTimer = setTimeout(() => {
      this.deadline ??= setTimeout(() => {
        this.stop();
        this.onTimeout(this.timeoutMs);
      }, this.timeoutMs);
      this.ping();
      this.schedule();
    }, this.intervalMs);
  }
}
