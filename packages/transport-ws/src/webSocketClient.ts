import type { Transport } from '@scomp/peer';
import { WebSocketConnectError } from './errors.js';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
import { SocketTransport } from './socketTransport.js';
import { sendableCloseCode, truncateReason, type WebSocketConstructor, type WebSocketLike } from './webSocketLike.js';

export interface WebSocketClientOptions {
  /** The WebSocket implementation. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** Subprotocols offered to the server. @default none */
  protocols?: string | string[];
  /** Largest message accepted; larger closes the connection with code 1009. @default 16 MiB */
  maxMessageBytes?: number;
  /** Unsent data held for a server that does not read before the connection closes (4002). @default 64 MiB */
  maxBufferedBytes?: number;
}

/**
 * Opens a WebSocket and resolves with a transport once it is open. Runs anywhere a standard
 * `WebSocket` exists (browsers, Deno, Bun, Node 22+) or one is passed in.
 */
export function connectWebSocket(url: string, options: WebSocketClientOptions = {}): Promise<Transport> {
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocketImpl) {
    return Promise.reject(new WebSocketConnectError('no WebSocket implementation: pass options.WebSocket'));
  }
  let socket: WebSocketLike;
  try {
    socket = new WebSocketImpl(url, options.protocols);
  } catch (error) {
    return Promise.reject(new WebSocketConnectError(`could not connect to ${url}: ${String(error)}`, { cause: error }));
  }
  socket.binaryType = 'arraybuffer';
  const transport = new SocketTransport(
    {
      send: (data) => socket.send(data),
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      close: (code, reason) => socket.close(sendableCloseCode(code), truncateReason(reason)),
      // A browser cannot drop a connection outright; closing is the most it can do.
      abort: (code, reason) => socket.close(sendableCloseCode(code), truncateReason(reason)),
    },
    {
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    },
  );
  return new Promise((resolve, reject) => {
    let open = false;
    socket.addEventListener('open', () => {
      open = true;
      resolve(transport);
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') transport.received(event.data);
      else transport.receivedBinary();
    });
    socket.addEventListener('close', (event) => {
      if (open) transport.socketClosed(event.code, event.reason);
      else reject(new WebSocketConnectError(`could not connect to ${url} (close code ${event.code})`));
    });
    // An error is always followed by a close, which reports it.
    socket.addEventListener('error', () => {});
  });
}

/**
 * A transport factory for a reconnecting client: each call opens a fresh connection. `url` may be
 * a function, to pick up a new address or token on every attempt.
 */
export function webSocketTransportFactory(
  url: string | (() => string | Promise<string>),
  options: WebSocketClientOptions = {},
): () => Promise<Transport> {
  return async () => connectWebSocket(typeof url === 'string' ? url : await url(), options);
}
