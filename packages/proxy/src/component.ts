import { Server, type ServerStats, type Transport } from '@scomp/peer';
import { ComponentSession } from './componentSession.js';
import type { ComponentOptions } from './options.js';

/**
 * A scomp component: a server to its upstream and a client to its downstream, one downstream
 * session per upstream session. Transparent unless its options say otherwise.
 */
export interface Component {
  readonly name: string;
  /** The upstream message limit its transports should enforce (`ComponentOptions.maxMessageBytes`). */
  readonly maxMessageBytes: number | undefined;
  /** Serves one upstream connection. */
  accept(transport: Transport): void;
  stats(): ServerStats;
  /** Ends every upstream connection and every downstream session. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Opens a component; the transparent forwarding is done here, `options` add what the component changes. */
export function createComponent(options: ComponentOptions): Component {
  const server = new Server({
    runtime: { create: (init) => ComponentSession.open(init, options) },
    bindings: options.serverBindings ?? [],
    authenticate: options.authenticate ?? ((metadata) => ({ id: JSON.stringify(metadata) })),
    ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
    ...(options.sessionIdleTimeoutMs !== undefined ? { sessionIdleTimeoutMs: options.sessionIdleTimeoutMs } : {}),
    ...(options.onFault ? { onFault: options.onFault } : {}),
  });
  return {
    name: options.name,
    maxMessageBytes: options.maxMessageBytes,
    accept: (transport) => server.accept(transport),
    stats: () => server.stats(),
    close: () => server.close(),
    [Symbol.asyncDispose]: () => server.close(),
  };
}
