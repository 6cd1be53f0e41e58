import { spawn, type ChildProcess } from 'node:child_process';

export type LineMatcher = string | RegExp | ((line: string) => boolean);

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output is read line by line. Dispose it to kill it and wait for its exit. */
export interface ProcessHandle {
  readonly child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /**
   * The next line on `stream` (after the last one this returned) that matches. Rejects if the
   * process exits first, with its output in the message.
   */
  nextLine(stream: 'stdout' | 'stderr', match: LineMatcher): Promise<string>;
  write(text: string): void;
  endInput(): void;
  kill(signal?: NodeJS.Signals): void;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface SpawnProcessOptions {
  cwd?: string;
  /** Variables added to the parent's environment; `undefined` removes one. */
  env?: Record<string, string | undefined>;
}

interface Waiter {
  match: (line: string) => boolean;
  resolve(line: string): void;
  reject(error: Error): void;
}

class LineStream {
  text = '';
  readonly lines: string[] = [];
  cursor = 0;
  waiters: Waiter[] = [];
  private partial = '';

  push(chunk: string): void {
    this.text += chunk;
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) this.lines.push(line.replace(/\r$/, ''));
    this.serve();
  }

  end(): void {
    if (this.partial !== '') this.lines.push(this.partial);
    this.partial = '';
    this.serve();
  }

  serve(): void {
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0]!;
      const index = this.lines.findIndex((line, i) => i >= this.cursor && waiter.match(line));
      if (index === -1) return;
      this.cursor = index + 1;
      this.waiters.shift();
      waiter.resolve(this.lines[index]!);
    }
  }
}

function matcher(match: LineMatcher): (line: string) => boolean {
  if (typeof match === 'string') return (line) => line.includes(match);
  if (match instanceof RegExp) return (line) => match.test(line);
  return match;
}

/** Spawns a process with piped stdio. */
export function spawnProcess(command: string, args: readonly string[], options: SpawnProcessOptions = {}): ProcessHandle {
  const env = { ...process.env };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(command, [...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const streams = { stdout: new LineStream(), stderr: new LineStream() };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => streams.stdout.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => streams.stderr.push(chunk));
  child.stdin.on('error', () => {}); // writing to a process that already exited is not the test's failure
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('close', (code, signal) => {
      exit = { code, signal };
      streams.stdout.end();
      streams.stderr.end();
      for (const stream of Object.values(streams)) {
        for (const waiter of stream.waiters.splice(0)) {
          waiter.reject(
            new Error(
              `process exited (code ${code}, signal ${signal}) before printing a matching line\n` +
                `stdout:\n${streams.stdout.text}\nstderr:\n${streams.stderr.text}`,
            ),
          );
        }
      }
      resolve(exit);
    });
  });
  return {
    child,
    exited,
    get stdout() {
      return streams.stdout.text;
    },
    get stderr() {
      return streams.stderr.text;
    },
    nextLine(stream, match) {
      return new Promise((resolve, reject) => {
        const target = streams[stream];
        target.waiters.push({ match: matcher(match), resolve, reject });
        target.serve();
        if (exit && target.waiters.length > 0) {
          target.waiters.splice(0);
          reject(new Error(`process already exited; ${stream}:\n${target.text}`));
        }
      });
    },
    write: (text) => void child.stdin.write(text),
    endInput: () => void child.stdin.end(),
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    async [Symbol.asyncDispose]() {
      if (!exit) child.kill('SIGKILL');
      await exited;
    },
  };
}
