import { fileURLToPath } from 'node:url';
import { spawnProcess, type ProcessExit, type ProcessHandle, type SpawnProcessOptions } from '@scomp/app-server/testing';

/** The built `scomp` entry point. */
export const clientBinPath = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** Starts `scomp` with `args`; dispose the handle to kill it. */
export function spawnScomp(args: readonly string[], options: SpawnProcessOptions = {}): ProcessHandle {
  return spawnProcess(process.execPath, [clientBinPath, ...args], { ...options, env: { SCOMP_TOKEN: undefined, ...options.env } });
}

export interface ScompRun extends ProcessExit {
  stdout: string;
  stderr: string;
}

/** Runs `scomp` with `args` to completion. */
export async function runScomp(args: readonly string[], options: SpawnProcessOptions = {}): Promise<ScompRun> {
  await using scomp = spawnScomp(args, options);
  scomp.endInput();
  const exit = await scomp.exited;
  return { ...exit, stdout: scomp.stdout, stderr: scomp.stderr };
}
