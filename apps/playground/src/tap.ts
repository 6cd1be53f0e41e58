import type { Transport } from '@scomp/peer';

export type Direction = 'out' | 'in';

export interface TapListener {
  /** Each message that passes through the transport, in the order it passed. */
  message(direction: Direction, text: string): void;
  /** The transport closed (either side, or a failure). */
  close(): void;
}

/**
 * The same transport, reporting every message it sends and receives. The playground's timeline
 * is built from exactly what went over the wire, not from what the client meant to send.
 */
export function tapTransport(transport: Transport, listener: TapListener): Transport {
  return {
    start: (handler) =>
      transport.start({
        message: (data) => {
          listener.message('in', data);
          handler.message(data);
        },
        close: (info) => {
          listener.close();
          handler.close(info);
        },
      }),
    send: (message) => {
      transport.send(message);
      listener.message('out', message);
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
