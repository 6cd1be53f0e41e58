import { Client, type Binding, type ClientOptions, type TransportSource } from '@scomp/peer';
import { spawnStdioTransport, type StdioChildTransport } from '@scomp/transport-stdio';
import { connectWebSocket } from '@scomp/transport-ws/node';
import { UsageError, type ConnectOptions, type Target } from './cli.js';
import { confirmBinding, defaultConfirmPolicy } from './confirm.js';
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

export interface ConnectIo {
  stderr: NodeJS.WritableStream;
  /** Whether standard input is a terminal: it decides the default `confirm` policy. */
  stdin: { isTTY?: boolean };
  /** Reads the answer to a `confirm` question. */
  readAnswer(): Promise<string | undefined>;
}

/** Loads the client's bindings, opens the transport and performs the handshake. */
export async function connect(options: ConnectOptions, io: ConnectIo): Promise<Connected> {
  const { stderr } = io;
  const write = (text: string) => void stderr.write(text);
  const bindings: Binding[] = [consoleBinding(write), ...richContentBindings(write)];
  const policy = options.confirm ?? defaultConfirmPolicy(io.stdin);
  // With `no`, confirm is not declared: a client that cannot ask does not offer it (spec §11.7).
  if (policy !== 'no') bindings.push(confirmBinding({ policy, write, readAnswer: io.readAnswer }));
  if (options.bindingsModule !== undefined) {
    let loaded: Binding[];
    try {
      loaded = await loadBindings(options.bindingsModule);
    } catch (error) {
      throw new UsageError(messageOf(error), { cause: error });
    }
    // The user's module may serve a standard binding itself (its own confirm, say): it wins.
    const names = new Set(loaded.map((binding) => binding.meta.name));
    bindings.splice(0, bindings.length, ...bindings.filter((binding) => !names.has(binding.meta.name)), ...loaded);
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
