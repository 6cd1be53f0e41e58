/**
 * The far end of the cross-process benchmarks, started with node by the runner. `ws` hosts a raw
 * echo, a scomp server and a Cap'n Web server on loopback and prints their URLs as one JSON line;
 * `scomp-stdio` (`scomp-stdio-modules`: its tools as module bindings) and `mcp-stdio` serve over stdin/stdout. Every mode exits when stdin closes.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { serveStdio } from '@scomp/transport-stdio';
import { listenWebSocket } from '@scomp/transport-ws/node';
import { newWebSocketRpcSession } from 'capnweb';
import { WebSocketServer } from 'ws';
import { serveRawEcho } from './rawEcho.js';
import './wsGlobal.js';
import { CapnwebApi, MAX_MESSAGE_BYTES, mcpServer, moduleBindings, scompServer } from './services.js';

const mode = process.argv[2];

async function listen(wss: WebSocketServer): Promise<string> {
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return `ws://127.0.0.1:${address.port}/`;
}

async function serveWs(): Promise<() => Promise<void>> {
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_MESSAGE_BYTES });
  serveRawEcho(echo);
  const echoUrl = listen(echo);
  const capnweb = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_MESSAGE_BYTES });
  capnweb.on('connection', (ws) => newWebSocketRpcSession(ws as unknown as WebSocket, new CapnwebApi()));
  const capnwebUrl = listen(capnweb);
  const server = scompServer();
  const listener = await listenWebSocket({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    keepAlive: false,
    onConnection: (transport) => server.accept(transport),
  });
  const urls = { echo: await echoUrl, capnweb: await capnwebUrl, scomp: listener.url };
  process.stdout.write(`${JSON.stringify(urls)}\n`);
  return async () => {
    await server.close();
    await listener.close();
    for (const wss of [echo, capnweb]) {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  };
}

async function main(): Promise<void> {
  let stop: () => Promise<void>;
  if (mode === 'ws') {
    stop = await serveWs();
  } else if (mode === 'scomp-stdio' || mode === 'scomp-stdio-modules') {
    const server = scompServer(mode === 'scomp-stdio-modules' ? { bindings: await moduleBindings() } : {});
    server.accept(serveStdio({ maxMessageBytes: MAX_MESSAGE_BYTES }));
    stop = () => server.close();
  } else if (mode === 'mcp-stdio') {
    const server = mcpServer();
    await server.connect(new StdioServerTransport());
    stop = () => server.close();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(0));
  };
  if (mode === 'ws') {
    // The runner closes stdin to stop this process; in the stdio modes the transport sees that itself.
    process.stdin.on('end', shutdown);
    process.stdin.resume();
  }
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
