import { DEFAULT_MAX_MESSAGE_BYTES } from '@scomp/protocol/value-rules';
import { UsageError, integerOption, parseCommandLine } from '@scomp/transport-stdio/cli';
import type { Target } from './target.js';
import type { RunOptions } from './runner.js';
import type { JsonObject } from './wire.js';

export { UsageError };

export const CONFORMANCE_HELP = `Usage: scomp-conformance <ws://host:port> [options]
       scomp-conformance --stdio "<command>" [options]

Runs the MUST and SHOULD cases of the scomp spec (spec/PROTOCOL.md) over the wire against a
server, one line per case: PASS, FAIL or N/A, the section, the level and the rule.

Options:
  --stdio <command>                 Start the server with this shell command for each connection
                                    and speak newline-delimited JSON over its stdin/stdout.
  --json                            Print the report as JSON instead of lines.
  --only <prefix>                   Run only cases whose id starts with it (repeatable).
  --list                            List the cases and exit.
  --timeout-ms <ms>                 How long one response may take. Default: 10000
  --server-max-message-bytes <n>    The server's maxMessageBytes, for the message size case.
                                    Default: 16777216
  --limit-probe-count <n>           Requests the limit cases send before deciding a limit is not
                                    enforced. Default: 2048
  --metadata <json>                 Handshake metadata, e.g. '{"token":"..."}'.
  --header <name: value>            A WebSocket upgrade header (repeatable).
  -h, --help                        Show this help.

Cases that need more than the spec (a server binding "echo" that returns its argument, a
JavaScript runtime, a second connection) report N/A when the server lacks it.

Exit codes: 0 when every MUST case passed or does not apply, 1 when a MUST case failed or no
handshake with the server succeeded, 2 for invalid options.
`;

export type ConformanceCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'run'; target: Target; json: boolean; options: RunOptions };

/** Turns `argv` (without node and script) into what to do. Throws {@link UsageError} for a bad command line. */
export function parseConformanceArgs(argv: readonly string[]): ConformanceCommand {
  const parsed = parseCommandLine(argv, {
    stdio: { type: 'string' },
    json: { type: 'boolean' },
    only: { type: 'string', multiple: true },
    list: { type: 'boolean' },
    'timeout-ms': { type: 'string' },
    'server-max-message-bytes': { type: 'string' },
    'limit-probe-count': { type: 'string' },
    metadata: { type: 'string' },
    header: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  }, true);
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.list) return { kind: 'list' };
  if (positionals.length > 1) throw new UsageError(`expected one server URL, got ${positionals.length}`);
  const url = positionals[0];
  if ((url === undefined) === (values.stdio === undefined)) throw new UsageError('give either a ws:// or wss:// URL or --stdio "<command>"');
  let target: Target;
  if (values.stdio !== undefined) {
    if (values.stdio.trim() === '') throw new UsageError('--stdio needs a command');
    if (values.header) throw new UsageError('--header applies to WebSocket servers only');
    target = { kind: 'stdio', command: values.stdio };
  } else {
    if (!/^wss?:\/\//.test(url!)) throw new UsageError(`expected a ws:// or wss:// URL, got "${url}"`);
    target = { kind: 'websocket', url: url!, ...(values.header ? { headers: headers(values.header) } : {}) };
  }
  const options: RunOptions = {
    timeoutMs: integerOption('--timeout-ms', values['timeout-ms'], 10_000, 1),
    serverMaxMessageBytes: integerOption('--server-max-message-bytes', values['server-max-message-bytes'], DEFAULT_MAX_MESSAGE_BYTES, 1),
    limitProbeCount: integerOption('--limit-probe-count', values['limit-probe-count'], 2048, 1),
  };
  if (values.only) options.only = values.only;
  if (values.metadata !== undefined) options.metadata = metadata(values.metadata);
  return { kind: 'run', target, json: values.json ?? false, options };
}

function metadata(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--metadata must be JSON, got ${text}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError('--metadata must be a JSON object');
  return value as JsonObject;
}

function headers(lines: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header must be "name: value", got "${line}"`);
    result[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return result;
}
