import { spawn, type ChildProcess } from 'node:child_process';
import { groupsSupported, markGroupLeader, reapTree, signalTree, trackTree } from '../processGroup.js';
import { LineStream, type LineMatcher } from './lineStream.js';

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnProcessOptions {
  /** Working directory of the process. @default the parent's */
  cwd?: string;
  /** Variables added to (and overriding) the parent's environment; `undefined` removes one. @default {} */
  env?: Record<string, string | undefined>;
  /** The process's stdin: a pipe (`write`, `endInput`) or nothing. @default 'pipe' */
  stdin?: 'pipe' | 'ignore';
  /** The process's stderr: captured (`stderr`, and in every error), shown with the parent's, or discarded. @default 'pipe' */
  stderr?: 'pipe' | 'inherit' | 'ignore';
  /**
   * How long `nextLine` waits for a matching line before it rejects, unless the call says
   * otherwise. A liveness bound that turns a hang into an error naming what was printed, not a
   * speed goal. @default 60000
   */
  lineTimeoutMs?: number;
  /** After the process exits, how long the rest of its process group has after SIGTERM before SIGKILL. @default 2000 */
  shutdownTimeoutMs?: number;
}

/**
 * A child process in a process group of its own, whose output is read line by line. Disposing it
 * (`await using`) kills the whole group, the process and everything it started, and waits for it.
 */
export interface ProcessHandle {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Settles once the process has exited, the rest of its group has been stopped and its output has ended. */
  readonly exited: Promise<ProcessExit>;
  /** Everything printed on stdout so far. */
  readonly stdout: string;
  /** Everything printed on stderr so far (empty unless `stderr: 'pipe'`). */
  readonly stderr: string;
  /**
   * The next line on `stream`, after the last one this returned, that matches. Rejects with the
   * process's output in the message when the process exits first or no such line comes within
   * `timeoutMs`.
   */
  nextLine(stream: 'stdout' | 'stderr', match: LineMatcher, options?: { timeoutMs?: number }): Promise<string>;
  /** Writes to stdin (with `stdin: 'pipe'`); a process that already exited is not an error. */
  write(text: string): void;
  endInput(): void;
  /** Sends `signal` to the process alone. @default 'SIGTERM' */
  kill(signal?: NodeJS.Signals): void;
  /** Kills the process group with SIGKILL unless the process has exited, and waits for {@link exited}. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts `command` with piped stdout in a process group of its own. If this process exits without
 * disposing the handle, the group still gets SIGTERM.
 */
export function spawnProcess(command: string, args: readonly string[] = [], options: SpawnProcessOptions = {}): ProcessHandle {
  const env = { ...process.env };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env,
    stdio: [options.stdin ?? 'pipe', 'pipe', options.stderr ?? 'pipe'],
    detached: true,
    windowsHide: true,
  });
  if (groupsSupported) markGroupLeader(child);
  return new ChildProcessHandle(child, options);
}

class ChildProcessHandle implements ProcessHandle {
  readonly exited: Promise<ProcessExit>;
  private readonly streams = { stdout: new LineStream(), stderr: new LineStream() };
  private exit: ProcessExit | undefined;
  private spawnError: Error | undefined;

  constructor(
    readonly child: ChildProcess,
    private readonly options: SpawnProcessOptions,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.streams.stdout.push(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.streams.stderr.push(chunk));
    child.stdin?.on('error', () => {}); // writing to a process that already exited is not the caller's failure
    const spawned = new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', (error) => {
        this.spawnError ??= error;
        resolve(false);
      });
    });
    void spawned.then((ok) => ok && trackTree(child));
    // 'close' follows both a failed spawn and an exit, once stdout and stderr have ended.
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const exitedAlone = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.exited = spawned.then(async (ok) => {
      let exit: ProcessExit = { code: null, signal: null };
      if (ok) {
        exit = await exitedAlone;
        // What the process started may outlive it and hold its output open: stop the rest of the group.
        await reapTree(child, options.shutdownTimeoutMs ?? 2000);
      }
      await closed;
      this.exit = exit;
      for (const stream of Object.values(this.streams)) stream.end();
      const why = () => this.failure(`exited (${describeExit(exit)}) before printing a matching line`);
      for (const stream of Object.values(this.streams)) stream.failAll(why);
      return exit;
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get stdout(): string {
    return this.streams.stdout.text;
  }

  get stderr(): string {
    return this.streams.stderr.text;
  }

  nextLine(stream: 'stdout' | 'stderr', match: LineMatcher, options: { timeoutMs?: number } = {}): Promise<string> {
    const waiting = this.streams[stream].wait(match);
    if (this.exit) waiting.cancel(this.failure(`had already exited (${describeExit(this.exit)}) before printing a matching line`));
    const timeoutMs = options.timeoutMs ?? this.options.lineTimeoutMs ?? 60_000;
    const timer = setTimeout(() => waiting.cancel(this.failure(`printed no matching line on ${stream} within ${timeoutMs} ms`)), timeoutMs);
    return waiting.line.finally(() => clearTimeout(timer));
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  endInput(): void {
    this.child.stdin?.end();
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.exit) signalTree(this.child, 'SIGKILL');
    await this.exited;
  }

  private failure(what: string): Error {
    const command = this.child.spawnargs.join(' ');
    const cause = this.spawnError ? `: ${this.spawnError.message}` : '';
    return new Error(`${command} ${what}${cause}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `code ${exit.code}`;
}
