import type { IncomingMessage } from 'node:http';
import { UnauthorizedError, type Transport } from '@scomp/peer';
import { WebSocket } from 'ws';
import { WebSocketConnectError } from '../errors.js';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from '../limits.js';
import type { KeepAliveOptions } from './keepAlive.js';
import { wsTransport } from './wsTransport.js';

export interface NodeWebSocketClientOptions {
  /** Extra request headers, e.g. `authorization`. @default none */
  headers?: Record<string, string>;
  /** Subprotocols offered to the server. @default none */
  protocols?: string | string[];
  /** How long the opening handshake may take. @default 10000 */
  connectTimeoutMs?: number;
  /** Largest message accepted; larger closes the connection with code 1009. @default 16 MiB */
  maxMessageBytes?: number;
  /** Ping interval and pong timeout; a dead server is closed with code 4000. `false` disables. @default { intervalMs: 30000, timeoutMs: 10000 } */
  keepAlive?: KeepAliveOptions | false;
  /** Unsent data held for a server that does not read before the connection closes (4002). @default 64 MiB */
  maxBufferedBytes?: number;
}

/**
 * Opens a WebSocket with `ws` and resolves with a transport once it is open. Rejects with
 * `UnauthorizedError` (data `{ status }`) when the server answers the upgrade with 401 or 403, and
 * with {@link WebSocketConnectError} for any other failure.
 */
export function connectWebSocket(url: string, options: NodeWebSocketClientOptions = {}): Promise<Transport> {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  let socket: WebSocket;
  try {
    socket = new WebSocket(url, options.protocols ?? [], {
      headers: options.headers,
      maxPayload: maxMessageBytes,
      handshakeTimeout: options.connectTimeoutMs ?? 10_000,
    });
  } catch (error) {
    return Promise.reject(new WebSocketConnectError(`could not connect to ${url}: ${String(error)}`, { cause: error }));
  }
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      reject(error);
    };
    socket.once('unexpected-response', (request, response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      request.destroy();
      const message = `server refused the upgrade: ${status} ${response.statusMessage ?? ''}`.trim();
      // A refused credential will be refused again: UnauthorizedError tells a reconnecting client to stop.
      fail(
        status === 401 || status === 403
          ? new UnauthorizedError(message, { status })
          : new WebSocketConnectError(message, { status }),
      );
    });
    socket.once('error', (error) => fail(new WebSocketConnectError(`could not connect to ${url}: ${error.message}`, { cause: error })));
    socket.once('open', () => {
      socket.removeAllListeners();
      resolve(
        wsTransport(socket, {
          maxMessageBytes,
          maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
          keepAlive: options.keepAlive ?? {},
        }),
      );
    });
  });
}

/**
 * A transport factory for a reconnecting client: each call opens a fresh connection. `url` may be
 * a function, to pick up a new address or token on every attempt.
 */
export function webSocketTransportFactory(
  url: string | (() => string | Promise<string>),
  options: NodeWebSocketClientOptions = {},
): () => Promise<Transport> {
  return async () => connectWebSocket(typeof url === 'string' ? url : await url(), options);
}
