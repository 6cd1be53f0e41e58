import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Node arguments that run a TypeScript entry against the workspace sources. */
export function tsNodeArgs(entry: string | URL, ...args: string[]): string[] {
  return ['--conditions=@scomp/source', '--import', 'tsx', typeof entry === 'string' ? entry : fileURLToPath(entry), ...args];
}

export const serverBin = new URL('../../../apps/server/src/bin.ts', import.meta.url);
export const faultBindings = fileURLToPath(new URL('../fixtures/faultBindings.ts', import.meta.url));

/** A child process whose output lines can be awaited. Always killed by its disposer. */
export function child(args: string[]) {
  const process_: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  let stdout = '';
  let stderr = '';
  const watchers: (() => void)[] = [];
  const notify = () => watchers.splice(0).forEach((watcher) => watcher());
  process_.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    notify();
  });
  process_.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    process_.once('exit', (code, signal) => resolve({ code, signal })),
  );
  process_.once('exit', notify);
  return {
    process: process_,
    exited,
    get stderr() {
      return stderr;
    },
    /** Resolves with the first stdout match of `pattern`; rejects if the process exits first. */
    async line(pattern: RegExp): Promise<RegExpMatchArray> {
      for (;;) {
        const match = stdout.match(pattern);
        if (match) return match;
        if (process_.exitCode !== null || process_.signalCode !== null) {
          throw new Error(`process exited before printing ${pattern}; stderr:\n${stderr}`);
        }
        await new Promise<void>((resolve) => watchers.push(resolve));
      }
    },
    async [Symbol.asyncDispose]() {
      if (process_.exitCode === null && process_.signalCode === null) process_.kill('SIGKILL');
      await exited;
    },
  };
}

/** Whether any process of group `pgid` is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
