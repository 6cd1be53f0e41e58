import { serveStdio } from '@scomp/transport-stdio';
import { listenWebSocket } from '@scomp/transport-ws/node';
import type { Readable, Writable } from 'node:stream';
import type { Component } from '../component.js';

export interface ServeComponentOptions {
  /** Serve WebSocket on this port (0 picks one); without it, serve one connection over stdin/stdout. */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  stdin?: Readable;
  stdout?: Writable;
}

export interface ServedComponent {
  /** `ws://host:port` when serving WebSocket. */
  readonly url: string | undefined;
  /** Settles once serving is over: stdin ended (stdio) or `close` was called. */
  readonly closed: Promise<void>;
  /** Closes the upstream side and the component, which ends every downstream session and child. */
  close(): Promise<void>;
}

/** Serves a component to its upstream over stdio (one connection) or WebSocket. */
export async function serveComponent(component: Component, options: ServeComponentOptions = {}): Promise<ServedComponent> {
  let finish!: () => void;
  const closed = new Promise<void>((resolve) => (finish = resolve));
  if (options.port !== undefined) {
    const listener = await listenWebSocket({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      ...(component.maxMessageBytes !== undefined ? { maxMessageBytes: component.maxMessageBytes } : {}),
      onConnection: (transport) => component.accept(transport),
    });
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await listener.close();
        await component.close();
        finish();
      })());
    return { url: listener.url, closed, close };
  }
  const transport = serveStdio({
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(component.maxMessageBytes !== undefined ? { maxMessageBytes: component.maxMessageBytes } : {}),
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await component.close();
      transport.close();
      finish();
    })());
  component.accept(transport);
  void transport.ended.then(close);
  return { url: undefined, closed, close };
}
