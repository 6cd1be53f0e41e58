import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Node arguments that run a TypeScript file of this package. */
export function nodeArgs(file: string, ...args: string[]): string[] {
  return ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args];
}

export interface WsServerProcess {
  urls: { echo: string; scomp: string; capnweb: string };
  pid: number;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts `server.ts ws` and waits for its URLs. Disposing closes its stdin, then kills it if it lingers. */
export async function startWsServer(): Promise<WsServerProcess> {
  const child = spawn(process.execPath, nodeArgs('./server.ts', 'ws'), { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', (text) => {
        lines.close();
        resolve(text);
      });
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    return {
      urls: JSON.parse(line) as WsServerProcess['urls'],
      pid: child.pid!,
      [Symbol.asyncDispose]: () => stop(child, exited),
    };
  } catch (error) {
    await stop(child, exited);
    throw error;
  }
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
