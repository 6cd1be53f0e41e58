import { createScompServer } from '@scomp/app-server';
import type { Transport } from '@scomp/peer';
import { listenWebSocket } from '@scomp/transport-ws/node';

/** WebSocket close code the server uses after answering a handshake with an error (spec §2). */
const HANDSHAKE_FAILED_CLOSE = 1008;

/**
 * The real server over WebSocket, broken in one way: after answering a handshake with an error it
 * keeps the connection open, so "handshake errors are terminal" (spec §4) no longer holds.
 */
export async function startBrokenServer() {
  const server = createScompServer();
  const listener = await listenWebSocket({
    host: '127.0.0.1',
    port: 0,
    onConnection: (transport) => server.accept(keepOpenAfterHandshakeError(transport)),
  });
  return {
    url: `ws://127.0.0.1:${listener.port}`,
    async [Symbol.asyncDispose]() {
      await Promise.all([server.close(), listener.close()]);
    },
  };
}

function keepOpenAfterHandshakeError(transport: Transport): Transport {
  return {
    start: (handler) => transport.start(handler),
    send: (message) => transport.send(message),
    close: (info) => {
      if (info?.code !== HANDSHAKE_FAILED_CLOSE) transport.close(info);
    },
    get closed() {
      return transport.closed;
    },
    get ended() {
      return transport.ended;
    },
  };
}
