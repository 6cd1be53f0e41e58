import type { Transport } from '@scomp/peer';

/** The same transport, reporting each message it sends (`out`) and receives (`in`). */
export function tapTransport(transport: Transport, onMessage: (direction: 'in' | 'out', message: string) => void): Transport {
  return {
    start: (handler) =>
      transport.start({
        message: (data) => {
          onMessage('in', data);
          handler.message(data);
        },
        close: (info) => handler.close(info),
      }),
    send: (message) => {
      onMessage('out', message);
      transport.send(message);
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
