import { UsageError, integerOption, parseCommandLine } from '@scomp/transport-stdio/cli';

export { UsageError };

export const DEFAULT_HTTP_PORT = 7358;

export interface McpCliOptions {
  transport: 'stdio' | 'http';
  host: string;
  port: number;
  /** Module with the user's own bindings; the demo order shop when neither this nor mcpConfig is given. */
  bindingsModule?: string;
  /** JavaScript module whose bindings run on the runtime's worker threads, beside the guest code. */
  threadBindingsModule?: string;
  /** `mcpServers` file whose servers' tools become bindings. */
  mcpConfig?: string;
  /** An existing scomp server to use instead of one in this process. */
  connect?: string;
  token?: string;
  evalTimeoutMs?: number;
  memoryMb?: number;
  sessionIdleMs: number;
  /** Extra names accepted in the Host header (--http). */
  allowedHosts: string[];
  /** Extra origins accepted in the Origin header (--http). */
  allowedOrigins: string[];
  maxOutputChars: number;
  describeThresholdChars: number;
}

export type McpCommand = { kind: 'help' } | { kind: 'serve'; options: McpCliOptions };

export const MCP_HELP = `Usage: scomp-mcp [options]

An MCP server for code mode: one "eval" tool runs JavaScript in a persistent scomp runtime whose
bindings are the demo order shop, your own (--bindings), the tools of MCP servers (--mcp-config),
or those of a running scomp server (--connect). Serves MCP over stdin/stdout unless --http.

Options:
  --http                        Serve Streamable HTTP at http://HOST:PORT/mcp; prints
                                "scomp-mcp listening on <url>" once ready.
  --host <host>                 Interface to listen on (--http). Default: 127.0.0.1
  --port <port>                 Port to listen on (--http); 0 picks a free one. Default: ${DEFAULT_HTTP_PORT}
  --allowed-hosts <names>       Comma-separated host names accepted in the Host header besides the
                                listening address and localhost (--http); others get 403.
  --allowed-origins <origins>   Comma-separated origins (https://app.example) accepted in the Origin
                                header besides those on an allowed host (--http).
  --bindings <module>           Load bindings from a .js/.mjs/.ts module, as scomp-server does.
  --thread-bindings <module>    Load bindings from a .js/.mjs module that run on the runtime's
                                worker threads, beside the guest code, as scomp-server does.
  --mcp-config <file>           Mount the tools of the MCP servers in this { "mcpServers": ... }
                                file as bindings named <server>.<tool>.
  --connect <ws-url>            Use the scomp server at this URL instead of one in this process.
  --token <token>               Token for --connect (handshake metadata.token). Default: $SCOMP_TOKEN
  --eval-timeout-ms <ms>        CPU time one eval may run. Default: 10000
  --memory-mb <mb>              Heap limit of each session's runtime. Default: 64
  --session-idle-ms <ms>        Close an HTTP session after this long without requests. Default: 900000
  --max-output-chars <n>        Characters of value and logs one eval returns together. Default: 20000
  --describe-threshold-chars <n>
                                Declarations longer than this are served by a "describe" tool
                                instead of the eval description. Default: 8000
  -h, --help                    Show this help.

Exit codes: 0 after a clean shutdown (stdin closed, SIGINT, SIGTERM), 1 if it fails to start,
2 for invalid options.
`;

/** Turns `argv` (without node and script) into what to do. Throws {@link UsageError} for a bad command line. */
export function parseMcpArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): McpCommand {
  const parsed = parseCommandLine(argv, {
    http: { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string' },
    'allowed-hosts': { type: 'string' },
    'allowed-origins': { type: 'string' },
    bindings: { type: 'string' },
    'thread-bindings': { type: 'string' },
    'mcp-config': { type: 'string' },
    connect: { type: 'string' },
    token: { type: 'string' },
    'eval-timeout-ms': { type: 'string' },
    'memory-mb': { type: 'string' },
    'session-idle-ms': { type: 'string' },
    'max-output-chars': { type: 'string' },
    'describe-threshold-chars': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  if (!values.http && (values.host !== undefined || values.port !== undefined)) throw new UsageError('--host and --port need --http');
  if (!values.http && (values['allowed-hosts'] !== undefined || values['allowed-origins'] !== undefined)) {
    throw new UsageError('--allowed-hosts and --allowed-origins need --http');
  }
  if (values.connect !== undefined) {
    if (!/^wss?:\/\//.test(values.connect)) throw new UsageError(`--connect needs a ws:// or wss:// URL, got "${values.connect}"`);
    for (const flag of ['bindings', 'thread-bindings', 'mcp-config', 'eval-timeout-ms', 'memory-mb'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply with --connect: the scomp server there decides`);
    }
  }
  const options: McpCliOptions = {
    transport: values.http ? 'http' : 'stdio',
    host: values.host ?? '127.0.0.1',
    port: integerOption('--port', values.port, DEFAULT_HTTP_PORT, 0, 65_535),
    sessionIdleMs: integerOption('--session-idle-ms', values['session-idle-ms'], 900_000, 1),
    allowedHosts: list(values['allowed-hosts']),
    allowedOrigins: list(values['allowed-origins']),
    maxOutputChars: integerOption('--max-output-chars', values['max-output-chars'], 20_000, 100),
    describeThresholdChars: integerOption('--describe-threshold-chars', values['describe-threshold-chars'], 8000, 0),
  };
  if (values.host === '') throw new UsageError('--host must not be empty');
  for (const origin of options.allowedOrigins) {
    if (!/^https?:\/\/[^/?#]+$/.test(origin)) throw new UsageError(`--allowed-origins takes origins like https://app.example, got "${origin}"`);
  }
  if (values.bindings !== undefined) options.bindingsModule = values.bindings;
  if (values['thread-bindings'] !== undefined) options.threadBindingsModule = values['thread-bindings'];
  if (values['mcp-config'] !== undefined) options.mcpConfig = values['mcp-config'];
  if (values.connect !== undefined) options.connect = values.connect;
  const token = values.token ?? (env.SCOMP_TOKEN || undefined);
  if (token !== undefined) options.token = token;
  if (values['eval-timeout-ms'] !== undefined) options.evalTimeoutMs = integerOption('--eval-timeout-ms', values['eval-timeout-ms'], 0, 1);
  if (values['memory-mb'] !== undefined) options.memoryMb = integerOption('--memory-mb', values['memory-mb'], 0, 1, 4096);
  return { kind: 'serve', options };
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
}
