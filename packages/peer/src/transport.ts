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
 * - `close` is idempotent; it delivers `handler.close` on both ends.
 */
export interface Transport {
  /** Begins delivery to `handler`. Called once. Messages that arrived earlier are delivered now, in order. */
  start(handler: TransportHandler): void;
  send(message: string): void;
  close(info?: TransportCloseInfo): void;
  readonly closed: boolean;
}

/** The same transport, with `callback` told once it has closed (after the transport's own user). */
export function onTransportClose(transport: Transport, callback: (info: TransportCloseInfo) => void): Transport {
  return {
    start: (handler) =>
      transport.start({
        message: (data) => handler.message(data),
        close: (info) => {
          handler.close(info);
          callback(info);
        },
      }),
    send: (message) => transport.send(message),
    close: (info) => transport.close(info),
    get closed() {
      return transport.closed;
    },
  };
}
