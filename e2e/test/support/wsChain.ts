import { startServer, type StartServerOptions } from '@scomp/app-server';
import { createComponent, type Component, type ComponentDefinition } from '@scomp/proxy';
import { serveComponent, webSocketDownstream, type ServedComponent } from '@scomp/proxy/node';

/**
 * `scomp-server` in this process behind the given components (the first is the head), every hop
 * a WebSocket on 127.0.0.1. Disposing it stops all of them.
 */
export async function webSocketChain(definitions: readonly ComponentDefinition[], serverOptions: StartServerOptions = {}) {
  const server = await startServer(serverOptions);
  const hops: { component: Component; served: ServedComponent }[] = [];
  const close = async () => {
    for (const hop of hops) await hop.served.close();
    await server.close();
  };
  let url = server.url;
  try {
    for (const definition of [...definitions].reverse()) {
      const component = createComponent({
        ...definition,
        // Configured as a chain should be: its head refuses what its server would.
        ...(serverOptions.maxMessageBytes !== undefined ? { maxMessageBytes: serverOptions.maxMessageBytes } : {}),
        downstream: webSocketDownstream(url),
        downstreamReconnect: true,
      });
      hops.unshift({ component, served: await serveComponent(component, { port: 0 }) });
      url = hops[0]!.served.url!;
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { url, server, hops, [Symbol.asyncDispose]: close };
}
