import { spawnProcess } from '@scomp/transport-stdio/process';
import { fileURLToPath } from 'node:url';

/** Node arguments that run a TypeScript entry against the workspace sources. */
export function tsNodeArgs(entry: string | URL, ...args: string[]): string[] {
  return ['--conditions=@scomp/source', '--import', 'tsx', typeof entry === 'string' ? entry : fileURLToPath(entry), ...args];
}

export const serverBin = new URL('../../../apps/server/src/bin.ts', import.meta.url);
export const faultBindings = fileURLToPath(new URL('../fixtures/faultBindings.ts', import.meta.url));

/**
 * A Node process run from the e2e folder, in a process group of its own, whose stdout lines can be
 * awaited. Its disposer kills the group.
 */
export function child(args: string[]) {
  const handle = spawnProcess(process.execPath, args, { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  return Object.assign(handle, {
    /** The next stdout line that matches `pattern`, as its match; rejects with the output if the process exits first. */
    async line(pattern: RegExp): Promise<RegExpExecArray> {
      return pattern.exec(await handle.nextLine('stdout', pattern))!;
    },
  });
}
