import { UsageError } from './usageError.js';

/** The streams and environment a command runs with: this process's, or a test's own. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** This process's stdout, stderr and environment. */
export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * What `parse` makes of the command line, or undefined after a {@link UsageError}, which is written
 * to `stderr` as `<name>: <message>` with a pointer to `--help`; the command then exits with 2.
 * Other errors are thrown on.
 */
export function parseOrReport<T>(name: string, parse: () => T, stderr: NodeJS.WritableStream): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`${name}: ${error.message}\nRun "${name} --help" for the options.\n`);
    return undefined;
  }
}
