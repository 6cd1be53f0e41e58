import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Transport } from '@scomp/peer';
import { WebSocketServer, type WebSocket } from 'ws';
import { WebSocketCloseCode } from '../closeCodes.js';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from '../limits.js';
import type { KeepAliveOptions } from './keepAlive.js';
import { wsTransport } from './wsTransport.js';

/** What `verifyUpgrade` may answer: accept (`true`), refuse with 401 (`false`), or refuse with an HTTP status. */
export type UpgradeVerdict = boolean | { code: number; reason: string };

export interface ConnectionInfo {
  /** The upgrade request (headers, URL, socket), e.g. to identify the principal. */
  request: IncomingMessage;
  remoteAddress: string | undefined;
}

export interface ListenWebSocketOptions {
  /** Interface to listen on (ignored with `server`). @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one (ignored with `server`). @default 0 */
  port?: number;
  /** Only upgrades to this path are accepted. @default any path, or '/' with `server` */
  path?: string;
  /** Attach to an existing HTTP server instead of starting one; `close()` then leaves it running. */
  server?: Server;
  /** Largest message accepted; larger closes that connection with code 1009. @default 16 MiB */
  maxMessageBytes?: number;
  /** Ping interval and pong timeout; a dead peer is closed with code 4000. `false` disables. @default { intervalMs: 30000, timeoutMs: 10000 } */
  keepAlive?: KeepAliveOptions | false;
  /** Unsent data held for a client that does not read before its connection closes (4002). @default 64 MiB */
  maxBufferedBytes?: number;
  /** How long `close()` waits for clients to finish the closing handshake before dropping them. @default 1000 */
  closeTimeoutMs?: number;
  /**
   * Answers plain HTTP requests (not upgrades) on the server it starts, e.g. to serve a web page
   * next to the endpoint. Ignored with `server`, which answers its own requests.
   * @default 426 Upgrade Required
   */
  onRequest?(request: IncomingMessage, response: ServerResponse): void;
  /** Decides whether to accept an upgrade (authentication, origin checks). @default accept all */
  verifyUpgrade?(request: IncomingMessage): UpgradeVerdict | Promise<UpgradeVerdict>;
  /** A client connected. Start the transport (e.g. hand it to a scomp server) right away or later. */
  onConnection(transport: Transport, info: ConnectionInfo): void;
}

export interface WebSocketListener {
  /** `ws://host:port/path` for clients. */
  readonly url: string;
  readonly port: number;
  readonly address: AddressInfo;
  /** Closes every connection (code 1001) and, if it started one, the HTTP server. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Accepts scomp WebSocket connections, on its own HTTP server or on an existing one. */
export async function listenWebSocket(options: ListenWebSocketOptions): Promise<WebSocketListener> {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const ownServer = options.server === undefined;
  const server =
    options.server ??
    createServer(
      options.onRequest ??
        ((_request, response) => {
          response.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
        }),
    );
  const path = options.path ?? (ownServer ? undefined : '/');
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: maxMessageBytes });
  const sockets = new Set<WebSocket>();

  let closing: Promise<void> | undefined;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', ignore); // a client vanishing mid-upgrade is not the server's failure
    if (path !== undefined && (request.url ?? '/').split('?')[0] !== path) {
      // On a shared server another listener may own this path.
      if (ownServer || server.listenerCount('upgrade') === 1) refuse(socket, 404, 'no WebSocket endpoint here');
      return;
    }
    void verify(options, request).then((verdict) => {
      if (closing) return refuse(socket, 503, 'server shutting down');
      if (verdict !== true) return refuse(socket, verdict.code, verdict.reason);
      wss.handleUpgrade(request, socket, head, (ws) => {
        sockets.add(ws);
        ws.once('close', () => sockets.delete(ws));
        const transport = wsTransport(ws, {
          maxMessageBytes,
          maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
          keepAlive: options.keepAlive ?? {},
        });
        try {
          options.onConnection(transport, { request, remoteAddress: request.socket.remoteAddress });
        } catch (error) {
          transport.close({ code: WebSocketCloseCode.InternalError, reason: 'internal error' });
          throw error;
        }
      });
    });
  };
  server.on('upgrade', onUpgrade);

  if (ownServer) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  const close = (): Promise<void> =>
    (closing ??= (async () => {
      server.off('upgrade', onUpgrade);
      const closed = [...sockets].map((ws) => new Promise((resolve) => ws.once('close', resolve)));
      for (const ws of sockets) ws.close(WebSocketCloseCode.GoingAway, 'server shutting down');
      const timer = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
      }, options.closeTimeoutMs ?? 1000);
      await Promise.all(closed);
      clearTimeout(timer);
      wss.close();
      if (ownServer) await new Promise((resolve) => server.close(resolve));
    })());

  // Remembered, so the URL stays readable after close.
  let known: AddressInfo | undefined;
  const address = (): AddressInfo => {
    const value = server.address();
    if (value !== null && typeof value !== 'string') known = value;
    if (!known) throw new Error('the HTTP server is not listening on a TCP port');
    return known;
  };
  if (server.listening) address();
  return {
    get address() {
      return address();
    },
    get port() {
      return address().port;
    },
    get url() {
      const { address: host, family, port } = address();
      return `ws://${family === 'IPv6' ? `[${host}]` : host}:${port}${path ?? '/'}`;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

const ignore = (): void => {};

async function verify(
  options: ListenWebSocketOptions,
  request: IncomingMessage,
): Promise<true | { code: number; reason: string }> {
  if (!options.verifyUpgrade) return true;
  try {
    const verdict = await options.verifyUpgrade(request);
    if (verdict === true) return true;
    return verdict === false ? { code: 401, reason: 'unauthorized' } : verdict;
  } catch {
    return { code: 500, reason: 'upgrade verification failed' };
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
