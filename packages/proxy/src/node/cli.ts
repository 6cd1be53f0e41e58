import { splitCommand } from '@scomp/transport-stdio';
import { UsageError, integerOption, parseCommandLine } from '@scomp/transport-stdio/cli';
import { CHAIN_ENV, parseChain, type ChainEntry } from './chainConfig.js';

export const PROXY_HELP = `Usage: scomp-proxy [component] [options]

Runs one scomp component: a server to its upstream, a client to its downstream.

Components:
  transparent (default)           forwards everything unchanged
  audit                           logs every eval and invoke upstream (duration, outcome)
  approval                        asks the upstream's confirm before calls with write/external effects
  scope                           offers only the bindings named by --server-bindings / --client-bindings
  --module <file.js>              a module whose default export is a component definition

Downstream (one of):
  --downstream <ws://…>           connect to a server over WebSocket
  --downstream-stdio "<command>"  start the server as a child over stdio
  --chain <chain.json>            start the chain (components ending in a server) as children
  (started by a chain, the rest of it arrives in ${CHAIN_ENV})

Upstream:
  --port <n>                      serve WebSocket on this port (0 picks one); default: stdio
  --host <addr>                   default 127.0.0.1
  --max-message-bytes <n>         largest upstream message (default 16777216); give the
                                  head of a chain its server's limit

Component options:
  --audit-file <path>             audit: also append each record to this file as a JSON line
  --effects <list>                approval: effects that need confirm (default write,external)
  --server-bindings <list>        scope: server bindings offered upstream (names, prefix.*, *)
  --client-bindings <list>        scope: client bindings declared downstream
`;

export type ComponentKind = 'transparent' | 'audit' | 'approval' | 'scope';

export interface ProxyCliOptions {
  kind: ComponentKind;
  module?: string;
  downstream: { kind: 'url'; url: string } | { kind: 'chain'; chain: ChainEntry[] } | { kind: 'chainFile'; path: string };
  port?: number;
  host: string;
  maxMessageBytes?: number;
  auditFile?: string;
  effects?: string[];
  serverBindings?: string[];
  clientBindings?: string[];
}

const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');

/** Turns `argv` (without node and script) into what to run. Throws {@link UsageError} for a bad command line. */
export function parseProxyArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ProxyCliOptions | 'help' {
  const parsed = parseCommandLine(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      module: { type: 'string' },
      downstream: { type: 'string' },
      'downstream-stdio': { type: 'string' },
      chain: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'audit-file': { type: 'string' },
      effects: { type: 'string' },
      'server-bindings': { type: 'string' },
      'client-bindings': { type: 'string' },
    },
    true,
  );
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const kind = (positionals[0] ?? 'transparent') as ComponentKind;
  if (!['transparent', 'audit', 'approval', 'scope'].includes(kind)) throw new UsageError(`unknown component "${kind}"`);
  if (values.module !== undefined && positionals.length > 0) throw new UsageError('give either a component name or --module, not both');
  const given = [values.downstream, values['downstream-stdio'], values.chain].filter((value) => value !== undefined);
  if (given.length > 1) throw new UsageError('give only one of --downstream, --downstream-stdio and --chain');
  let downstream: ProxyCliOptions['downstream'];
  if (values.downstream !== undefined) {
    if (!/^wss?:\/\/./.test(values.downstream)) throw new UsageError(`--downstream: "${values.downstream}" is not a WebSocket URL`);
    downstream = { kind: 'url', url: values.downstream };
  } else if (values['downstream-stdio'] !== undefined) {
    let words: string[];
    try {
      words = splitCommand(values['downstream-stdio']);
    } catch (error) {
      throw new UsageError(`--downstream-stdio: ${(error as Error).message}`);
    }
    const [command, ...args] = words;
    if (command === undefined) throw new UsageError('--downstream-stdio needs a command');
    downstream = { kind: 'chain', chain: [{ command, args }] };
  } else if (values.chain !== undefined) {
    downstream = { kind: 'chainFile', path: values.chain };
  } else if (env[CHAIN_ENV]) {
    let json: unknown;
    try {
      json = JSON.parse(env[CHAIN_ENV]);
    } catch {
      throw new UsageError(`${CHAIN_ENV} is not JSON`);
    }
    try {
      downstream = { kind: 'chain', chain: parseChain(json, CHAIN_ENV) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  } else {
    throw new UsageError('missing downstream: --downstream <ws://…>, --downstream-stdio "<command>" or --chain <chain.json>');
  }
  const options: ProxyCliOptions = { kind, downstream, host: values.host ?? '127.0.0.1' };
  if (values.module !== undefined) options.module = values.module;
  if (values.port !== undefined) options.port = integerOption('--port', values.port, 0, 0, 65535);
  if (values['max-message-bytes'] !== undefined) options.maxMessageBytes = integerOption('--max-message-bytes', values['max-message-bytes'], 0, 1);
  const only = (flag: string, value: unknown, component: ComponentKind) => {
    if (value !== undefined && kind !== component) throw new UsageError(`${flag} applies to the ${component} component only`);
  };
  only('--audit-file', values['audit-file'], 'audit');
  only('--effects', values.effects, 'approval');
  only('--server-bindings', values['server-bindings'], 'scope');
  only('--client-bindings', values['client-bindings'], 'scope');
  if (values['audit-file'] !== undefined) options.auditFile = values['audit-file'];
  const effects = list(values.effects);
  if (effects) options.effects = effects;
  const serverBindings = list(values['server-bindings']);
  if (serverBindings) options.serverBindings = serverBindings;
  const clientBindings = list(values['client-bindings']);
  if (clientBindings) options.clientBindings = clientBindings;
  if (kind === 'scope' && !serverBindings && !clientBindings) {
    throw new UsageError('scope needs --server-bindings and/or --client-bindings');
  }
  return options;
}
