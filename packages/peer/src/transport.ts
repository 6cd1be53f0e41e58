/** Why and how a transport closed. `code`/`reason` follow the transport's own vocabulary (e.g. WebSocket close codes). */
export interface TransportCloseInfo {
  code?: number;
  reason?: string;
  /** Set when the transport closed because of a failure rather than an orderly close. */
  error?: Error;
}

/** What a transport tells its user. `close` is called exactly once, after which nothing else is. */
export interface TransportHandler {
  message(data: string): void;
  close(info: TransportCloseInfo): void;
}

/**
 * A bidirectional, message-oriented, in-order channel carrying one JSON-RPC message per
 * message. This is the whole contract a transport implements.
 *
 * - Messages sent before `start` on the other side are buffered, not lost.
 * - `send` after close throws {@link ConnectionClosedError}.
 * - `close` is idempotent; it delivers `handler.close` on both ends and settles `ended`.
 */
export interface Transport {
  /** Begins delivery to `handler`. Called once. Messages that arrived earlier are delivered now, in order. */
  start(handler: TransportHandler): void;
  send(message: string): void;
  close(info?: TransportCloseInfo): void;
  /** True once the transport has closed, from either end or by a failure. */
  readonly closed: boolean;
  /**
   * Settles, never rejects, with how the transport closed, after its handler (if started) was
   * told. Code that owns a connection awaits this instead of wrapping the handler to watch for close.
   */
  readonly ended: Promise<TransportCloseInfo>;
}
