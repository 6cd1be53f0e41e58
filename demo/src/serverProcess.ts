import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  readonly pid: number;
  /** The WebSocket URL the server printed once it was listening. */
  readonly url: string;
  /** Asks the server to shut down (SIGTERM) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Where the built `scomp-server` bin of `@scomp/app-server` is. */
function serverBin(): string {
  const packageJson = createRequire(import.meta.url).resolve('@scomp/app-server/package.json');
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(packageJson), bin['scomp-server']!);
}

/**
 * Starts `scomp-server --port 0` as a child process and resolves once it prints its listening
 * line. Rejects with the server's stderr if it exits first or stays silent for `startTimeoutMs`.
 */
export function startServerProcess({ startTimeoutMs = 15_000 } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [serverBin(), '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    let listening = false;
    const fail = (why: string) => {
      if (listening) return;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`scomp-server ${why}${stderr ? `:\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail(`printed no listening line within ${startTimeoutMs} ms`), startTimeoutMs);
    void exited.then((code) => fail(`exited with code ${code} before listening`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const url = /listening on (ws:\/\/\S+)/.exec(line)?.[1];
      if (url === undefined || listening) return;
      listening = true;
      clearTimeout(timer);
      resolve({ pid: child.pid!, url, stop: () => stop(child, exited) });
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  return exited;
}
