import { spawnStdioTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import type { RawTransport } from './wire.js';

/** The server under test. */
export type Target =
  | {
      kind: 'websocket';
      url: string;
      /** Request headers of every upgrade, e.g. `authorization`. @default none */
      headers?: Record<string, string>;
    }
  | {
      kind: 'stdio';
      /** A shell command line that starts one server speaking newline-delimited JSON on stdin/stdout. */
      command: string;
    };

/** A transport the kit opened, with how to end it completely (a stdio server's process too). */
export interface OpenedTransport {
  transport: RawTransport;
  dispose(): Promise<void>;
}

/** Largest message the kit accepts from the server. @default 64 MiB, above any server limit the kit probes */
const KIT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** One new connection: a WebSocket, or a fresh server process for stdio (one connection per process). */
export async function openTarget(target: Target): Promise<OpenedTransport> {
  if (target.kind === 'websocket') {
    const transport = await connectWebSocket(target.url, {
      maxMessageBytes: KIT_MAX_MESSAGE_BYTES,
      keepAlive: false,
      ...(target.headers ? { headers: target.headers } : {}),
    });
    return {
      transport,
      dispose: async () => transport.close({ code: 1000, reason: 'conformance case done' }),
    };
  }
  const child = await spawnStdioTransport({
    command: process.platform === 'win32' ? 'cmd.exe' : '/bin/sh',
    args: process.platform === 'win32' ? ['/d', '/s', '/c', target.command] : ['-c', target.command],
    stderr: 'pipe',
    maxMessageBytes: KIT_MAX_MESSAGE_BYTES,
  });
  return { transport: child, dispose: () => child[Symbol.asyncDispose]() };
}

/** How the target is named in reports. */
export function describeTarget(target: Target): string {
  return target.kind === 'websocket' ? target.url : `stdio: ${target.command}`;
}

/** Whether a session can be reached again from a second connection (§10). */
export function canReconnect(target: Target): boolean {
  return target.kind === 'websocket';
}
