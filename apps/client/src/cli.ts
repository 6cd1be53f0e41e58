import { UsageError, parseCommandLine } from '@scomp/transport-stdio/cli';
import { CONFIRM_POLICIES, type ConfirmPolicy } from './confirm.js';
import { splitCommand } from './splitCommand.js';

/** A command line that cannot be run as given. The process exits with {@link ExitCode.Usage}. */
export { UsageError };

/** Exit codes of `scomp`. */
export const ExitCode = {
  Ok: 0,
  /** The eval (or another request) failed: the code threw, hit a limit, was cancelled, or the connection dropped. */
  Failed: 1,
  Usage: 2,
  /** Could not connect, or the server refused the handshake (wrong token, unknown session, …). */
  Connect: 3,
  /** Interrupted with Ctrl-C (SIGINT) during a one-shot command. */
  Interrupted: 130,
} as const;

/** Where the server is: a WebSocket URL, or a command to start it as a child speaking stdio. */
export type Target = { kind: 'url'; url: string } | { kind: 'stdio'; command: string; args: string[] };

export interface ConnectOptions {
  target: Target;
  /** Sent as handshake `metadata.token`. */
  token?: string;
  /** Module with the client's own bindings, callable from the server's code. */
  bindingsModule?: string;
  /** Resume this session instead of starting a new one. */
  sessionId?: string;
  /** How `confirm` questions are answered. @default `ask` when standard input is a terminal, else `no` */
  confirm?: ConfirmPolicy;
}

export type ClientCommand =
  | { kind: 'help' }
  | { kind: 'eval'; connect: ConnectOptions; code?: string; file?: string; json: boolean }
  | { kind: 'bindings'; connect: ConnectOptions; json: boolean }
  | { kind: 'repl'; connect: ConnectOptions };

export const CLIENT_HELP = `Usage:
  scomp repl <url> [options]              Interactive session.
  scomp eval <url> <code> [options]       Evaluate code once and print the value.
  scomp eval <url> --file <file> [options]  Evaluate a file ("-" reads standard input).
  scomp bindings <url> [options]          Print the server's bindings as TypeScript declarations.
  scomp chain <chain.json> [--port <n>]   Start a chain of components ending in a server and serve it
                                          over WebSocket (the URL is printed), for repl and eval;
                                          --max-message-bytes <n> gives it its server's message limit.

<url> is a WebSocket URL (ws://host:port or wss://…). Instead of a URL, --stdio "<command>"
starts the server as a child process and talks to it over its stdin/stdout.

Options:
  --stdio <command>      Start the server with this command line instead of connecting to <url>.
                         Quotes and backslashes are honoured; no shell is involved.
  --token <token>        Sent as handshake metadata.token. Default: $SCOMP_TOKEN, or none.
  --session <id>         Resume this session (its variables persist) instead of starting one.
  --bindings <module>    Declare the bindings exported by this .js/.mjs/.ts module, so the
                         server's code can call back into this client.
  --confirm <ask|yes|no> How to answer a component's confirm question (before a call with
                         effects such as write): ask prints it and reads y/N, yes allows all,
                         no refuses all. Default: ask on a terminal, otherwise no.
  --yes                  Same as --confirm yes.
  --json                 eval: print {"value":…,"sessionId":…} or {"error":{code,message,data},"sessionId":…}.
                         bindings: print the raw binding metadata.
  --file <file>          eval: read the code from a file.
  -h, --help             Show this help.

Console output of evaluated code is printed to stderr as "[level] …"; structured log entries as
"[log level] message data", HTML panels as text, and file comments with their location.

Exit codes: 0 success, 1 the eval failed (or the connection dropped during it),
2 invalid command line, 3 could not connect or the handshake was refused,
130 interrupted (Ctrl-C) during eval.
`;

const COMMANDS = ['repl', 'eval', 'bindings'] as const;

/** Turns `argv` (without node and script) into what to do. Throws {@link UsageError} for a bad command line. */
export function parseClientArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ClientCommand {
  const parsed = parseCommandLine(argv, {
    stdio: { type: 'string' },
    token: { type: 'string' },
    session: { type: 'string' },
    bindings: { type: 'string' },
    json: { type: 'boolean' },
    file: { type: 'string' },
    confirm: { type: 'string' },
    yes: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, true);
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { kind: 'help' };
  if (command === undefined) throw new UsageError('missing command: repl, eval or bindings');
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command "${command}"`);

  const { target, remaining } = targetFrom(values.stdio, rest);
  const connect: ConnectOptions = { target };
  const token = values.token ?? (env.SCOMP_TOKEN || undefined);
  if (token !== undefined) connect.token = token;
  if (values.session !== undefined) {
    if (values.session === '') throw new UsageError('--session must not be empty');
    connect.sessionId = values.session;
  }
  if (values.bindings !== undefined) connect.bindingsModule = values.bindings;
  if (values.yes && values.confirm !== undefined && values.confirm !== 'yes') throw new UsageError(`--yes contradicts --confirm ${values.confirm}`);
  if (values.confirm !== undefined && !(CONFIRM_POLICIES as readonly string[]).includes(values.confirm)) {
    throw new UsageError(`--confirm: "${values.confirm}" is not one of ${CONFIRM_POLICIES.join(', ')}`);
  }
  const confirm = values.yes ? 'yes' : (values.confirm as ConfirmPolicy | undefined);
  if (confirm !== undefined) connect.confirm = confirm;
  const onlyFor = (flag: string, allowed: boolean) => {
    if (!allowed) throw new UsageError(`${flag} does not apply to "${command}"`);
  };
  onlyFor('--json', !values.json || command !== 'repl');
  onlyFor('--file', values.file === undefined || command === 'eval');
  onlyFor('--confirm', confirm === undefined || command !== 'bindings');

  if (command === 'eval') {
    if (values.file !== undefined) {
      if (remaining.length > 0) throw new UsageError('give either <code> or --file, not both');
      return { kind: 'eval', connect, file: values.file, json: values.json ?? false };
    }
    if (remaining.length === 0) throw new UsageError('missing <code> (or --file)');
    if (remaining.length > 1) throw new UsageError('too many arguments: quote the code as one argument');
    return { kind: 'eval', connect, code: remaining[0]!, json: values.json ?? false };
  }
  if (remaining.length > 0) throw new UsageError(`unexpected argument "${remaining[0]}"`);
  if (command === 'bindings') return { kind: 'bindings', connect, json: values.json ?? false };
  return { kind: 'repl', connect };
}

function targetFrom(stdio: string | undefined, rest: string[]): { target: Target; remaining: string[] } {
  if (stdio !== undefined) {
    let words: string[];
    try {
      words = splitCommand(stdio);
    } catch (error) {
      throw new UsageError(`--stdio: ${(error as Error).message}`);
    }
    const [command, ...args] = words;
    if (command === undefined) throw new UsageError('--stdio needs a command');
    return { target: { kind: 'stdio', command, args }, remaining: rest };
  }
  const [url, ...remaining] = rest;
  if (url === undefined) throw new UsageError('missing <url> (or --stdio "<command>")');
  if (!/^wss?:\/\/./.test(url)) throw new UsageError(`"${url}" is not a WebSocket URL (ws://… or wss://…)`);
  return { target: { kind: 'url', url }, remaining };
}
