import { CLIENT_HELP, ExitCode, UsageError, parseClientArgs, type ClientCommand } from './cli.js';
import { ConnectError, connect } from './connect.js';
import { errorJson, toJson } from './format.js';
import { evalOnce, printBindings, readCode, type CommandIo } from './commands.js';
import { runRepl } from './repl.js';
import { runChain } from './chain.js';
import { AnswerSource } from './lines.js';
import { createInterface } from 'node:readline';

export interface MainIo extends CommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): MainIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Runs `scomp` with the given arguments; resolves with the exit code (see {@link ExitCode}). */
export async function main(argv: readonly string[], io: MainIo = defaultIo()): Promise<number> {
  if (argv[0] === 'chain') return runChain(argv.slice(1), io);
  let command: ClientCommand | undefined;
  try {
    command = parseClientArgs(argv, io.env);
    if (command.kind === 'help') {
      io.stdout.write(CLIENT_HELP);
      return ExitCode.Ok;
    }
    return await run(command, io);
  } catch (error) {
    const json = command !== undefined && 'json' in command && command.json;
    const code = error instanceof UsageError ? ExitCode.Usage : error instanceof ConnectError ? ExitCode.Connect : ExitCode.Failed;
    if (json && code !== ExitCode.Usage) {
      io.stdout.write(`${toJson({ error: errorJson(error instanceof ConnectError ? (error.cause ?? error) : error) })}\n`);
    }
    io.stderr.write(`scomp: ${error instanceof Error ? error.message : String(error)}\n`);
    if (code === ExitCode.Usage) io.stderr.write('Run "scomp --help" for usage.\n');
    return code;
  }
}

async function run(command: Exclude<ClientCommand, { kind: 'help' }>, io: MainIo): Promise<number> {
  const code = command.kind === 'eval' ? await readCode(command, io.stdin) : undefined;
  const answers = new AnswerSource(() => createInterface({ input: io.stdin, terminal: false }));
  try {
    const connected = await connect(command.connect, { stderr: io.stderr, stdin: io.stdin, readAnswer: () => answers.read() });
    try {
      if (command.kind === 'eval') return await evalOnce(connected, code!, command.json, io);
      if (command.kind === 'bindings') return printBindings(connected, command.json, io);
      return await runRepl(connected.client, io, { onLines: (queue) => answers.use(queue) });
    } finally {
      await connected.close();
    }
  } finally {
    answers.close();
  }
}
