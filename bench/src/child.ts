import { spawnProcess } from '@scomp/transport-stdio/process';
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

/** Starts `server.ts ws` and waits for its URLs. Disposing kills it and whatever it started. */
export async function startWsServer(): Promise<WsServerProcess> {
  const child = spawnProcess(process.execPath, nodeArgs('./server.ts', 'ws'), { stderr: 'inherit' });
  try {
    const line = await child.nextLine('stdout', /^\{/);
    return Object.assign(child, { urls: JSON.parse(line) as WsServerProcess['urls'] });
  } catch (error) {
    await child[Symbol.asyncDispose]();
    throw error;
  }
}
