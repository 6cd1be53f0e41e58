import { Client, Server, createMemoryTransportPair, defaultRetry, defaultRetryDelayMs, type Binding, type ClientOptions, type ReconnectOptions } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { connectWebSocket } from '@scomp/transport-ws/node';

/** Where code mode's scomp sessions live: a server in this process, or one reached over WebSocket. */
export interface ScompBackend {
  /** Opens a new scomp session. Closing the client ends it (in process) or detaches it (remote). */
  connect(options: ClientOptions): Promise<Client>;
  close(): Promise<void>;
}

export interface InProcessBackendOptions {
  bindings: readonly Binding[];
  /** CPU time one eval may run. @default the runtime's (10000) */
  evalTimeoutMs?: number;
  /** Heap limit of each session's runtime. @default the runtime's (64 MiB) */
  memoryBytes?: number;
  onFault?(error: unknown): void;
}

/**
 * A scomp server on QuickJS in this process, reached over an in-memory channel. Its sessions are
 * disposed as soon as their connection closes: code mode never resumes one, so a session without
 * its MCP session is garbage.
 */
export function inProcessBackend(options: InProcessBackendOptions): ScompBackend & AsyncDisposable & { readonly server: Server } {
  const limits: { evalTimeoutMs?: number; memoryBytes?: number } = {};
  if (options.evalTimeoutMs !== undefined) limits.evalTimeoutMs = options.evalTimeoutMs;
  if (options.memoryBytes !== undefined) limits.memoryBytes = options.memoryBytes;
  const runtimes = createQuickJsRuntimeFactory({ limits });
  const server = new Server({
    runtime: runtimes,
    bindings: options.bindings,
    sessionIdleTimeoutMs: 0,
    ...(options.onFault ? { onFault: options.onFault } : {}),
    metadata: { server: 'scomp-mcp' },
  });
  const close = async () => {
    try {
      await server.close();
    } finally {
      await runtimes.close();
    }
  };
  return {
    server,
    connect(clientOptions) {
      const [clientSide, serverSide] = createMemoryTransportPair();
      server.accept(serverSide);
      return Client.connect(clientSide, clientOptions);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

export interface RemoteBackendOptions {
  /** `ws://` or `wss://` URL of a scomp server. */
  url: string;
  /** Sent as handshake `metadata.token`. @default none */
  token?: string;
  /**
   * How a dropped connection is retried to resume the same session; `false` gives the session up
   * at once. @default six attempts, the peer's backoff capped at 2000 ms (about 5 s)
   */
  reconnect?: ReconnectOptions | false;
}

/** Tries for about 5 s: an MCP tool call waits for the resume, and a client gives up on it long before 26 s. */
const DEFAULT_RECONNECT: ReconnectOptions = {
  retry: (attempt, error) => attempt < 6 && defaultRetry(attempt, error),
  retryDelayMs: (attempt) => Math.min(2000, defaultRetryDelayMs(attempt)),
};

/**
 * An existing scomp server. A dropped connection is resumed into the same session (its state
 * kept); a closed client leaves its session to the server's idle expiry.
 */
export function remoteBackend(options: RemoteBackendOptions): ScompBackend {
  return {
    connect: (clientOptions) =>
      Client.connect(() => connectWebSocket(options.url), {
        reconnect: options.reconnect ?? DEFAULT_RECONNECT,
        ...clientOptions,
        metadata: { ...clientOptions.metadata, ...(options.token !== undefined ? { token: options.token } : {}) },
      }),
    async close() {},
  };
}
