import { createInterface } from 'node:readline';
import { AbortedError, ConnectionClosedError, renderDeclarations, type Client } from '@scomp/peer';
import { ExitCode } from './cli.js';
import { isIncomplete } from './completeness.js';
import { formatError, formatValue } from './format.js';
import { historyFile, readHistory, writeHistory } from './history.js';
import { LineQueue } from './lines.js';

export interface ReplIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
}

const PROMPT = 'scomp> ';
const CONTINUE_PROMPT = '... ';

export const REPL_HELP = `Type JavaScript; top-level await works and declarations persist in the session.
Input continues on the next line while it is incomplete (open brackets, template, comment).
Server bindings are async functions: const o = await getOrder({ id: 'o_001' })

  .bindings   Show the server's bindings as TypeScript declarations
  .session    Show the session id (resume it with: scomp repl <url> --session <id>)
  .help       Show this help
  .exit       Leave (also Ctrl-D, or Ctrl-C twice at an empty prompt)

Ctrl-C cancels a running eval, or discards the lines typed so far.
`;

/**
 * An interactive session on a connected client. Reads lines until `.exit`, end of input, or two
 * Ctrl-C at an idle prompt; resolves with the exit code. Without a terminal it prints no prompts,
 * so its output can be read line by line. `onLines` receives the queue of input lines, from which
 * `confirm` questions read their answers.
 */
export async function runRepl(client: Client, io: ReplIo, options: { onLines?(queue: LineQueue): void } = {}): Promise<number> {
  const interactive = io.stdin.isTTY === true;
  const colors = io.stdout.isTTY === true;
  const file = interactive ? historyFile() : undefined;
  const rl = createInterface({
    input: io.stdin,
    output: io.stdout,
    terminal: interactive,
    history: file ? readHistory(file) : [],
    historySize: 1000,
    removeHistoryDuplicates: true,
    prompt: interactive ? PROMPT : '',
  });
  if (file) rl.on('history', (history: string[]) => writeHistory(file, history));
  // Lines are taken one at a time, so a confirm question asked during an eval gets the next one.
  const lines = new LineQueue(rl);
  options.onLines?.(lines);
  const print = (text: string) => io.stdout.write(`${text}\n`);
  const buffer: string[] = [];
  let running: AbortController | undefined;
  let interruptedAtIdle = false;
  let done = false;
  let exitCode: number = ExitCode.Ok;

  const prompt = () => {
    if (!interactive || done) return;
    rl.setPrompt(buffer.length > 0 ? CONTINUE_PROMPT : PROMPT);
    rl.prompt();
  };
  const onInterrupt = () => {
    if (running) {
      running.abort();
      return;
    }
    if (buffer.length > 0) {
      buffer.length = 0;
      print('');
      prompt();
      return;
    }
    if (interruptedAtIdle) {
      done = true;
      rl.close();
      return;
    }
    interruptedAtIdle = true;
    print('\n(To exit, press Ctrl-C again or type .exit)');
    prompt();
  };
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);

  const evaluate = async (code: string) => {
    running = new AbortController();
    try {
      print(formatValue(await client.eval(code, { signal: running.signal }), { colors }));
    } catch (error) {
      if (running.signal.aborted && error instanceof AbortedError) print('Cancelled.');
      else print(formatError(error));
      if (error instanceof ConnectionClosedError && !running.signal.aborted) {
        print('The connection is closed; leaving.');
        exitCode = ExitCode.Failed;
        done = true;
      }
    } finally {
      running = undefined;
    }
  };

  const command = (line: string): boolean => {
    const name = /^\.([a-z]+)\s*$/.exec(line)?.[1];
    if (name === undefined) return false;
    if (name === 'exit') done = true;
    else if (name === 'help') io.stdout.write(REPL_HELP);
    else if (name === 'session') print(client.sessionId);
    else if (name === 'bindings') io.stdout.write(renderDeclarations(client.serverBindings) || '// no bindings\n');
    else print(`Unknown command .${name}; try .help`);
    return true;
  };

  prompt();
  try {
    for (let line = await lines.next(); line !== undefined; line = await lines.next()) {
      interruptedAtIdle = false;
      if (buffer.length === 0 && command(line)) {
        if (done) break;
        prompt();
        continue;
      }
      buffer.push(line);
      const code = buffer.join('\n');
      if (code.trim() === '') {
        buffer.length = 0;
      } else if (!isIncomplete(code)) {
        buffer.length = 0;
        await evaluate(code);
        if (done) break;
      }
      prompt();
    }
  } finally {
    rl.off('SIGINT', onInterrupt);
    process.off('SIGINT', onInterrupt);
    rl.close();
  }
  return exitCode;
}
