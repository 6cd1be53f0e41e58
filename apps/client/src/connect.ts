import { Client, type Binding, type ClientOptions, type TransportSource } from '@scomp/peer';
import { spawnStdioTransport, type StdioChildTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { UsageError, type ConnectOptions, type Target } from './cli.js';
import { consoleBinding } from './consoleBinding.js';
import { richContentBindings } from './richContent.js';
import { loadBindings } from '@scomp/app-shared';

/** Connecting or the handshake failed; `scomp` exits with code 3. */
export class ConnectError extends Error {
  override name = 'ConnectError';
}

export interface Connected {
  readonly client: Client;
  /** Closes the connection and, for `--stdio`, waits for the server process to exit. */
  close(): Promise<void>;
}

/** Loads the client's bindings, opens the transport and performs the handshake. */
export async function connect(options: ConnectOptions, stderr: NodeJS.WritableStream = process.stderr): Promise<Connected> {
  const bindings: Binding[] = [consoleBinding((text) => stderr.write(text)), ...richContentBindings((text) => stderr.write(text))];
  if (options.bindingsModule !== undefined) {
    try {
      bindings.push(...(await loadBindings(options.bindingsModule)));
    } catch (error) {
      throw new UsageError(messageOf(error), { cause: error });
    }
  }
  const clientOptions: ClientOptions = { bindings };
  if (options.token !== undefined) clientOptions.metadata = { token: options.token };
  if (options.sessionId !== undefined) clientOptions.sessionId = options.sessionId;

  let child: StdioChildTransport | undefined;
  const source: TransportSource = async () => {
    if (options.target.kind === 'url') return connectWebSocket(options.target.url);
    child = await spawnStdioTransport({ command: options.target.command, args: options.target.args, stderr: 'inherit' });
    return child;
  };
  let client: Client;
  try {
    client = await Client.connect(source, clientOptions);
  } catch (error) {
    if (child) await child[Symbol.asyncDispose]();
    throw new ConnectError(`${describeTarget(options.target)}: ${messageOf(error)}`, { cause: error });
  }
  return {
    client,
    async close() {
      client.close();
      if (child) await child.exited;
    },
  };
}

export function describeTarget(target: Target): string {
  return target.kind === 'url' ? target.url : `stdio server "${[target.command, ...target.args].join(' ')}"`;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
