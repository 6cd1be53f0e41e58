import { fileURLToPath } from 'node:url';
import { spawnProcess, type ProcessHandle, type SpawnProcessOptions } from '@scomp/transport-stdio/process';

/** The built `scomp-server` entry point. */
export const serverBinPath = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface ServerProcess extends ProcessHandle {
  /** The WebSocket URL from its listening line. */
  readonly url: string;
}

const LISTENING = /^scomp server listening on (ws:\/\/\S+)$/;

/**
 * Starts the built `scomp-server` as a child on 127.0.0.1 with a free port and waits for its
 * listening line. Extra `args` are passed through (e.g. `--token`).
 */
export async function spawnServerProcess(args: readonly string[] = [], options: SpawnProcessOptions = {}): Promise<ServerProcess> {
  const handle = spawnProcess(process.execPath, [serverBinPath, '--host', '127.0.0.1', '--port', '0', ...args], options);
  try {
    const line = await handle.nextLine('stdout', LISTENING);
    const url = LISTENING.exec(line)![1]!;
    return Object.assign(handle, { url });
  } catch (error) {
    await handle[Symbol.asyncDispose]();
    throw error;
  }
}
