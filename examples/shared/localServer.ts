import { Client, Server, type Binding, type ClientOptions, type ServerOptions } from '@scomp/peer';
import { createQuickJsRuntimeFactory } from '@scomp/runtime-quickjs';
import { connectWebSocket, listenWebSocket } from '@scomp/transport-ws/node';

export interface LocalServer {
  /** `ws://127.0.0.1:<port>/` */
  readonly url: string;
  readonly server: Server;
  /** Connects a client over a fresh WebSocket; pass `sessionId` to resume. */
  connect(options?: ClientOptions): Promise<Client>;
  /** Closes every connection, the listener and every session. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The server side every WebSocket example shares: a scomp server with a QuickJS runtime and the
 * given bindings, listening on a free port of 127.0.0.1.
 */
export async function startLocalServer(
  bindings: readonly Binding[],
  options: Omit<ServerOptions, 'runtime' | 'bindings'> = {},
): Promise<LocalServer> {
  const server = new Server({ runtime: () => createQuickJsRuntimeFactory(), bindings, ...options });
  const listener = await listenWebSocket({ host: '127.0.0.1', port: 0, onConnection: (transport) => server.accept(transport) });
  const close = async () => {
    await listener.close();
    await server.close();
  };
  return {
    url: listener.url,
    server,
    connect: (clientOptions) => Client.connect(() => connectWebSocket(listener.url), clientOptions),
    close,
    [Symbol.asyncDispose]: close,
  };
}
