import { readFile } from 'node:fs/promises';
import { renderDeclarations } from '@scomp/peer';
import { ExitCode, UsageError } from './cli.js';
import type { Connected } from './connect.js';
import { errorJson, formatError, formatValue, toJson } from './format.js';

export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/** The code of `scomp eval`: the argument, a file, or standard input for `--file -`. */
export async function readCode(source: { code?: string; file?: string }, stdin: NodeJS.ReadableStream): Promise<string> {
  if (source.code !== undefined) return source.code;
  const file = source.file!;
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    let text = '';
    for await (const chunk of stdin) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    return text;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Runs one eval; Ctrl-C cancels it. Prints the value (or `--json` output) and resolves with the exit code. */
export async function evalOnce(connected: Connected, code: string, json: boolean, io: CommandIo): Promise<number> {
  const { client } = connected;
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const value = await client.eval(code, { signal: abort.signal });
    if (json) io.stdout.write(`${toJson(value === undefined ? { sessionId: client.sessionId } : { value, sessionId: client.sessionId })}\n`);
    else if (value !== undefined) io.stdout.write(`${formatValue(value, { rawStrings: true, colors: io.stdout.isTTY === true })}\n`);
    return ExitCode.Ok;
  } catch (error) {
    if (json) io.stdout.write(`${toJson({ error: errorJson(error), sessionId: client.sessionId })}\n`);
    else io.stderr.write(`${abort.signal.aborted ? 'Cancelled.' : formatError(error)}\n`);
    return abort.signal.aborted ? ExitCode.Interrupted : ExitCode.Failed;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** Prints the server's bindings as TypeScript declarations, or as raw metadata with `--json`. */
export function printBindings(connected: Connected, json: boolean, io: CommandIo): number {
  const bindings = connected.client.serverBindings;
  io.stdout.write(json ? `${JSON.stringify(bindings, null, 2)}\n` : renderDeclarations(bindings));
  return ExitCode.Ok;
}
