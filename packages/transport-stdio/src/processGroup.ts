import type { ChildProcess } from 'node:child_process';

export const groupsSupported = process.platform !== 'win32';

/** Children that lead a process group of their own (spawned detached). */
const leaders = new WeakSet<ChildProcess>();

/** Records that `child` was spawned detached, so its pid is its process group's id. */
export function markGroupLeader(child: ChildProcess): void {
  leaders.add(child);
}

/**
 * Signals the child's whole process group when it leads one, reaching grandchildren too; else the
 * child alone. Returns false when nothing was left to signal.
 */
export function signalTree(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (child.pid === undefined) return false;
  try {
    if (leaders.has(child)) process.kill(-child.pid, signal);
    else if (signal === 0) return child.exitCode === null && child.signalCode === null;
    else child.kill(signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * After the child itself exited: asks what is left of its group to stop (SIGTERM), then forces it
 * (SIGKILL) once `graceMs` has passed.
 */
export async function reapTree(child: ChildProcess, graceMs: number): Promise<void> {
  if (!leaders.has(child) || !signalTree(child, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(20, graceMs)));
    if (!signalTree(child, 0)) return;
  }
  signalTree(child, 'SIGKILL');
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Keeps the child's group from outliving this process: if this process exits without closing the
 * transport, the group still gets SIGTERM (an exit hook cannot wait, so no escalation).
 */
export function trackTree(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const tracked of live) signalTree(tracked, 'SIGTERM');
  });
}
