import type { Transport } from '@scomp/peer';
import type { WebSocket } from 'ws';
import { WebSocketCloseCode } from '../closeCodes.js';
import { SocketTransport } from '../socketTransport.js';
import { truncateReason } from '../webSocketLike.js';
import { KeepAlive, type KeepAliveOptions } from './keepAlive.js';

export interface WsTransportOptions {
  maxMessageBytes: number;
  maxBufferedBytes: number;
  keepAlive: KeepAliveOptions | false;
  onClosed?: () => void;
}

/** Codes `ws` accepts for sending; anything else goes out as 1000 with the reason kept. */
function sendableCode(code: number): number {
  const valid = (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
  return valid ? code : WebSocketCloseCode.Normal;
}

/** Turns an open `ws` socket (either end) into a transport with keepalive and limits. */
export function wsTransport(socket: WebSocket, options: WsTransportOptions): Transport {
  let keepAlive: KeepAlive | undefined;
  const transport = new SocketTransport(
    {
      send: (data) => socket.send(data),
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      close: (code, reason) => socket.close(sendableCode(code), truncateReason(reason)),
      abort: () => socket.terminate(),
    },
    {
      maxMessageBytes: options.maxMessageBytes,
      maxBufferedBytes: options.maxBufferedBytes,
      onClosed: () => {
        keepAlive?.stop();
        options.onClosed?.();
      },
    },
  );
  socket.on('message', (data, isBinary) => {
    keepAlive?.alive();
    if (isBinary) transport.receivedBinary();
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- `ws` hands a text frame over as one Buffer, whatever binaryType is
    else transport.received(String(data));
  });
  socket.on('pong', () => keepAlive?.alive());
  socket.on('ping', () => keepAlive?.alive());
  // `ws` reports frames it rejects as errors and has already started closing with the right code.
  socket.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') transport.tooBig();
    else transport.fail(WebSocketCloseCode.ProtocolError, error.message, false, error);
  });
  socket.on('close', (code, reason) => transport.socketClosed(code, reason.toString()));
  if (options.keepAlive !== false) {
    keepAlive = new KeepAlive(
      () => socket.ping(),
      (timeoutMs) =>
        transport.fail(WebSocketCloseCode.KeepAliveTimeout, `keepalive timeout: no pong within ${timeoutMs} ms`, true),
      options.keepAlive,
    );
  }
  return transport;
}
