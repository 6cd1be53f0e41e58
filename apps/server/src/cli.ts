import { DEFAULT_MAX_MESSAGE_BYTES } from '@scomp/protocol/value-rules';
import { UsageError, integerOption, parseCommandLine } from '@scomp/transport-stdio/cli';

export { UsageError };

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7357;
export const DEFAULT_EVAL_TIMEOUT_MS = 10_000;
export const DEFAULT_MEMORY_MB = 64;
export const DEFAULT_SESSION_IDLE_MS = 900_000;
export { DEFAULT_MAX_MESSAGE_BYTES };
export const DEFAULT_MAX_SESSIONS_PER_PRINCIPAL = 32;
export const DEFAULT_MAX_PRINCIPAL_MEMORY_MB = 1024;
export const DEFAULT_MAX_PENDING_INVOKES = 256;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface ServerCliOptions {
  /** Serve WebSocket connections, or one session over this process's stdin/stdout. */
  transport: 'websocket' | 'stdio';
  host: string;
  port: number;
  /** Module with the user's own bindings; the demo order shop when neither this nor mcpConfig is given. */
  bindingsModule?: string;
  /** JavaScript module whose bindings run on the runtime's worker threads, beside the guest code. */
  threadBindingsModule?: string;
  /** `{ "mcpServers": ... }` file whose servers' tools become bindings named `<server>.<tool>`. */
  mcpConfig?: string;
  evalTimeoutMs: number;
  memoryMb: number;
  sessionIdleMs: number;
  maxMessageBytes: number;
  maxSessionsPerPrincipal: number;
  maxPrincipalMemoryMb: number;
  maxPendingInvokes: number;
  handshakeTimeoutMs: number;
  /** Largest message before a connection's handshake; the server's default (1 MiB) when absent. */
  maxHandshakeBytes?: number;
  /** Worker threads sessions are spread over; the runtime's default (twice the cores) when absent. */
  workerThreads?: number;
  /** Clients must present it as handshake `metadata.token`. No authentication when absent. */
  token?: string;
  /** Serve the playground web page on the WebSocket port. */
  playground?: boolean;
}

export type ServerCommand = { kind: 'help' } | { kind: 'serve'; options: ServerCliOptions };

export const SERVER_HELP = `Usage: scomp-server [options]

Serves a scomp session runtime (QuickJS) over WebSocket, or over stdin/stdout with --stdio.
Prints "scomp server listening on ws://HOST:PORT" once ready (WebSocket mode).

Options:
  --host <host>                 Interface to listen on. Default: ${DEFAULT_HOST}
  --port <port>                 Port to listen on; 0 picks a free one. Default: ${DEFAULT_PORT}
  --stdio                       Serve one session over stdin/stdout and exit when stdin closes.
                                Logs go to stderr; nothing else is written to stdout.
  --bindings <module>           Load bindings from a .js/.mjs/.ts module (default export array
                                or named exports made with defineBinding) instead of the demo
                                order shop.
  --thread-bindings <module>    Load bindings from a .js/.mjs module (named exports made with
                                defineBinding) whose guest calls run on the runtime's worker
                                threads, beside the guest code: each thread imports the module
                                itself, so state kept in module scope is per thread. May be
                                combined with --bindings.
  --mcp-config <file>           Start or connect to the MCP servers of this { "mcpServers": ... }
                                file (the format MCP clients use) and serve their tools as
                                bindings named <server>.<tool>.
  --eval-timeout-ms <ms>        CPU time one eval may run; waiting on bindings does not count.
                                Default: ${DEFAULT_EVAL_TIMEOUT_MS}
  --memory-mb <mb>              Heap limit of each session's runtime. Default: ${DEFAULT_MEMORY_MB}
  --session-idle-ms <ms>        How long a session without a connection is kept. Default: ${DEFAULT_SESSION_IDLE_MS}
  --max-message-bytes <bytes>   Largest message accepted from a client, and sent to one.
                                Default: ${DEFAULT_MAX_MESSAGE_BYTES}
  --max-sessions-per-principal <n>
                                Sessions one principal (one token; everyone without --token)
                                may hold, detached ones included. Default: ${DEFAULT_MAX_SESSIONS_PER_PRINCIPAL}
  --max-principal-memory-mb <mb>
                                Memory one principal's sessions may hold together, counted as
                                --memory-mb per session. Default: ${DEFAULT_MAX_PRINCIPAL_MEMORY_MB}
  --max-pending-invokes <n>     Calls to a client's bindings awaiting its answer, per connection.
                                Default: ${DEFAULT_MAX_PENDING_INVOKES}
  --handshake-timeout-ms <ms>   Close connections that have sent no handshake by then.
                                Default: ${DEFAULT_HANDSHAKE_TIMEOUT_MS}
  --max-handshake-bytes <n>     Largest message a connection may send before its handshake has
                                attached a session (bounds work before authentication). Default: 1048576
  --worker-threads <n>          Threads sessions are spread over, so one busy session delays
                                only those sharing its thread. Default: twice the CPU cores
  --playground                  Also serve the playground web page at http://HOST:PORT/ (prints
                                "scomp playground at URL" before the listening line).
  --token <token>               Require clients to send this token (handshake metadata.token).
                                Default: $SCOMP_TOKEN, or no authentication when unset.
  -h, --help                    Show this help.

Exit codes: 0 after a clean shutdown (SIGINT, SIGTERM, or stdin closed with --stdio),
1 if the server fails to start or crashes, 2 for invalid options.
`;

/** Turns `argv` (without node and script) into what to do. Throws {@link UsageError} for a bad command line. */
export function parseServerArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServerCommand {
  const parsed = parseCommandLine(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    stdio: { type: 'boolean' },
    bindings: { type: 'string' },
    'thread-bindings': { type: 'string' },
    'mcp-config': { type: 'string' },
    'eval-timeout-ms': { type: 'string' },
    'memory-mb': { type: 'string' },
    'session-idle-ms': { type: 'string' },
    'max-message-bytes': { type: 'string' },
    'max-sessions-per-principal': { type: 'string' },
    'max-principal-memory-mb': { type: 'string' },
    'max-pending-invokes': { type: 'string' },
    'handshake-timeout-ms': { type: 'string' },
    'worker-threads': { type: 'string' },
    'max-handshake-bytes': { type: 'string' },
    token: { type: 'string' },
    playground: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.stdio && (values.host !== undefined || values.port !== undefined)) {
    throw new UsageError('--host and --port do not apply with --stdio');
  }
  if (values.stdio && values.playground) throw new UsageError('--playground needs WebSocket; it does not apply with --stdio');
  const token = values.token ?? (env.SCOMP_TOKEN || undefined);
  if (token === '') throw new UsageError('--token must not be empty');
  const options: ServerCliOptions = {
    transport: values.stdio ? 'stdio' : 'websocket',
    host: values.host ?? DEFAULT_HOST,
    port: integerOption('--port', values.port, DEFAULT_PORT, 0, 65_535),
    evalTimeoutMs: integerOption('--eval-timeout-ms', values['eval-timeout-ms'], DEFAULT_EVAL_TIMEOUT_MS, 1),
    memoryMb: integerOption('--memory-mb', values['memory-mb'], DEFAULT_MEMORY_MB, 1, 4096),
    sessionIdleMs: integerOption('--session-idle-ms', values['session-idle-ms'], DEFAULT_SESSION_IDLE_MS, 0),
    maxMessageBytes: integerOption('--max-message-bytes', values['max-message-bytes'], DEFAULT_MAX_MESSAGE_BYTES, 1024),
    maxSessionsPerPrincipal: integerOption(
      '--max-sessions-per-principal',
      values['max-sessions-per-principal'],
      DEFAULT_MAX_SESSIONS_PER_PRINCIPAL,
      1,
    ),
    maxPrincipalMemoryMb: integerOption('--max-principal-memory-mb', values['max-principal-memory-mb'], DEFAULT_MAX_PRINCIPAL_MEMORY_MB, 1),
    maxPendingInvokes: integerOption('--max-pending-invokes', values['max-pending-invokes'], DEFAULT_MAX_PENDING_INVOKES, 1),
    handshakeTimeoutMs: integerOption('--handshake-timeout-ms', values['handshake-timeout-ms'], DEFAULT_HANDSHAKE_TIMEOUT_MS, 1),
  };
  if (values['max-handshake-bytes'] !== undefined) {
    options.maxHandshakeBytes = integerOption('--max-handshake-bytes', values['max-handshake-bytes'], 0, 1024);
  }
  if (values['worker-threads'] !== undefined) options.workerThreads = integerOption('--worker-threads', values['worker-threads'], 0, 1, 1024);
  if (values.host === '') throw new UsageError('--host must not be empty');
  if (values.bindings !== undefined) options.bindingsModule = values.bindings;
  if (values['thread-bindings'] !== undefined) options.threadBindingsModule = values['thread-bindings'];
  if (values['mcp-config'] !== undefined) options.mcpConfig = values['mcp-config'];
  if (token !== undefined) options.token = token;
  if (values.playground) options.playground = true;
  return { kind: 'serve', options };
}

