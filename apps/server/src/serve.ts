import { Server, type Binding } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { serveStdio } from '@scomp/transport-stdio';
import { listenWebSocket } from '@scomp/transport-ws/node';
import type { Readable, Writable } from 'node:stream';
import { tokenAuthenticator } from './auth.js';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_PENDING_INVOKES,
  DEFAULT_MAX_PRINCIPAL_MEMORY_MB,
  DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
  DEFAULT_MEMORY_MB,
} from './cli.js';
import { demoBindings } from './demoBindings.js';
import { servePlayground } from './playground.js';

export interface ServeOptions {
  /** The bindings evaluated code can call. @default the demo order shop */
  bindings?: readonly Binding[];
  /** CPU time one eval may run; time spent waiting on bindings does not count. @default 10000 */
  evalTimeoutMs?: number;
  /** Heap limit of each session's runtime. @default 67108864 (64 MiB) */
  memoryBytes?: number;
  /** How long a session without a connection is kept. @default 900000 (15 min) */
  sessionIdleTimeoutMs?: number;
  /** Largest message accepted from a client, and sent to one. @default 16777216 (16 MiB) */
  maxMessageBytes?: number;
  /** Sessions one principal may hold, detached ones included. @default 32 */
  maxSessionsPerPrincipal?: number;
  /** Memory one principal's sessions may hold together, counted as `memoryBytes` each. @default 1073741824 (1 GiB) */
  maxMemoryBytesPerPrincipal?: number;
  /** Calls to a client's bindings awaiting its answer, per connection. @default 256 */
  maxPendingInvokes?: number;
  /** Connections that send no handshake are closed after this long. @default 10000 */
  handshakeTimeoutMs?: number;
  /** Largest message a connection may send before its handshake has attached a session. @default 1048576 (1 MiB) */
  maxHandshakeBytes?: number;
  /** Worker threads sessions are spread over. @default twice the CPU cores */
  workerThreads?: number;
  /** When set, clients must send it as handshake `metadata.token`; others get Unauthorized. @default none */
  token?: string;
  /** Faults with no caller to report to (a binding that crashed, a failed send). @default ignored */
  onFault?(error: unknown): void;
}

export interface StartServerOptions extends ServeOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Serve the playground web page over HTTP on the same port (GET `/`). @default false */
  playground?: boolean;
}

/** A listening WebSocket server. */
export interface RunningServer {
  /** `ws://host:port`, with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** `http://host:port/`, where the playground page is served; only with the `playground` option. */
  readonly playgroundUrl: string | undefined;
  readonly server: Server;
  /** Stops accepting, fails in-flight work (the client sees the connection close), closes the listener. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The scomp server behind both transports: QuickJS sessions, the bindings, optional token
 * authentication. `close` also stops the runtime's worker threads.
 */
export function createScompServer(options: ServeOptions = {}): Server {
  const limits: { evalTimeoutMs?: number; memoryBytes: number } = { memoryBytes: options.memoryBytes ?? DEFAULT_MEMORY_MB * 1024 * 1024 };
  if (options.evalTimeoutMs !== undefined) limits.evalTimeoutMs = options.evalTimeoutMs;
  return new Server({
    // Created by the server, so its close also stops the worker threads.
    runtime: () => createQuickJsRuntimeFactory({ limits, ...(options.workerThreads !== undefined ? { workerThreads: options.workerThreads } : {}) }),
    limits: { memoryBytes: limits.memoryBytes },
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxSessionsPerPrincipal: options.maxSessionsPerPrincipal ?? DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
    maxMemoryBytesPerPrincipal: options.maxMemoryBytesPerPrincipal ?? DEFAULT_MAX_PRINCIPAL_MEMORY_MB * 1024 * 1024,
    maxPendingInvokes: options.maxPendingInvokes ?? DEFAULT_MAX_PENDING_INVOKES,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    ...(options.maxHandshakeBytes !== undefined ? { maxHandshakeBytes: options.maxHandshakeBytes } : {}),
    bindings: options.bindings ?? demoBindings(),
    ...(options.token !== undefined ? { authenticate: tokenAuthenticator(options.token) } : {}),
    ...(options.sessionIdleTimeoutMs !== undefined ? { sessionIdleTimeoutMs: options.sessionIdleTimeoutMs } : {}),
    ...(options.onFault ? { onFault: options.onFault } : {}),
    metadata: { server: 'scomp-server' },
  });
}

/** Starts a WebSocket server. Dispose it (or call `close`) to shut it down. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const server = createScompServer(options);
  const host = options.host ?? '127.0.0.1';
  const listener = await listenWebSocket({
    host,
    port: options.port ?? 0,
    ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
    ...(options.playground ? { onRequest: servePlayground() } : {}),
    onConnection: (transport) => server.accept(transport),
  }).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  const port = listener.port;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // The server closes its connections first, so clients learn why they were dropped.
      const serverClosed = server.close();
      await Promise.all([serverClosed, listener.close()]);
    })());
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `ws://${authority}`,
    host,
    port,
    playgroundUrl: options.playground ? `http://${authority}/` : undefined,
    server,
    close,
    [Symbol.asyncDispose]: close,
  };
}

export interface StdioServeOptions extends ServeOptions {
  /** @default process.stdin */
  stdin?: Readable;
  /** @default process.stdout */
  stdout?: Writable;
}

/** One session served over stdin/stdout. */
export interface StdioSession {
  /** Settles once stdin has ended (or `close` was called) and the server has shut down. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** Serves one connection over this process's stdin/stdout; the server shuts down when stdin ends. */
export function serveStdioSession(options: StdioServeOptions = {}): StdioSession {
  const server = createScompServer(options);
  const transport = serveStdio({
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
  });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= server.close().finally(() => transport.close()));
  server.accept(transport);
  return { closed: transport.ended.then(close), close };
}
