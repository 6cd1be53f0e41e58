import type { Transport, TransportCloseInfo } from './transport.js';

/** Which way a message went: `out` was sent through the transport, `in` was received from it. */
export type MessageDirection = 'in' | 'out';

/** What a {@link tapTransport} reports. It must not throw: it runs inside the transport's own calls. */
export interface TransportTap {
  /** Each message that passed through the transport, in the order it passed. */
  message(direction: MessageDirection, data: string): void;
  /** The transport closed (either end, or a failure), before the wrapped transport's user is told. */
  close?(info: TransportCloseInfo): void;
}

/**
 * The same transport, reporting every message it carries to `tap`: for wire logs, timelines and
 * frame-size measurements built from exactly what crossed the wire. An outgoing message is
 * reported once `send` has accepted it, so a send refused after close is not reported.
 */
export function tapTransport(transport: Transport, tap: TransportTap): Transport {
  return {
    start: (handler) =>
      transport.start({
        message: (data) => {
          tap.message('in', data);
          handler.message(data);
        },
        close: (info) => {
          tap.close?.(info);
          handler.close(info);
        },
      }),
    send: (message) => {
      transport.send(message);
      tap.message('out', message);
    },
    close: (info) => transport.close(info),
    get closed() {
      return transport.closed;
    },
    get ended() {
      return transport.ended;
    },
  };
}
